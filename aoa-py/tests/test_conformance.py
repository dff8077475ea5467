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
