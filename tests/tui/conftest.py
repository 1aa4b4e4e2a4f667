"""TUI fixtures: a real reference central on loopback and a terminal enrolled into tmp_path
with a `file://` printer, so every flow runs the real counter, store and print queue."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from central.server import CentralThread
from pos.counter.connectivity import Breaker
from pos.counter.enrollment import enroll
from pos.counter.home import Home
from pos.counter.service import Counter
from pos.tui.app import PosApp
from tests.conftest import SEEDS, tomorrow_in_shanghai

SNAPSHOT_DAY = date(2031, 6, 11)
SNAPSHOT_NOW = datetime(2031, 6, 11, 0, 30, tzinfo=UTC)
"""08:30 in Shanghai on the snapshot day: before the first showtime, so everything is on sale."""


@dataclass
class Terminal:
    central: CentralThread
    home: Home
    tickets: Path

    def app(self, *, language: str | None = None, offline: bool = False, **options) -> PosApp:
        breaker = Breaker()
        if offline:
            breaker.trip()
        clock = options.pop("clock", None)
        counter = Counter(self.home, breaker=breaker, **({"clock": clock} if clock else {}))
        if language:
            counter.settings.language = language
        options.setdefault("background", False)
        return PosApp(counter, **options)


def start_terminal(folder: Path, day: date) -> Terminal:
    central = CentralThread(folder / "central.db", SEEDS, drill=True, business_date=day).start()
    home = Home(folder / "home")
    tickets = folder / "tickets.bin"
    code = central.info()["terminals"][0]["enrollment_code"]
    asyncio.run(enroll(home, central.url, code, printer=tickets.as_uri()))
    return Terminal(central, home, tickets)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """A fresh central and terminal per test: flows sell, refund and pick up."""
    found = start_terminal(tmp_path, tomorrow_in_shanghai())
    yield found
    found.central.stop()


@pytest.fixture(scope="module")
def snapshot_terminal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Terminal]:
    """One central and terminal for every snapshot: a fixed day, and nothing sold."""
    found = start_terminal(tmp_path_factory.mktemp("snap"), SNAPSHOT_DAY)
    yield found
    found.central.stop()
