"""Rollouts with Python callbacks: plain functions and coroutines, order, failures that stay with their app."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

import aoa

PLATFORM = Path(__file__).resolve().parents[2] / "examples" / "platform"
#: Who runs the rollouts of examples/platform (it has permission sections: RBAC is checked first).
ADMIN = {"subject": "user:ann", "groups": ["group:platform-admins"]}
#: Fail at once (no retries) and let independent branches go on.
CONTINUE = {"on_failure": "continue", "retry": {"max_attempts": 1}}


def dependents(m: aoa.Manifest, app: str) -> List[str]:
    """Every app that waits for `app`, directly or not."""
    return [a for w in m.impacted([app])["waves"] for b in w["batches"] for a in b if a != app]


def assert_order(m: aoa.Manifest, calls: List[str]) -> None:
    at = {app: i for i, app in enumerate(calls)}
    for app in calls:
        for later in dependents(m, app):
            assert later not in at or at[later] > at[app], f"{later} deployed before {app}"


def test_plain_callables_deploy_every_app_in_dependency_order() -> None:
    m = aoa.load(PLATFORM)
    calls: List[str] = []
    contexts: Dict[str, Any] = {}
    lock = threading.Lock()
    main = threading.get_ident()

    def deploy(app: str, version: Optional[str], attempt: int, context: Dict[str, str]) -> None:
        assert threading.get_ident() != main and attempt == 1
        with lock:
            calls.append(app)
            contexts[app] = (version, context)

    events: List[Dict[str, Any]] = []
    report = aoa.rollout(m, deploy, options={**ADMIN, "run_id": "r1", "max_parallel": 4}, on_event=events.append)
    assert report["counts"]["succeeded"] == 30 and report["run_id"] == "r1"
    assert sorted(calls) == sorted(a["app"] for a in report["apps"]) and len(set(calls)) == 30
    assert_order(m, calls)
    assert contexts["platform"] == ("2026.11.1", {"run_id": "r1", "idempotency_key": "r1/platform"})
    assert {e["step"] for e in events} == {"started", "succeeded"} and len(events) == 60
    assert report["critical_path"][0] == "platform"


def test_async_callbacks_are_awaited_and_run_concurrently() -> None:
    m = aoa.load(PLATFORM)
    calls: List[str] = []
    running, most = [0], [0]

    async def deploy(app: str, version: Optional[str], attempt: int, context: Dict[str, str]) -> None:
        running[0] += 1  # every coroutine runs on the one loop thread: no lock needed
        most[0] = max(most[0], running[0])
        await asyncio.sleep(0.01)
        running[0] -= 1
        calls.append(app)

    async def observe(app: str) -> Any:
        await asyncio.sleep(0)
        return ("healthy", "1") if app == "platform" else "healthy"

    report = m.rollout(deploy, observe=observe, options={**ADMIN, "max_parallel": 8, "health_poll_ms": 1})
    assert report["counts"]["succeeded"] == 30 and len(calls) == 30
    assert most[0] > 1, "coroutines of different apps should overlap"
    assert_order(m, calls)


@pytest.mark.parametrize("asynchronous", [False, True])
def test_an_exception_fails_only_its_app(asynchronous: bool) -> None:
    m = aoa.load(PLATFORM)
    calls: List[str] = []

    def fail_vault(app: str) -> None:
        calls.append(app)
        if app == "platform/vault":
            raise RuntimeError("vault is sealed")

    async def deploy_async(app: str, version: Optional[str], attempt: int, context: Dict[str, str]) -> None:
        await asyncio.sleep(0)
        fail_vault(app)

    def deploy(app: str, version: Optional[str], attempt: int, context: Dict[str, str]) -> None:
        fail_vault(app)

    report = aoa.rollout(m, deploy_async if asynchronous else deploy, options={**ADMIN, **CONTINUE})
    outcome = {a["app"]: a for a in report["apps"]}
    assert outcome["platform/vault"]["status"] == "failed"
    assert outcome["platform/vault"]["reason"] == "RuntimeError: vault is sealed"
    skipped = set(dependents(m, "platform/vault"))
    assert skipped and all(outcome[a]["status"] == "skipped" for a in skipped)
    assert outcome["identity/auth"]["reason"] == "upstream failed: platform/vault"
    assert not skipped & set(calls)
    assert report["counts"]["succeeded"] == 30 - 1 - len(skipped) == len(calls) - 1


def test_observe_gates_and_bad_health_fails_the_app() -> None:
    m = aoa.Manifest.from_apps([{"name": "db"}, {"name": "api", "depends_on": ["db"]}])
    report = m.rollout(lambda *a: None, observe=lambda app: "sideways" if app == "db" else "healthy",
                       options={**CONTINUE, "health_timeout_ms": 20, "health_poll_ms": 1})
    outcome = {a["app"]: a for a in report["apps"]}
    assert outcome["db"]["status"] == "failed" and "sideways" in outcome["db"]["reason"]
    assert outcome["api"]["status"] == "skipped"


def test_errors_raise_the_aoa_classes() -> None:
    m = aoa.Manifest.from_apps([{"name": "db"}])
    with pytest.raises(aoa.InvalidArgumentError, match="max_paralel"):
        m.rollout(lambda *a: None, options={"max_paralel": 2})
    with pytest.raises(aoa.DeniedError):
        aoa.load(PLATFORM).rollout(lambda *a: None, options={"subject": "user:bob"})
    with pytest.raises(TypeError):
        m.rollout()  # type: ignore[call-arg]


def test_the_gil_is_released_while_rust_waits() -> None:
    m = aoa.Manifest.from_apps([{"name": "db"}])
    release = threading.Event()
    ticks: List[int] = []

    def deploy(app: str, version: Optional[str], attempt: int, context: Dict[str, str]) -> None:
        assert release.wait(5), "the main thread never ran: the GIL was held"

    def other() -> None:
        ticks.append(1)
        release.set()

    timer = threading.Timer(0.05, other)
    timer.start()
    assert m.rollout(deploy)["counts"]["succeeded"] == 1 and ticks == [1]
