"""A central file made before a column was added gets it when the central starts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from central.db import Database


def test_a_bookings_table_without_phones_gets_the_column(tmp_path: Path) -> None:
    path = tmp_path / "central.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE bookings (code TEXT PRIMARY KEY, showtime_id TEXT NOT NULL,"
            " customer TEXT NOT NULL, sale_id TEXT NOT NULL, status TEXT NOT NULL,"
            " picked_up_by TEXT, picked_up_terminal TEXT, picked_up_at TEXT)"
        )
        conn.execute(
            "INSERT INTO bookings VALUES ('ABC123', 'st-1', '王', 'S1', 'paid', NULL, NULL, NULL)"
        )
    db = Database(path)
    row = db.read().execute("SELECT customer, phone FROM bookings").fetchone()
    assert tuple(row) == ("王", None), "kept, with no phone"
    Database(path)  # a second start finds the column there
