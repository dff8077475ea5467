"""The exceptions of aoa: one subclass of :class:`AoaError` per core error code."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from ._types import Diagnostic

__all__ = [
    "AoaError",
    "IoError",
    "ParseError",
    "ManifestError",
    "CycleError",
    "ParamsError",
    "SchemaError",
    "InvalidAccessError",
    "EscalationError",
    "UnknownAppError",
    "InvalidArgumentError",
    "ERROR_CLASSES",
]


class AoaError(Exception):
    """Base class of every aoa error.

    Attributes:
        code: the stable error code, the same in every language (``"manifest"``, ``"cycle"`` ...).
        message: the one-line message.
        diagnostics: the structured findings (file, line, column, path, app, message, hint).
    """

    code: str = "aoa"

    def __init__(
        self,
        message: str,
        code: str | None = None,
        diagnostics: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.diagnostics = [Diagnostic.from_dict(d) for d in diagnostics]

    def to_dict(self) -> dict[str, Any]:
        """The error as ``{"code", "message", "diagnostics"}``, as every binding reports it."""
        return {
            "code": self.code,
            "message": self.message,
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


class IoError(AoaError):
    """A file or directory could not be read (code ``io``)."""

    code = "io"


class ParseError(AoaError):
    """A manifest text is not well-formed YAML or JSON (code ``syntax``)."""

    code = "syntax"


class ManifestError(AoaError):
    """A manifest is not valid: unknown keys, duplicate names, unknown parents ... (code ``manifest``)."""

    code = "manifest"


class CycleError(AoaError):
    """The rollout graph has cycles, so no order exists (code ``cycle``)."""

    code = "cycle"


class ParamsError(AoaError):
    """The parameters or schemas of a manifest are not valid (code ``params``)."""

    code = "params"


class SchemaError(AoaError):
    """A schema or schema registry handed to an operation cannot be used (code ``schema``)."""

    code = "schema"


class InvalidAccessError(AoaError):
    """A permission section (roles, grants, deny, ceiling, identity) is not valid (code ``invalid-access``)."""

    code = "invalid-access"


class EscalationError(AoaError):
    """A grant, identity or role is wider than an ancestor's ceiling allows (code ``escalation``)."""

    code = "escalation"


class UnknownAppError(AoaError):
    """An argument named an app the manifest does not have (code ``unknown-app``)."""

    code = "unknown-app"


class InvalidArgumentError(AoaError, ValueError):
    """An argument is not acceptable, for example ``max_parallel=0`` (code ``invalid-argument``)."""

    code = "invalid-argument"


ERROR_CLASSES: dict[str, type[AoaError]] = {
    cls.code: cls
    for cls in (
        IoError, ParseError, ManifestError, CycleError, ParamsError, SchemaError, InvalidAccessError,
        EscalationError, UnknownAppError, InvalidArgumentError,
    )
}
