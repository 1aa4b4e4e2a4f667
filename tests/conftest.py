"""Shared fixtures: a real reference central on a free loopback port, seeded from seeds/."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from central.server import CentralThread
from contract.business_day import tomorrow
from contract.ticket_code import Ed25519PrivateKey, new_private_key, public_key_text
from tests.kit import MovableClock

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def tomorrow_in_shanghai() -> date:
    """Tests sell on tomorrow's seeded day so no showtime has started, whatever the hour."""
    return tomorrow(ZoneInfo("Asia/Shanghai"))


@dataclass
class EnrolledTerminal:
    id: str
    token: str
    key: Ed25519PrivateKey
    client: httpx.Client
    central_public_key: str

    def post(self, path: str, body: object, key: str | None = None) -> httpx.Response:
        headers = {"Idempotency-Key": key or uuid.uuid4().hex}
        return self.client.post(path, json=body, headers=headers)


@pytest.fixture
def business_date() -> date:
    return tomorrow_in_shanghai()


@pytest.fixture
def central(tmp_path: Path) -> Iterator[CentralThread]:
    with CentralThread(
        tmp_path / "central.db", SEEDS, drill=True, business_date=tomorrow_in_shanghai()
    ) as server:
        yield server


def enroll(server: CentralThread, index: int = 0) -> EnrolledTerminal:
    info = server.info()["terminals"][index]
    key = new_private_key()
    answer = httpx.post(
        f"{server.url}/v1/enrollments",
        json={"code": info["enrollment_code"], "public_key": public_key_text(key)},
    )
    answer.raise_for_status()
    body = answer.json()
    client = httpx.Client(
        base_url=server.url,
        headers={"Authorization": f"Bearer {body['token']}"},
        timeout=httpx.Timeout(10.0),
    )
    return EnrolledTerminal(
        body["terminal_id"], body["token"], key, client, body["central_public_key"]
    )


@pytest.fixture
def terminal(central: CentralThread) -> Iterator[EnrolledTerminal]:
    t = enroll(central, 0)
    yield t
    t.client.close()


@pytest.fixture
def central_db(tmp_path: Path) -> Path:
    return tmp_path / "central.db"


@pytest.fixture
def live_central(central_db: Path, business_date: date) -> Iterator[CentralThread]:
    """A drill-mode central that a test may stop and start again on the same file and port."""
    server = CentralThread(central_db, SEEDS, drill=True, business_date=business_date)
    server.start()
    yield server
    if server.serving:
        server.stop()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def timed_central(
    tmp_path: Path, clock: MovableClock, business_date: date
) -> Iterator[CentralThread]:
    """A drill-mode central on a clock the test may move; it may be stopped and started."""
    server = CentralThread(
        tmp_path / "central.db", SEEDS, drill=True, business_date=business_date, clock=clock
    )
    server.start()
    yield server
    if server.serving:
        server.stop()
