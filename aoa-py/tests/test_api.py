"""The Python API: constructors, results as objects, the error hierarchy, and the GIL being released."""

from __future__ import annotations

import doctest
import threading
from pathlib import Path

import pytest

import aoa

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = ROOT / "examples" / "platform"
DIAMOND = [
    {"name": "root"},
    {"name": "db", "parent": "root"},
    {"name": "api", "parent": "root", "depends_on": ["db"], "labels": {"team": "core"}},
]


def test_load_and_plan_dicts() -> None:
    m = aoa.load(PLATFORM)
    assert len(m) == 30
    plan = m.plan(max_parallel=2)
    assert plan["direction"] == "rollout" and plan["app_count"] == 30
    assert plan["waves"][0]["batches"] == [["platform"]]
    assert all(len(b) <= 2 for w in plan["waves"] for b in w["batches"])
    assert aoa.Manifest.load(str(PLATFORM)).plan() == m.plan() == m.call("plan")


def test_from_str_and_from_apps_agree() -> None:
    text = "apps:\n- name: root\n- name: db\n  parent: root\n- name: api\n  parent: root\n  depends_on: [db]\n"
    a = aoa.Manifest.from_str(text)
    b = aoa.Manifest.from_apps(DIAMOND)
    c = aoa.Manifest.from_str('{"apps": [{"name": "root"}, {"name": "db", "parent": "root"}, '
                              '{"name": "api", "parent": "root", "depends_on": ["db"]}]}', format="json")
    assert a.plan() == b.plan() == c.plan()
    assert a.plan()["critical_path"] == ["root", "db", "api"]
    assert b.teardown()["critical_path"] == ["api", "db", "root"]
    assert b.impacted("db")["app_count"] == 2
    assert b.select("team=core")["app_count"] == 3
    assert b.select(["name=db"])["app_count"] == 2
    assert b.cycles() == []
    assert b.validate() == {"valid": True, "apps": 3, "edges": 3, "waves": 3, "diagnostics": []}
    assert b.call("plan", {"max_parallel": 1}) == b.plan(max_parallel=1) == b.plan(1)
    assert [op["name"] for op in aoa.OPERATIONS][:6] == ["plan", "teardown", "impacted", "select", "cycles", "validate"]
    assert repr(b) == "<aoa.Manifest with 3 apps>"


def test_methods_are_generated_from_the_core_table() -> None:
    for op in aoa.OPERATIONS:
        owner = aoa if op["kind"] == "free" else aoa.Manifest
        assert callable(getattr(owner, op["name"])), op["name"]
    m = aoa.Manifest.from_apps(DIAMOND)
    with pytest.raises(TypeError, match="too many positional arguments"):
        m.plan(1, 2)
    with pytest.raises(TypeError, match="multiple values"):
        m.plan(1, max_parallel=2)
    with pytest.raises(aoa.InvalidArgumentError, match="did you mean `max_parallel`"):
        m.plan(max_paralel=2)
    with pytest.raises(aoa.InvalidArgumentError, match="takes two manifests"):
        m.call("diff")


def test_every_error_code_has_its_own_class() -> None:
    assert len(aoa.ERROR_CODES) == 15
    assert len(set(aoa.ERROR_CODES.values())) == len(aoa.ERROR_CODES)
    for code, cls in aoa.ERROR_CODES.items():
        assert issubclass(cls, aoa.AoaError) and cls.code == code and cls.__module__ == "aoa"
        assert getattr(aoa, cls.__name__) is cls
    assert issubclass(aoa.IoError, OSError)
    assert issubclass(aoa.UnknownAppError, LookupError)
    assert issubclass(aoa.InvalidArgumentError, ValueError)
    assert {c.__name__ for c in aoa.ERROR_CODES.values()} >= {"ParseError", "ManifestError", "CycleError"}


def test_cycles_are_reported() -> None:
    m = aoa.Manifest.from_apps([{"name": "a", "depends_on": ["b"]}, {"name": "b", "depends_on": ["a"]}])
    [cycle] = m.cycles()
    assert cycle["text"] == "a -> b -> a"
    assert [(e["from"], e["to"], e["kind"]) for e in cycle["edges"]] == [("a", "b", "depends_on"), ("b", "a", "depends_on")]
    assert cycle["edges"][0]["declared"]["path"] == "/apps/1/depends_on/0"
    with pytest.raises(aoa.CycleError) as info:
        m.plan()
    assert info.value.code == "cycle"
    assert info.value.diagnostics[0]["app"] == "b"
    assert not m.validate()["valid"]


def test_errors_form_a_hierarchy_with_diagnostics() -> None:
    with pytest.raises(aoa.ManifestError) as info:
        aoa.Manifest.from_str("apps:\n  - name: api\n    parent: platfrom\n  - name: platform\n")
    e = info.value
    assert isinstance(e, aoa.AoaError)
    assert e.code == "manifest"
    [d] = e.diagnostics
    assert (d["code"], d["file"], d["line"], d["column"], d["app"], d["hint"]) == (
        "unknown-parent", "<string>", 3, 13, "api", "did you mean `platform`?")
    assert "platfrom" in str(e) and str(e) == e.message
    with pytest.raises(aoa.ParseError) as info:
        aoa.Manifest.from_str("apps: [", "yaml")
    assert info.value.diagnostics[0]["line"] is not None
    with pytest.raises(aoa.IoError):
        aoa.load(ROOT / "does-not-exist")
    with pytest.raises(FileNotFoundError if False else OSError):
        aoa.load(ROOT / "does-not-exist")
    m = aoa.Manifest.from_apps(DIAMOND)
    with pytest.raises(aoa.UnknownAppError, match="did you mean `api`"):
        m.impacted(["apii"])
    with pytest.raises(LookupError):
        m.params("nope")
    with pytest.raises(aoa.InvalidArgumentError):
        m.plan(max_parallel=0)
    with pytest.raises(ValueError):  # InvalidArgumentError is also a ValueError
        m.plan(max_parallel=-1)
    with pytest.raises(aoa.InvalidArgumentError):
        aoa.Manifest.from_str("apps: []", format="toml")
    with pytest.raises(TypeError):
        aoa.Manifest.from_apps([{"name": object()}])
    with pytest.raises(aoa.InvalidArgumentError, match="unknown operation `plam`; did you mean `plan`"):
        m.call("plam")


