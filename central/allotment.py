"""The counter allotment of a showtime, and the tables leasing keeps beside the core schema.

The allotment is the cinema's setting (`Cinema.counter_allotment`, seeded from cinema.toml: a
share of the house per showtime, auditorium or cinema); a recall lowers it for one showtime,
so the seats given back for online sale are not leased again at the next top-up.

The tables here belong to leasing alone and are created on first use, so the core schema in
central/db.py stays as it is."""

from __future__ import annotations

import sqlite3
import weakref
from typing import TYPE_CHECKING

from central.db import Database
from contract.leasing import allotment_seats

if TYPE_CHECKING:
    from central.catalog import ShowtimeRow
    from central.context import Context

TABLES = (
    # A recall lowers a showtime's allotment to what the counters kept.
    "CREATE TABLE IF NOT EXISTS counter_allotment_overrides ("
    " showtime_id TEXT PRIMARY KEY, seats INTEGER NOT NULL, at TEXT NOT NULL)",
    # Seats the central asked a terminal to give back; gone once released or sold.
    "CREATE TABLE IF NOT EXISTS lease_recalls ("
    " lease_id TEXT NOT NULL, label TEXT NOT NULL, showtime_id TEXT NOT NULL,"
    " at TEXT NOT NULL, PRIMARY KEY (lease_id, label)) WITHOUT ROWID",
    # Seats asked back from one terminal's lease for another's (a rebalance): on release they
    # go into the receiving terminal's live lease of the showtime instead of back on sale.
    "CREATE TABLE IF NOT EXISTS lease_moves ("
    " lease_id TEXT NOT NULL, label TEXT NOT NULL, showtime_id TEXT NOT NULL,"
    " to_terminal TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (lease_id, label)) WITHOUT ROWID",
    # The demand each terminal last reported with a lease request, per showtime.
    "CREATE TABLE IF NOT EXISTS lease_demand ("
    " terminal_id TEXT NOT NULL, showtime_id TEXT NOT NULL, seats_per_hour REAL NOT NULL,"
    " at TEXT NOT NULL, PRIMARY KEY (terminal_id, showtime_id)) WITHOUT ROWID",
)

_ready: weakref.WeakSet[Database] = weakref.WeakSet()


def ensure_tables(db: Database) -> None:
    """Create leasing's tables once per database object (cheap to repeat: IF NOT EXISTS).
    Call it before opening a write transaction: it may open one of its own."""
    if db in _ready:
        return
    with db.write() as conn:
        for sql in TABLES:
            conn.execute(sql)
    _ready.add(db)


def overrides(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT showtime_id, seats FROM counter_allotment_overrides"))


def counter_allotment(
    conn: sqlite3.Connection, ctx: Context, st: ShowtimeRow, lowered: dict[str, int] | None = None
) -> int:
    """Seats all counters together may hold leased and unsold for the showtime now
    (`ensure_tables` first, outside any write transaction)."""
    if lowered is None:
        lowered = overrides(conn)
    if st.id in lowered:
        return lowered[st.id]
    share = ctx.cinema.counter_allotment.share_for(st.id, st.auditorium_id)
    return allotment_seats(st.capacity, share)
