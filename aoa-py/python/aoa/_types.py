"""The results of aoa: small immutable classes with attribute access, ``repr`` and ``to_dict()``.

Each is built from the plain dict the native module returns; ``to_dict()`` gives that dict back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional

__all__ = [
    "Diagnostic", "Declared", "CycleEdge", "Cycle", "Wave", "Plan", "Validation",
    "Result", "Decision", "Effective", "WhoCan", "WhatCan", "ResolvedParams", "AccessDiff",
]


@dataclass(frozen=True)
class Diagnostic:
    """One finding: what is wrong, where, for which app, and what to do."""

    code: str
    message: str
    file: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None
    path: Optional[str] = None
    app: Optional[str] = None
    hint: Optional[str] = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Diagnostic:
        return cls(
            d["code"], d["message"], d.get("file"), d.get("line"), d.get("column"),
            d.get("path"), d.get("app"), d.get("hint"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "message": self.message, "file": self.file, "line": self.line,
            "column": self.column, "path": self.path, "app": self.app, "hint": self.hint,
        }

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None and self.column is not None:
                where += f":{self.line}:{self.column}"
            where += ": "
        app = f" (app `{self.app}`)" if self.app is not None else ""
        hint = f"; hint: {self.hint}" if self.hint is not None else ""
        return f"{where}{self.message}{app}{hint}"


@dataclass(frozen=True)
class Declared:
    """Where something was declared: file, JSON pointer inside it, and line/column when known."""

    file: str
    path: str
    line: Optional[int] = None
    column: Optional[int] = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Declared:
        return cls(d["file"], d["path"], d.get("line"), d.get("column"))

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "path": self.path, "line": self.line, "column": self.column}


@dataclass(frozen=True)
class CycleEdge:
    """One edge of a cycle: ``from_`` rolls out before ``to``; ``kind`` is ``parent`` or ``depends_on``."""

    from_: str
    to: str
    kind: str
    declared: Declared

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CycleEdge:
        return cls(d["from"], d["to"], d["kind"], Declared.from_dict(d["declared"]))

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.from_, "to": self.to, "kind": self.kind, "declared": self.declared.to_dict()}


@dataclass(frozen=True)
class Cycle:
    """A cycle-bearing component: one concrete cycle (``path``, ``edges``, ``text``) and all its ``members``."""

    path: List[str]
    members: List[str]
    edges: List[CycleEdge]
    text: str

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Cycle:
        return cls(d["path"], d["members"], [CycleEdge.from_dict(e) for e in d["edges"]], d["text"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": list(self.path), "members": list(self.members),
            "edges": [e.to_dict() for e in self.edges], "text": self.text,
        }


@dataclass(frozen=True)
class Wave:
    """One wave of a plan: apps that may deploy in parallel, split into batches."""

    index: int
    batches: List[List[str]]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Wave:
        return cls(d["index"], d["batches"])

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "batches": [list(b) for b in self.batches]}

    @property
    def apps(self) -> List[str]:
        """The wave's apps, batches concatenated."""
        return [a for b in self.batches for a in b]


@dataclass(frozen=True)
class Plan:
    """A rollout (or teardown) plan: waves in order, and the critical path."""

    direction: str
    app_count: int
    waves: List[Wave]
    critical_path: List[str]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Plan:
        return cls(d["direction"], d["app_count"], [Wave.from_dict(w) for w in d["waves"]], d["critical_path"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "direction": self.direction, "app_count": self.app_count,
            "waves": [w.to_dict() for w in self.waves], "critical_path": list(self.critical_path),
        }

    def order(self) -> List[str]:
        """Every app in plan order."""
        return [a for w in self.waves for b in w.batches for a in b]

    def __repr__(self) -> str:
        return f"Plan(direction={self.direction!r}, app_count={self.app_count}, waves={len(self.waves)})"


@dataclass(frozen=True)
class Validation:
    """The result of ``validate()``: whether a rollout order exists, sizes, and one diagnostic per cycle."""

    valid: bool
    apps: int
    edges: int
    waves: int
    diagnostics: List[Diagnostic]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Validation:
        return cls(d["valid"], d["apps"], d["edges"], d["waves"], [Diagnostic.from_dict(x) for x in d["diagnostics"]])

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid, "apps": self.apps, "edges": self.edges, "waves": self.waves,
            "diagnostics": [x.to_dict() for x in self.diagnostics],
        }


class Result:
    """A result of the permission and parameter operations: its fields as attributes, ``repr`` and ``to_dict()``.

    The fields are exactly the core's JSON shape (see ``docs/permissions.md`` and ``docs/schema-hub.md``).
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_data", dict(data))

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._data == self._data  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(repr(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Result":
        return cls(d)

    def to_dict(self) -> dict[str, Any]:
        return dict(self._data)


class Decision(Result):
    """The answer of ``check``: ``allowed``, ``outcome`` (allowed, forbidden, not_granted), ``reasons``, ``nearest_miss``."""

    __slots__ = ()


class Effective(Result):
    """Every subject's effective actions on an app: ``app``, ``subjects``."""

    __slots__ = ()


class WhoCan(Result):
    """The subjects allowed an action on an app: ``app``, ``action``, ``subjects``."""

    __slots__ = ()


class WhatCan(Result):
    """The apps and actions a subject may do: ``apps``."""

    __slots__ = ()


class AccessDiff(Result):
    """Who gains or loses what between two manifests: ``gained``, ``lost``, ``subjects`` (changes by cause)."""

    __slots__ = ()


class ResolvedParams(Result):
    """An app's resolved parameters: ``app``, ``value``, ``provenance`` (JSON pointer to the app that set it)."""

    __slots__ = ()
