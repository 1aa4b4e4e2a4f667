"""End-of-day fixtures: a real central on loopback and one enrolled terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from central.server import CentralThread
from pos.counter.home import Home
from tests.kit import enroll_home


@pytest.fixture
def home(live_central: CentralThread, tmp_path: Path) -> Home:
    return enroll_home(live_central, tmp_path / "t1", shifts=(), lease_seats=4)
