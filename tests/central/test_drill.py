"""Drill mode: the reference central misbehaves on request, the ways a swamped one does, and only
when it was started with drill on."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from centralkit import SEEDS, enroll, error_of, ok, tomorrow_in_shanghai

from central.server import CentralThread


@pytest.fixture(scope="module")
def drill_central(tmp_path_factory) -> Iterator[CentralThread]:
    """One drill-enabled central for the module; each test starts and ends with no faults."""
    db = tmp_path_factory.mktemp("drill") / "central.db"
    with CentralThread(db, SEEDS, drill=True, business_date=tomorrow_in_shanghai()) as server:
        yield server


@pytest.fixture
def central(drill_central: CentralThread) -> Iterator[CentralThread]:
    drill(drill_central, {})
    yield drill_central
    drill(drill_central, {})


@pytest.fixture(scope="module")
def terminal(drill_central: CentralThread) -> Iterator[Any]:
    """Enrolled once for the module: an enrollment code works once."""
    t = enroll(drill_central, 0)
    yield t
    t.client.close()


def drill(central: CentralThread, settings: dict) -> dict:
    return ok(httpx.put(f"{central.url}/v1/drill", json=settings, timeout=5))


def test_error_fault(central, terminal) -> None:
    state = drill(central, {"faults": [{"kind": "error", "path_prefix": "/v1/schedule"}]})
    assert state["faults"][0]["kind"] == "error"
    assert ok(httpx.get(f"{central.url}/v1/drill"))["faults"] == state["faults"]
    error_of(terminal.client.get("/v1/schedule"), 503, "DRILL_ERROR")
    ok(terminal.client.get("/v1/health"))  # outside the prefix
    drill(central, {"faults": [{"kind": "error", "status": 500}]})
    error_of(terminal.client.get("/v1/health"), 500, "DRILL_ERROR")
    drill(central, {})
    ok(terminal.client.get("/v1/schedule"))


def test_malformed_fault(central, terminal) -> None:
    drill(central, {"faults": [{"kind": "malformed"}]})
    resp = terminal.client.get("/v1/health")
    assert resp.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        resp.json()
    drill(central, {})
    assert ok(terminal.client.get("/v1/health"))["status"] == "ok"


def test_hang_fault_times_the_client_out(central, terminal) -> None:
    drill(central, {"faults": [{"kind": "hang", "path_prefix": "/v1/sales"}]})
    started = time.monotonic()
    with pytest.raises(httpx.TimeoutException):
        terminal.client.post(
            "/v1/sales", json={}, headers={"Idempotency-Key": "k" * 10}, timeout=0.5
        )
    assert 0.4 < time.monotonic() - started < 3
    ok(terminal.client.get("/v1/health", timeout=2))  # others still answer
    drill(central, {})
    error_of(terminal.client.post("/v1/sales", json={}, headers={"Idempotency-Key": "k" * 10}), 422)


def test_reset_fault_drops_the_connection(central, terminal) -> None:
    drill(central, {"faults": [{"kind": "reset"}]})
    with pytest.raises(httpx.TransportError):
        terminal.client.get("/v1/health", timeout=2)
    drill(central, {})
    ok(terminal.client.get("/v1/health"))


def test_latency_and_slow_body(central, terminal) -> None:
    def timed() -> tuple[float, dict]:
        started = time.monotonic()
        body = ok(terminal.client.get("/v1/schedule"))
        return time.monotonic() - started, body

    base, plain = timed()
    drill(central, {"faults": [{"kind": "latency", "latency_ms": 400}]})
    slow, body = timed()
    assert slow >= 0.4 and slow > base, (base, slow)
    assert body["version"] == plain["version"]
    drill(central, {"faults": [{"kind": "slow_body", "latency_ms": 400}]})
    trickle, body = timed()
    assert trickle >= 0.3 and body == plain, (base, trickle)
    # A short body trickles in a few pieces with long gaps: a short read timeout gives up.
    with pytest.raises(httpx.ReadTimeout):
        terminal.client.get("/v1/health", timeout=httpx.Timeout(5, read=0.05))
    drill(central, {"faults": [{"kind": "latency", "latency_ms": 400, "probability": 0}]})
    fast, _ = timed()
    assert fast < 0.4


def test_an_outage_starts_and_ends(central, terminal) -> None:
    state = drill(central, {"outage": {"starts_in_s": 0.4, "length_s": 0.8, "kind": "error"}})
    assert state["outage_from"] and state["outage_until"]
    ok(terminal.client.get("/v1/health"))  # not yet
    seen: list[int] = []
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        code = terminal.client.get("/v1/health", timeout=2).status_code
        if not seen or seen[-1] != code:
            seen.append(code)
        if seen[-1] == 200 and 503 in seen:
            break
        time.sleep(0.05)
    assert seen == [200, 503, 200], seen
    # A hang outage is a dead server to a client with a deadline, drill endpoint excepted.
    drill(central, {"outage": {"starts_in_s": 0, "length_s": 30, "kind": "hang"}})
    with pytest.raises(httpx.TimeoutException):
        terminal.client.get("/v1/health", timeout=0.3)
    assert ok(httpx.get(f"{central.url}/v1/drill"))["outage_until"]
    drill(central, {})
    ok(terminal.client.get("/v1/health"))


def test_bad_drill_settings(central) -> None:
    for settings in (
        {"faults": [{"kind": "meteor"}]},
        {"faults": [{"kind": "error", "probability": 2}]},
        {"faults": [{"kind": "error", "status": 200}]},
        {"outage": {"starts_in_s": -1, "length_s": 1}},
        {"outage": {"starts_in_s": 0, "length_s": 0}},
        {"surprise": True},
    ):
        error_of(httpx.put(f"{central.url}/v1/drill", json=settings), 422, "INVALID_REQUEST")


def test_drill_is_off_unless_asked_for(tmp_path) -> None:
    with CentralThread(
        tmp_path / "central.db", SEEDS, drill=False, business_date=tomorrow_in_shanghai()
    ) as server:
        error_of(httpx.put(f"{server.url}/v1/drill", json={}), 403, "DRILL_DISABLED")
        resp = httpx.put(f"{server.url}/v1/drill", json={"faults": [{"kind": "error"}]})
        error_of(resp, 403, "DRILL_DISABLED")
        error_of(httpx.get(f"{server.url}/v1/drill"), 403, "DRILL_DISABLED")
        assert ok(httpx.get(f"{server.url}/v1/health"))["status"] == "ok"