def test_generated_stub_declares_every_operation_and_error_class() -> None:
    stub = (Path(aoa.__file__).parent / "__init__.pyi").read_text()
    assert "generated by aoa-typegen" in stub
    for op in aoa.OPERATIONS:
        assert f"def {op['name']}(" in stub, op["name"]
    for cls in aoa.ERROR_CODES.values():
        bases = ", ".join(b.__name__ for b in cls.__bases__)
        assert f"class {cls.__name__}({bases}):" in stub, cls


def test_docstring_examples_run() -> None:
    assert doctest.testmod(aoa, raise_on_error=False).failed == 0
    assert doctest.testmod(aoa).attempted >= 4


def test_heavy_calls_release_the_gil() -> None:
    n = 60_000
    records = [{"name": f"app{i}", "depends_on": [f"app{i // 2}"] if i else []} for i in range(n)]
    m = aoa.Manifest.from_apps(records)
    ticks = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            ticks.append(1)

    t = threading.Thread(target=tick)
    t.start()
    try:
        for _ in range(3):
            m.impacted(["app1"])
    finally:
        stop.set()
        t.join()
    assert ticks  # the other thread ran while the core worked


@pytest.mark.parametrize("records", [
    [{"name": "a"}, {"name": "b", "parent": "a", "depends_on": ["a"], "labels": {"k": "v"}, "version": "1", "owner": "o"}],
    [{"name": "a", "parent": None}, {"name": "b", "depends_on": ["a"]}],
    [{"name": "a", "version": None}],
    [{"name": "a", "owner": 3}],
    [{"name": "a", "dependson": ["b"]}, {"name": "b"}],
    [{"name": "a", "parent": "platfrom"}, {"name": "platform"}],
    [{"name": "a", "depends_on": ("b",)}, {"name": "b"}],
    [{"name": "a", "labels": {"n": 1}}],
    [{"parent": "a"}],
    [{"name": "a"}, {"name": "a"}],
    [{"name": "a", "depends_on": ["b"]}, {"name": "b", "depends_on": ["a"]}],
    [],
])
def test_plain_records_fast_path_matches_the_general_path(records: list) -> None:
    def outcome(apps):  # a tuple and a list give the same result
        try:
            return aoa.Manifest.from_apps(apps).validate()
        except aoa.AoaError as e:
            return {"code": e.code, "message": e.message, "diagnostics": e.diagnostics}

    assert outcome(records) == outcome(tuple(records))


ACCESS = """
apps:
  - name: root
    roles: {deployer: [deploy, rollback]}
    grants: [{subject: "group:sre", role: deployer}]
    deny: [{subject: "user:mallory", actions: ["*"]}]
  - name: api
    parent: root
    identity: {needs: [deploy]}
"""


def test_permission_operations_and_diff() -> None:
    m = aoa.Manifest.from_str(ACCESS)
    decision = m.check("user:ann", "deploy", "api", groups=["group:sre"])
    assert decision["allowed"] and decision["outcome"] == "allowed"
    assert decision["reasons"][0]["app"] == "root"
    assert decision == m.check(subject="user:ann", action="deploy", app="api", groups=["group:sre"])
    denied = m.check("user:mallory", "deploy", "api", groups=["group:sre"])
    assert not denied["allowed"] and denied["outcome"] == "forbidden"
    assert [s["subject"] for s in m.who_can("deploy", "api")["subjects"]] == ["group:sre", "app:api"]
    assert m.identity("api") == ["deploy"]
    assert {a["app"] for a in m.what_can("user:ann", ["group:sre"])["apps"]} == {"root", "api"}
    assert any(s["subject"] == "group:sre" for s in m.effective("api")["subjects"])
    before = aoa.Manifest.from_str(ACCESS.replace('grants: [{subject: "group:sre", role: deployer}]', "grants: []"))
    gained = before.diff(m)
    assert gained["gained"] > 0 and gained["lost"] == 0
    assert m.diff(m)["gained"] == 0
    with pytest.raises(aoa.InvalidArgumentError, match="takes manifests, not"):
        m.diff("new.yaml")
    with pytest.raises(aoa.InvalidArgumentError):
        m.check("robot:x", "deploy", "api")
    with pytest.raises(aoa.EscalationError) as e:
        aoa.Manifest.from_str("apps:\n- {name: r, ceiling: [read]}\n- {name: c, parent: r, grants: [{subject: 'user:a', actions: [deploy]}]}\n")
    assert e.value.diagnostics[0]["app"] == "c"


def test_params_and_schema_fingerprint() -> None:
    m = aoa.load(ROOT / "examples" / "platform")
    p = m.params("payments/api")
    assert p["value"]["max_payment_cents"] == 1000000 and isinstance(p["value"]["max_payment_cents"], int)
    assert p["provenance"]["/platform/region"] == "platform"
    fingerprints = aoa.schema_fingerprint('"string"')
    assert fingerprints == aoa.schema_fingerprint(schema='"string"') and len(fingerprints) >= 1
    with pytest.raises(aoa.SchemaError):
        aoa.schema_fingerprint("{")
