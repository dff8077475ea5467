"""The Python runner of the conformance suite: every vector through the generated methods of ``aoa.Manifest``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import aoa

ROOT = Path(__file__).resolve().parents[2]
VECTORS = sorted((ROOT / "tests" / "conformance" / "vectors").glob("*.json"))


def load(source: dict[str, Any]) -> aoa.Manifest:
    if "text" in source:
        return aoa.Manifest.from_str(source["text"], source.get("format", "yaml"))
    if "records" in source:
        return aoa.Manifest.from_apps(source["records"])
    return aoa.load(source["path"])


def run(vector: dict[str, Any]) -> Any:
    """The vector's operation through the generated method (a module function for operations without a manifest)."""
    try:
        if "manifest" not in vector:
            return getattr(aoa, vector["operation"])(**vector["args"])
        manifest = load(vector["manifest"])
        method = getattr(manifest, vector["operation"])
        if "new" in vector:
            return method(load(vector["new"]), **vector["args"])
        return method(**vector["args"])
    except aoa.AoaError as e:
        assert type(e) is aoa.ERROR_CODES[e.code]
        return {"error": {"code": e.code, "message": e.message, "diagnostics": e.diagnostics}}


def matches(expected: Any, actual: Any) -> bool:
    """The suite's comparison (see tests/conformance/README.md)."""
    if not (isinstance(expected, dict) and "error" in expected):
        return expected == actual
    want, got = expected["error"], actual.get("error") if isinstance(actual, dict) else None
    if got is None or want["code"] != got["code"]:
        return False
    if "message" in want and want["message"] != got["message"]:
        return False
    if "diagnostics" not in want:
        return True
    return len(want["diagnostics"]) == len(got["diagnostics"]) and all(
        all(g.get(k) == v for k, v in w.items()) for w, g in zip(want["diagnostics"], got["diagnostics"])
    )


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_vector(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    vector = json.loads(path.read_text())
    actual = run(vector)
    assert matches(vector["expected"], actual), f"expected {vector['expected']}\nactual   {actual}"


def test_vectors_exist() -> None:
    assert len(VECTORS) >= 30
    assert os.path.isdir(ROOT / "examples" / "platform")


STORE_VECTORS = sorted((ROOT / "tests" / "conformance" / "store").glob("*.json"))
STORE_OPTIONS = {"registry": "conformance", "actor": "conformance", "now_ms": 1800000000000}


@pytest.mark.parametrize("path", STORE_VECTORS, ids=[p.stem for p in STORE_VECTORS])
def test_store_vector(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each step through the generated method of ``aoa.Store`` on a fresh SQLite store."""
    monkeypatch.chdir(ROOT)
    store = aoa.Store.open(f"sqlite:{tmp_path / 'state.db'}", **STORE_OPTIONS)
    for i, step in enumerate(json.loads(path.read_text())["steps"]):
        method = getattr(store, step["operation"], None)
        try:
            if method is None:
                actual = store.call(step["operation"], None, step.get("args"))
            elif "manifest" in step:
                actual = method(load(step["manifest"]), **step.get("args", {}))
            else:
                actual = method(**step.get("args", {}))
        except aoa.AoaError as e:
            actual = {"error": {"code": e.code, "message": e.message, "diagnostics": e.diagnostics}}
        assert matches(step["expected"], json.loads(json.dumps(actual))), f"step {i}: {actual}"
