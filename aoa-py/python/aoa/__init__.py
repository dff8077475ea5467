"""aoa ("App of Apps"): validate a hierarchy of applications declared in one manifest and plan its rollout.

>>> import aoa
>>> m = aoa.Manifest.from_apps([{"name": "db"}, {"name": "api", "depends_on": ["db"]}])
>>> [w.apps for w in m.plan().waves]
[['db'], ['api']]

Every method converts, calls the Rust core (releasing the GIL) and converts back; errors are subclasses of
:class:`AoaError` carrying structured ``diagnostics``.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Union

from . import _aoa
from ._errors import (
    ERROR_CLASSES,
    AoaError,
    CycleError,
    EscalationError,
    InvalidAccessError,
    InvalidArgumentError,
    IoError,
    ManifestError,
    ParamsError,
    ParseError,
    SchemaError,
    UnknownAppError,
)
from ._types import (
    AccessDiff,
    Cycle, CycleEdge, Decision, Declared, Diagnostic, Effective, Plan, ResolvedParams, Validation, Wave, WhatCan,
    WhoCan,
)

__all__ = [
    "load", "Manifest", "OPERATIONS",
    "Plan", "Wave", "Cycle", "CycleEdge", "Declared", "Diagnostic", "Validation",
    "Decision", "Effective", "WhoCan", "WhatCan", "ResolvedParams", "AccessDiff",
    "AoaError", "IoError", "ParseError", "ManifestError", "CycleError", "ParamsError", "SchemaError",
    "InvalidAccessError", "EscalationError", "UnknownAppError",
    "InvalidArgumentError", "ERROR_CLASSES",
]

#: The canonical names of every operation of the core (``Manifest.call`` accepts them).
OPERATIONS: List[str] = list(_aoa.OPERATIONS)


def _clauses(selector: Union[str, Sequence[str]]) -> List[str]:
    return [selector] if isinstance(selector, str) else list(selector)


class Manifest:
    """A validated manifest. Build one with :func:`load`, :meth:`from_str` or :meth:`from_apps`."""

    __slots__ = ("_native",)

    def __init__(self, native: _aoa.Manifest) -> None:
        self._native = native

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> Manifest:
        """Loads a manifest file, or every ``*.yaml``, ``*.yml`` and ``*.json`` file of a directory."""
        return cls(_aoa.Manifest.load(os.fspath(path)))

    @classmethod
    def from_str(cls, text: str, format: str = "yaml") -> Manifest:
        """Parses one manifest text; ``format`` is ``"yaml"`` or ``"json"``."""
        return cls(_aoa.Manifest.from_str(text, format))

    @classmethod
    def from_apps(cls, apps: Iterable[Mapping[str, Any]]) -> Manifest:
        """Builds a manifest from app records (dicts as in a manifest's ``apps`` list)."""
        return cls(_aoa.Manifest.from_apps(apps if isinstance(apps, list) else list(apps)))

    def __len__(self) -> int:
        return len(self._native)

    def __repr__(self) -> str:
        return f"<aoa.Manifest with {len(self._native)} apps>"

    def plan(self, max_parallel: Optional[int] = None) -> Plan:
        """The rollout plan of every app; waves split into batches of at most ``max_parallel``."""
        return Plan.from_dict(self._native.plan(max_parallel))

    def teardown(self, max_parallel: Optional[int] = None) -> Plan:
        """The teardown plan: the exact reverse of the rollout plan."""
        return Plan.from_dict(self._native.teardown(max_parallel))

    def impacted(self, changed: Union[str, Sequence[str]], max_parallel: Optional[int] = None) -> Plan:
        """The changed apps plus everything downstream of them (dependents and descendants), as a plan."""
        return Plan.from_dict(self._native.impacted(_clauses(changed), max_parallel))

    def select(self, selector: Union[str, Sequence[str]], max_parallel: Optional[int] = None) -> Plan:
        """Apps matching any clause (``"env=prod,team=x"`` or ``"name=app"``) plus what they need first."""
        return Plan.from_dict(self._native.select(_clauses(selector), max_parallel))

    def cycles(self) -> List[Cycle]:
        """Every cycle of the rollout graph (empty when a plan exists)."""
        return [Cycle.from_dict(c) for c in self._native.cycles()]

    def validate(self) -> Validation:
        """Whether a rollout order exists, the manifest's size, and one diagnostic per cycle."""
        return Validation.from_dict(self._native.validate())

    def check(self, subject: str, action: str, app: str, groups: Optional[Sequence[str]] = None) -> Decision:
        """Whether ``subject`` (with its ``groups``) may do ``action`` on ``app``, and why."""
        args = {"subject": subject, "action": action, "app": app, "groups": list(groups or [])}
        return Decision(self._native.call("check", args))

    def effective(self, app: str) -> Effective:
        """Every subject with its allowed actions on ``app``, each with its sources."""
        return Effective(self._native.call("effective", {"app": app}))

    def who_can(self, action: str, app: str) -> WhoCan:
        """Every subject allowed ``action`` on ``app``, with the grants that allow it."""
        return WhoCan(self._native.call("who_can", {"action": action, "app": app}))

    def what_can(self, subject: str, groups: Optional[Sequence[str]] = None) -> WhatCan:
        """The apps and actions ``subject`` (with its ``groups``) may do."""
        return WhatCan(self._native.call("what_can", {"subject": subject, "groups": list(groups or [])}))

    def identity(self, app: str) -> List[str]:
        """The actions ``app``'s own identity is granted (what it needs, checked against its ceilings)."""
        return list(self._native.call("identity", {"app": app}))

    def params(self, app: str) -> ResolvedParams:
        """``app``'s resolved, validated parameters and which app set each value."""
        return ResolvedParams(self._native.call("params", {"app": app}))

    def diff(self, new: "Manifest") -> AccessDiff:
        """Every (subject, app, action) that becomes allowed or stops being allowed from this manifest to ``new``."""
        return AccessDiff(self._native.diff(new._native))

    def call(self, operation: str, args: Optional[Mapping[str, Any]] = None) -> Any:
        """Any core operation by its canonical name, with a dict of arguments; returns plain dicts/lists."""
        return self._native.call(operation, args)


def load(path: Union[str, "os.PathLike[str]"]) -> Manifest:
    """Loads a manifest file or directory (see :meth:`Manifest.load`)."""
    return Manifest.load(path)
