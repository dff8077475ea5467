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
lists (typed in ``__init__.pyi``, generated). Errors are subclasses of :class:`AoaError` (``aoa.ERROR_CODES``: code
to class) with ``code``, ``message`` and ``diagnostics``.
"""

from __future__ import annotations

import asyncio
import builtins
import inspect
import json
import os
import sys
import threading
from inspect import Parameter, Signature
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

from . import _aoa


class AoaError(Exception):
    """Base class of every aoa error: ``code`` (the same in every language), ``message`` and ``diagnostics``."""

    code = "aoa"

    def __init__(self, message: str, diagnostics: Optional[List[Dict[str, Any]]] = None) -> None:
        super().__init__(message)
        self.message, self.diagnostics = message, diagnostics or []


#: The exception class of every core error code (``"unknown-app"``: ``UnknownAppError`` ...).
ERROR_CODES: Dict[str, type] = {
    code: type(name, (AoaError,) + ((getattr(builtins, also),) if also else ()), {"code": code, "__module__": __name__})
    for code, name, also in _aoa.ERROR_CLASSES
}
globals().update({cls.__name__: cls for cls in ERROR_CODES.values()})

#: Every operation of the core: ``{"name", "kind": "manifest" | "pair" | "free", "args": [...]}``.
OPERATIONS: List[Dict[str, Any]] = json.loads(_aoa.OPERATIONS)


def _settle(out: Any) -> Any:
    """A native outcome: a manifest handle, or ``{"ok": result}`` / ``{"error": {...}}`` as JSON text."""
    if isinstance(out, _aoa.Manifest):
        return Manifest(out)
    outcome = json.loads(out)
    if "error" in outcome:
        error = outcome["error"]
        raise ERROR_CODES[error["code"]](error["message"], error["diagnostics"])
    return outcome["ok"]


class Manifest:
    """A validated manifest. Build one with :func:`load`, :meth:`from_str` or :meth:`from_apps`."""

    __slots__ = ("_native",)

    def __init__(self, native: _aoa.Manifest) -> None:
        self._native = native

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Manifest:
        """Loads a manifest file, or every ``*.yaml``, ``*.yml`` and ``*.json`` file of a directory."""
        return _settle(_aoa.open("path", os.fspath(path)))

    @classmethod
    def from_str(cls, text: str, format: str = "yaml") -> Manifest:
        """Parses one manifest text; ``format`` is ``"yaml"`` or ``"json"``."""
        return _settle(_aoa.open("text", text, format))

    @classmethod
    def from_apps(cls, apps: Iterable[Mapping[str, Any]]) -> Manifest:
        """Builds a manifest from app records (dicts as in a manifest's ``apps`` list)."""
        return _settle(_aoa.open("records", json.dumps(apps if isinstance(apps, list) else list(apps))))

    def __len__(self) -> int:
        return len(self._native)

    def __repr__(self) -> str:
        return f"<aoa.Manifest with {len(self._native)} apps>"

    def call(self, operation: str, args: Optional[Mapping[str, Any]] = None) -> Any:
        """Any operation on this manifest by its canonical name, with a dict of arguments."""
        return _settle(_aoa.call([self._native], operation, None if args is None else json.dumps(args)))

    def rollout(self, deploy: Callable[..., Any], observe: Optional[Callable[[str], Any]] = None,
                rollback: Optional[Callable[[str, Optional[str]], Any]] = None,
                options: Optional[Mapping[str, Any]] = None,
                on_event: Optional[Callable[[Dict[str, Any]], Any]] = None) -> Dict[str, Any]:
        """Deploys every app, each as soon as the apps it waits for succeeded, on worker threads (the GIL is
        released while Rust waits). ``deploy(app, version, attempt, context)`` (``context``: ``run_id``,
        ``idempotency_key``), ``observe(app)`` returning a health (``"healthy"``, ``"progressing"``, ``"degraded"``,
        ``"missing"``, ``"unknown"``) or ``(health, version)``, and ``rollback(app, to_version)`` may be plain
        functions or ``async def`` coroutines (awaited on one event loop thread); an exception fails only its app.
        ``options``: the run options (``max_parallel``, ``on_failure``, ``retry``, ...); ``on_event`` gets every
        journal entry as a dict. Returns the report."""
        loop = _Loop()
        calls = {"deploy": lambda app, version, attempt, run_id, key: deploy(
                     app, version, attempt, {"run_id": run_id, "idempotency_key": key}),
                 "observe": lambda app, *_: observe(app),  # type: ignore[misc]
                 "rollback": lambda app, version, *_: rollback(app, version)}  # type: ignore[misc]

        def dispatch(kind: str, *args: Any) -> Any:
            out = loop.wait(calls[kind](*args))
            return (None, None) if kind != "observe" else (out, None) if isinstance(out, str) else tuple(out)

        try:
            return _settle(_aoa.rollout(self._native, dispatch, observe is not None,
                                        None if options is None else json.dumps(options),
                                        on_event and (lambda event: on_event(json.loads(event)))))
        finally:
            loop.close()


class _Loop:
    """The asyncio event loop, on its own thread, that awaits what callbacks return (started on the first)."""

    def __init__(self) -> None:
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.lock, self.thread = threading.Lock(), threading.Thread()

    def wait(self, result: Any) -> Any:
        if not inspect.isawaitable(result):
            return result
        with self.lock:
            if self.loop is None:
                self.loop = asyncio.new_event_loop()
                self.thread = threading.Thread(target=self.loop.run_forever, name="aoa-rollout-loop", daemon=True)
                self.thread.start()

        async def awaited() -> Any:
            return await result

        return asyncio.run_coroutine_threadsafe(awaited(), self.loop).result()

    def close(self) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join()
            self.loop.close()


def _operation(op: Dict[str, Any]) -> Callable[..., Any]:
    """The function of one operation of the core's table: a method (``diff(new)`` takes a second manifest) or,
    without a manifest, a module function. Arguments are positional in the table's order, or by keyword."""
    takes = {"free": 0, "manifest": 1, "pair": 2}[op["kind"]]
    params = [Parameter(a, Parameter.POSITIONAL_OR_KEYWORD, default=None) for a in op["args"]]
    signature = Signature(params + [Parameter("other", Parameter.VAR_KEYWORD)])  # unknown names: the core's error

    def run(*args: Any, **kwargs: Any) -> Any:
        named = signature.bind(*args[takes:], **kwargs).arguments if kwargs or len(args) > takes else {}
        named = {**named.pop("other", {}), **{k: v for k, v in named.items() if v is not None}}
        if any(not isinstance(m, Manifest) for m in args[:takes]):
            raise ERROR_CODES["invalid-argument"](f"invalid argument: `{op['name']}` takes manifests, not {args[:takes]!r}")
        manifests = [m._native for m in args[:takes]]
        return _settle(_aoa.call(manifests, op["name"], json.dumps(named) if named else None))

    run.__name__ = run.__qualname__ = op["name"]
    run.__doc__ = f"The core's `{op['name']}` operation (arguments: {', '.join(op['args']) or 'none'})."
    return run


class Store:
    """A state store (``sqlite:PATH`` or ``postgres://...``): the component registry, its history and the audit
    trail. Its methods are generated from ``aoa.STORE_OPERATIONS``: ``apply(manifest, dry_run=, allow_gain=)``,
    ``drift(manifest)``, ``show(app)``, ``history(app)``, ``list()``, ``audit_verify()``,
    ``audit_show(app=, since=)``, ``audit_export(path)``."""

    __slots__ = ("_native",)

    def __init__(self, native: Any) -> None:
        self._native = native

    @classmethod
    def open(cls, url: str, **options: Any) -> Store:
        """Opens (creating or migrating) the store; options: ``registry``, ``actor``, ``lease_ttl_ms``,
        ``lease_wait_ms``, ``now_ms`` (a fixed clock)."""
        out = _aoa.store_open(url, json.dumps(options) if options else None)
        return cls(out) if isinstance(out, _aoa.Store) else _settle(out)

    def call(self, operation: str, manifest: Optional[Manifest] = None, args: Optional[Mapping[str, Any]] = None) -> Any:
        """Any store operation by its canonical name."""
        native = manifest._native if isinstance(manifest, Manifest) else manifest
        return _settle(_aoa.store_call(self._native, native, operation, None if args is None else json.dumps(args)))


#: Every store operation: ``{"name", "manifest": bool, "args": [...]}``.
STORE_OPERATIONS: List[Dict[str, Any]] = json.loads(_aoa.STORE_OPERATIONS)


def _store_operation(op: Dict[str, Any]) -> Callable[..., Any]:
    """A method of :class:`Store` from the store's table: the manifest first when the operation takes one."""
    params = [Parameter(a, Parameter.POSITIONAL_OR_KEYWORD, default=None) for a in op["args"]]
    signature = Signature(params + [Parameter("other", Parameter.VAR_KEYWORD)])
    takes = 1 if op["manifest"] else 0

    def run(self: Store, *args: Any, **kwargs: Any) -> Any:
        named = signature.bind(*args[takes:], **kwargs).arguments
        named = {**named.pop("other", {}), **{k: v for k, v in named.items() if v is not None}}
        return self.call(op["name"], args[0] if takes and args else None, named or None)

    run.__name__ = run.__qualname__ = op["name"]
    run.__doc__ = f"The store's `{op['name']}` operation (arguments: {', '.join(op['args']) or 'none'})."
    return run


for _op in STORE_OPERATIONS:
    setattr(Store, _op["name"], _store_operation(_op))

for _op in OPERATIONS:  # free operations become module functions, the others Manifest methods
    setattr(sys.modules[__name__] if _op["kind"] == "free" else Manifest, _op["name"], _operation(_op))

__all__ = ["Manifest", "Store", "load", "rollout", "OPERATIONS", "STORE_OPERATIONS", "AoaError", "ERROR_CODES"]
__all__ += [cls.__name__ for cls in ERROR_CODES.values()] + [op["name"] for op in OPERATIONS if op["kind"] == "free"]

#: Loads a manifest file or directory (:meth:`Manifest.load`).
load = Manifest.load
#: Rolls out a manifest with callbacks: ``rollout(manifest, deploy, ...)`` (:meth:`Manifest.rollout`).
rollout = Manifest.rollout
