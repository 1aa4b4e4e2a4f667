"""A real pretix for the session, as festivals deploy it: installed once into a virtualenv of its
own (its pinned Django stack stays out of ours), on a PostgreSQL server of its own (a copy of a
template cluster migrated once per version; all kept under ~/.cache/boxoffice-pos), behind
gunicorn with several workers on a free loopback port, seeded with two of tomorrow's
showtimes in auditoriums of 200 seats or more."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pretix_helpers import EVENT, SeededPretix, pretix_python

from central.seeds import load_seeds
from central.server import DEFAULT_SEEDS
from devtools.pretix.devserver import PretixServer
from devtools.pretix.seeding import Api, seed_pretix, soon

MIN_SEATS = 200
"""Every terminal of the session leases seats of every showtime, sized by its demand, and the
web buyers and counters of the concurrency tests sell: room for all of them, with free pairs
left for the TUI test that comes last (two 122-seat houses ran out of them)."""


@pytest.fixture(scope="session")
def pretix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededPretix]:
    server = PretixServer(pretix_python(), tmp_path_factory.mktemp("pretix"), db="postgresql")
    try:
        server.prepare()
        server.start()
        seeds = load_seeds(DEFAULT_SEEDS)
        day = (datetime.now(ZoneInfo(seeds.cinema.timezone)) + timedelta(days=1)).date()
        chosen = soon(seeds, day, datetime.now(UTC), 2, min_seats=MIN_SEATS)
        ids = seed_pretix(
            Api.connect(server.url, server.token, server.organizer, EVENT), seeds, day, chosen
        )
        yield SeededPretix(server, day, {k: f"se{v}" for k, v in ids.items()})
    finally:
        server.close()
        if server.postgres is not None:  # as root it lives outside the session's tmp folder
            shutil.rmtree(server.postgres.place, ignore_errors=True)
