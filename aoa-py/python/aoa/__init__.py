"""aoa ("App of Apps"): validate a hierarchy of applications declared in one manifest and plan its rollout.

>>> import aoa
>>> m = aoa.Manifest.from_apps([{"name": "db"}, {"name": "api", "depends_on": ["db"]}])
>>> [wave["batches"] for wave in m.plan()["waves"]]
[[['db']], [['api']]]
>>> m.check("user:ann", "deploy", "api")["allowed"]
False
>>> try:
...     m.impacted(["apii"])
... except aoa.UnknownAppError as e:
...     print(e.code, "|", e.message)
unknown-app | unknown app `apii`; did you mean `api`?

Every method is generated from the core's table of operations (``aoa.OPERATIONS``): it converts its arguments to
JSON, runs the operation in Rust through ``aoa_core::dispatch`` (releasing the GIL) and returns plain dicts and
lists (typed in ``__init__.pyi``). Errors are subclasses of :class:`AoaError` (``aoa.ERROR_CODES``: code to class)
with ``code``, ``message`` and ``diagnostics``.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

from . import _aoa

AoaError = _aoa.AoaError
#: The exception class of every core error code (``"unknown-app"``: ``UnknownAppError`` ...).
ERROR_CODES: Dict[str, type] = _aoa.ERROR_CODES
globals().update({cls.__name__: cls for cls in ERROR_CODES.values()})

#: Every operation of the core: ``{"name", "kind": "manifest" | "pair" | "free", "args": [...]}``.
OPERATIONS: List[Dict[str, Any]] = json.loads(_aoa.operations())


def _arguments(op: Mapping[str, Any], args: tuple, kwargs: Dict[str, Any]) -> Optional[str]:
    """The JSON arguments of a call: positional ones in the operation's order, then keywords; None dropped."""
    if len(args) > len(op["args"]):
        raise TypeError(f"{op['name']}() takes at most {len(op['args'])} positional arguments")
    named = dict(zip(op["args"], args))
    for key, value in kwargs.items():
        if key in named:
            raise TypeError(f"{op['name']}() got multiple values for argument '{key}'")
        named[key] = value
    named = {k: v for k, v in named.items() if v is not None}
    return json.dumps(named) if named else None


class Manifest:
    """A validated manifest. Build one with :func:`load`, :meth:`from_str` or :meth:`from_apps`."""

    __slots__ = ("_native",)

    def __init__(self, native: _aoa.Manifest) -> None:
        self._native = native

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Manifest:
        """Loads a manifest file, or every ``*.yaml``, ``*.yml`` and ``*.json`` file of a directory."""
        return cls(_aoa.Manifest.load(os.fspath(path)))

    @classmethod
    def from_str(cls, text: str, format: str = "yaml") -> Manifest:
        """Parses one manifest text; ``format`` is ``"yaml"`` or ``"json"``."""
        return cls(_aoa.Manifest.from_str(text, format))

    @classmethod
    def from_apps(cls, apps: Iterable[Mapping[str, Any]]) -> Manifest:
        """Builds a manifest from app records (dicts as in a manifest's ``apps`` list)."""
        return cls(_aoa.Manifest.from_records(json.dumps(apps if isinstance(apps, list) else list(apps))))

    def __len__(self) -> int:
        return len(self._native)

    def __repr__(self) -> str:
        return f"<aoa.Manifest with {len(self._native)} apps>"

    def call(self, operation: str, args: Optional[Mapping[str, Any]] = None) -> Any:
        """Any operation on this manifest by its canonical name, with a dict of arguments."""
        return json.loads(self._native.call(operation, json.dumps(args) if args is not None else None))


def _operation(op: Dict[str, Any]) -> Callable[..., Any]:
    """The Python function of one operation of the core's table."""
    name, kind = op["name"], op["kind"]

    def run(*args: Any, **kwargs: Any) -> Any:
        if kind == "free":
            return json.loads(_aoa.call_free(name, _arguments(op, args, kwargs)))
        self, *rest = args
        if kind == "pair":
            new, *rest = rest
            return json.loads(self._native.call_pair(new._native, name, _arguments(op, tuple(rest), kwargs)))
        return json.loads(self._native.call(name, _arguments(op, tuple(rest), kwargs)))

    run.__name__ = run.__qualname__ = name
    run.__doc__ = f"The core's `{name}` operation (arguments: {', '.join(op['args']) or 'none'})."
    return run


for _op in OPERATIONS:
    if _op["kind"] == "free":
        globals()[_op["name"]] = _operation(_op)
    else:
        setattr(Manifest, _op["name"], _operation(_op))

__all__ = ["Manifest", "load", "OPERATIONS", "AoaError", "ERROR_CODES"]
__all__ += [cls.__name__ for cls in ERROR_CODES.values()] + [op["name"] for op in OPERATIONS if op["kind"] == "free"]


def load(path: str | os.PathLike[str]) -> Manifest:
    """Loads a manifest file or directory (see :meth:`Manifest.load`)."""
    return Manifest.load(path)
