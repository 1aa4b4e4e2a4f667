"""Wrong PINs per staff id, in the store, so a lock holds whoever asks next: the TUI, another
`pos` command, a restarted terminal. Each lock in a row lasts twice as long as the one before
(30 s, 1 min, 2 min, ... up to an hour), so guessing a 4-digit PIN takes days, not minutes; a
right PIN clears the record."""

from __future__ import annotations

from datetime import datetime, timedelta

from offline.store import Store
from offline.values import from_iso, utc_iso

ATTEMPTS = 3
"""Wrong PINs in a row before a lock."""
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(hours=1)


def locked_until(store: Store, staff_id: str, now: datetime) -> datetime | None:
    """When the lock on `staff_id` ends, if it is locked at `now`."""
    row = store.db.execute(
        "SELECT locked_until FROM pin_lockouts WHERE staff_id = ?", [staff_id]
    ).fetchone()
    if row is None or row[0] is None:
        return None
    until = from_iso(row[0])
    return until if now < until else None


def failed(store: Store, staff_id: str, now: datetime) -> datetime | None:
    """Record a wrong PIN; returns when the lock it caused ends (None while attempts remain)."""
    with store.atomic():
        row = store.db.execute(
            "SELECT failures, lockouts FROM pin_lockouts WHERE staff_id = ?", [staff_id]
        ).fetchone()
        failures, lockouts = (row[0], row[1]) if row else (0, 0)
        failures += 1
        until = None
        if failures >= ATTEMPTS:
            until = now + min(FIRST_LOCK * 2**lockouts, LONGEST_LOCK)
            failures, lockouts = 0, lockouts + 1
        store.db.execute(
            "INSERT INTO pin_lockouts (staff_id, failures, lockouts, locked_until)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (staff_id) DO UPDATE SET"
            " failures = excluded.failures, lockouts = excluded.lockouts,"
            " locked_until = coalesce(excluded.locked_until, pin_lockouts.locked_until)",
            [staff_id, failures, lockouts, utc_iso(until) if until else None],
        )
    return until


def succeeded(store: Store, staff_id: str) -> None:
    with store.atomic():
        store.db.execute("DELETE FROM pin_lockouts WHERE staff_id = ?", [staff_id])
