"""Fixtures for the reference central's tests; helpers live in centralkit.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from centralkit import SEEDS, EnrolledTerminal, enroll, tomorrow_in_shanghai

from central.server import CentralThread


@pytest.fixture
def terminal2(central: CentralThread) -> Iterator[EnrolledTerminal]:
    t = enroll(central, 1)
    yield t
    t.client.close()


@pytest.fixture(scope="module")
def module_central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralThread]:
    """One central for a whole module (drill off), for tests that only read or use their own
    showtimes; keeps the suite fast."""
    db = tmp_path_factory.mktemp("central") / "central.db"
    with CentralThread(db, SEEDS, drill=False, business_date=tomorrow_in_shanghai()) as server:
        yield server


@pytest.fixture(scope="module")
def module_terminal(module_central: CentralThread) -> Iterator[EnrolledTerminal]:
    t = enroll(module_central, 0)
    yield t
    t.client.close()
