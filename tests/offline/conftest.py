"""Fixtures for the offline store: a real SQLite file in tmp_path and a clock tests can move."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from offline_helpers import FakeClock, make_lease

from contract import models
from offline import leases
from offline.store import Store


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "terminal.db"


@pytest.fixture
def store(store_path: Path, clock: FakeClock) -> Iterator[Store]:
    with Store.open(store_path, clock=clock) as opened:
        yield opened


@pytest.fixture
def leased(store: Store) -> Callable[..., models.Lease]:
    """Put a lease into the store and return it."""

    def put(seats: Sequence[str], **kwargs: str) -> models.Lease:
        lease = make_lease(seats, **kwargs)
        leases.put_lease(store, lease)
        return lease

    return put
