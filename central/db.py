"""The central's SQLite database: schema, one connection per thread, write transactions.

Seat-state changes happen inside `BEGIN IMMEDIATE` transactions, so SQLite itself serialises
every writer: that, not an application lock, is what makes "no seat sold twice" hold.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS terminals (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, enrollment_code TEXT NOT NULL UNIQUE,
    token_hash TEXT UNIQUE, public_key TEXT, enrolled_at TEXT, code_used_at TEXT, key_id TEXT);
CREATE TABLE IF NOT EXISTS terminal_keys (
    key_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL REFERENCES terminals(id),
    public_key TEXT NOT NULL, added_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS staff (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, pin_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ticket_types (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, name_en TEXT NOT NULL, position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS films (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS auditoriums (id TEXT PRIMARY KEY, body TEXT NOT NULL,
    capacity INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS showtimes (
    id TEXT PRIMARY KEY, film_id TEXT NOT NULL REFERENCES films(id),
    auditorium_id TEXT NOT NULL REFERENCES auditoriums(id),
    start TEXT NOT NULL, end TEXT NOT NULL, business_date TEXT NOT NULL,
    festival INTEGER NOT NULL, prices TEXT NOT NULL, capacity INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS showtimes_by_date ON showtimes(business_date, start);
CREATE TABLE IF NOT EXISTS seats (
    showtime_id TEXT NOT NULL REFERENCES showtimes(id), label TEXT NOT NULL,
    sale_id TEXT, hold_id TEXT, hold_expires TEXT, lease_id TEXT, lease_terminal TEXT,
    PRIMARY KEY (showtime_id, label)) WITHOUT ROWID;
-- Committing or releasing a hold frees its seats by hold id, not by scanning every seat.
CREATE INDEX IF NOT EXISTS seats_by_hold ON seats(hold_id) WHERE hold_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS holds (
    id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, showtime_id TEXT NOT NULL,
    seats TEXT NOT NULL, expires_at TEXT NOT NULL, released INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sales (
    id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL, terminal_id TEXT,
    showtime_id TEXT NOT NULL, cashier_id TEXT, channel TEXT NOT NULL, total INTEGER NOT NULL,
    payments TEXT NOT NULL, created_at TEXT NOT NULL, sold_at TEXT NOT NULL,
    status TEXT NOT NULL, lease_id TEXT,
    UNIQUE (terminal_id, idempotency_key));
CREATE INDEX IF NOT EXISTS sales_by_terminal ON sales(terminal_id, sold_at);
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY, sale_id TEXT NOT NULL REFERENCES sales(id),
    showtime_id TEXT NOT NULL, seat TEXT NOT NULL, ticket_type TEXT NOT NULL,
    price INTEGER NOT NULL, code TEXT NOT NULL, refunded INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX IF NOT EXISTS one_live_ticket_per_seat
    ON tickets(showtime_id, seat) WHERE refunded = 0;
-- A sale is read back (answer, replay, refund, cancel) with its tickets, by sale id.
CREATE INDEX IF NOT EXISTS tickets_by_sale ON tickets(sale_id);
CREATE TABLE IF NOT EXISTS refunds (
    id TEXT PRIMARY KEY, sale_id TEXT NOT NULL REFERENCES sales(id), terminal_id TEXT,
    ticket_ids TEXT NOT NULL, amount INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tombstones (
    terminal_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (terminal_id, idempotency_key));
CREATE TABLE IF NOT EXISTS idempotency (
    terminal_id TEXT NOT NULL, key TEXT NOT NULL, operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (terminal_id, key));
CREATE TABLE IF NOT EXISTS leases (
    id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, showtime_id TEXT NOT NULL,
    created_at TEXT NOT NULL, released_at TEXT);
-- Seats one counter handed to another while the central was away (central/handovers.py).
CREATE TABLE IF NOT EXISTS handovers (
    id TEXT PRIMARY KEY, giver_id TEXT NOT NULL, receiver_id TEXT NOT NULL,
    showtime_id TEXT NOT NULL, lease_id TEXT NOT NULL, document TEXT NOT NULL,
    result TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bookings (
    code TEXT PRIMARY KEY, showtime_id TEXT NOT NULL, customer TEXT NOT NULL,
    sale_id TEXT NOT NULL REFERENCES sales(id), status TEXT NOT NULL,
    picked_up_by TEXT, picked_up_terminal TEXT, picked_up_at TEXT, phone TEXT);
CREATE TABLE IF NOT EXISTS reconciliations (
    terminal_id TEXT NOT NULL, report_id TEXT NOT NULL, request TEXT NOT NULL,
    answer TEXT NOT NULL, PRIMARY KEY (terminal_id, report_id));
"""


ADDED_COLUMNS = (("bookings", "phone", "TEXT"),)
"""Columns added after a table first shipped: a central file made before gets them at start."""


def _add_columns(conn: sqlite3.Connection) -> None:
    for table, column, kind in ADDED_COLUMNS:
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


class Database:
    """Hands each thread its own connection to one file; SQLite connections are not shareable."""

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()
        self._writer = threading.Lock()
        conn = self.connection()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)
        _add_columns(conn)

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One serialised write transaction; rolled back whole on any exception.

        Writers of this process queue on a lock before `BEGIN IMMEDIATE`: SQLite still does
        the serialising, but a writer no longer sleeps through busy-timeout back-off while
        another holds the lock, which more than halves the time of a rush of sales."""
        conn = self.connection()
        with self._writer:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def read(self) -> sqlite3.Connection:
        return self.connection()
