"""End-of-day fixtures: a real central on loopback and one enrolled terminal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from eod_helpers import enroll_home

from central.server import DEFAULT_SEEDS, CentralThread
from pos.home import Home


@pytest.fixture
def central_db(tmp_path: Path) -> Path:
    return tmp_path / "central.db"


@pytest.fixture
def live_central(central_db: Path, business_date: date) -> Iterator[CentralThread]:
    server = CentralThread(central_db, DEFAULT_SEEDS, drill=True, business_date=business_date)
    server.start()
    yield server
    if server.thread.is_alive():
        server.stop()


@pytest.fixture
def home(live_central: CentralThread, tmp_path: Path) -> Home:
    return enroll_home(live_central, tmp_path / "t1")
