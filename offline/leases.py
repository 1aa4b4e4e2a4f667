"""Seats the central leased to this terminal, and which of them were sold offline.

Each seat of a showtime has one row: available (ours to sell), sold (sold here, kept for
good), or released (given back; dropped once the central stops listing it). A seat sold here
stays sold whatever the central later says, so it can never be sold twice from this terminal.
Every change is journalled in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from contract import models
from contract.seating import seat_order
from offline import handovers, journal
from offline.errors import SeatNotLeased
from offline.store import Store
from offline.values import from_iso, utc_iso


@dataclass(frozen=True, slots=True)
class LeaseSummary:
    showtime_id: str
    lease_id: str
    leased: int
    """Seats this terminal holds for the showtime: sold + available + released."""
    sold: int
    available: int
    released: int


@dataclass(frozen=True, slots=True)
class LocalLease:
    id: str
    showtime_id: str
    terminal_id: str
    created_at: datetime
    updated_at: datetime
    available: tuple[str, ...]
    sold: tuple[str, ...]
    released: tuple[str, ...]


def _distinct(seats: Iterable[str]) -> list[str]:
    seats = list(seats)
    if len(set(seats)) != len(seats):
        raise ValueError(f"seats must be distinct, got {seats}")
    return seats


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def put_lease(store: Store, lease: models.Lease) -> LocalLease:
    """Record the central's current view of a lease, keeping what happened here.

    Seats the central lists become available unless sold here (they stay sold) or released
    here and not yet confirmed (they stay released). Seats of this lease the central no longer
    lists are dropped, unless sold here. Seats handed from this lease to a peer are never taken
    back: the central lists them until the handover reaches it.
    """
    now = store.now_iso()
    with store.atomic() as db:
        listed = set(lease.seats) - handovers.given_seats(store, lease.id)
        known = db.execute("SELECT showtime_id FROM leases WHERE id = ?", [lease.id]).fetchone()
        if known and known[0] != lease.showtime_id:
            raise ValueError(
                f"lease {lease.id} is for showtime {known[0]}, not {lease.showtime_id}"
            )
        db.execute(
            "INSERT INTO leases (id, showtime_id, terminal_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            " terminal_id = excluded.terminal_id, updated_at = excluded.updated_at",
            [lease.id, lease.showtime_id, lease.terminal_id, utc_iso(lease.created_at), now],
        )
        rows = db.execute(
            "SELECT seat, lease_id, state FROM lease_seats WHERE showtime_id = ?",
            [lease.showtime_id],
        ).fetchall()
        current = {seat: (lease_id, state) for seat, lease_id, state in rows}
        added = sorted((s for s in listed if s not in current), key=seat_order)
        moved = sorted(
            (
                s
                for s in listed
                if s in current and current[s][0] != lease.id and current[s][1] != "sold"
            ),
            key=seat_order,
        )
        dropped = sorted(
            (
                s
                for s, (lease_id, state) in current.items()
                if lease_id == lease.id and state != "sold" and s not in listed
            ),
            key=seat_order,
        )
        db.conn.executemany(
            "INSERT INTO lease_seats (showtime_id, seat, lease_id, state, updated_at)"
            " VALUES (?, ?, ?, 'available', ?)",
            [(lease.showtime_id, s, lease.id, now) for s in added],
        )
        db.conn.executemany(
            "UPDATE lease_seats SET lease_id = ?, state = 'available', sale_id = NULL,"
            " updated_at = ? WHERE showtime_id = ? AND seat = ?",
            [(lease.id, now, lease.showtime_id, s) for s in moved],
        )
        db.conn.executemany(
            "DELETE FROM lease_seats WHERE showtime_id = ? AND seat = ?",
            [(lease.showtime_id, s) for s in dropped],
        )
        if not known or added or moved or dropped:
            journal.append(
                store,
                "lease",
                payload={
                    "lease_id": lease.id,
                    "showtime_id": lease.showtime_id,
                    "added": added + moved,
                    "dropped": dropped,
                },
            )
        found = _lease(store, lease.id)
    assert found is not None
    return found


def available_seats(store: Store, showtime_id: str) -> list[str]:
    """Seats this terminal may sell offline for the showtime, in seat order."""
    rows = store.db.execute(
        "SELECT seat FROM lease_seats WHERE showtime_id = ? AND state = 'available'",
        [showtime_id],
    )
    return sorted((seat for (seat,) in rows), key=seat_order)


def available_by_lease(store: Store, showtime_id: str) -> dict[str, list[str]]:
    """`available_seats` by lease: a sale takes its seats from one lease (its own, or one a
    peer handed over), so the central can tell whose seats they were."""
    by_lease: dict[str, list[str]] = {}
    for seat, lease_id in store.db.execute(
        "SELECT seat, lease_id FROM lease_seats WHERE showtime_id = ? AND state = 'available'",
        [showtime_id],
    ):
        by_lease.setdefault(lease_id, []).append(seat)
    return {k: sorted(v, key=seat_order) for k, v in by_lease.items()}


def take(
    store: Store,
    showtime_id: str,
    seats: Sequence[str],
    *,
    sale_id: str | None = None,
    lease_id: str | None = None,
) -> str:
    """Mark seats sold (for `sale_id`) inside the caller's transaction; returns their lease id.

    All or none: if any seat is not available here, or (with `lease_id`) belongs to another
    lease, SeatNotLeased names those seats and nothing changes.
    """
    with store.atomic():
        chosen, entry = mark_sold(store, showtime_id, seats, sale_id=sale_id, lease_id=lease_id)
        journal.append_all(store, [entry])
    return chosen


def mark_sold(
    store: Store,
    showtime_id: str,
    seats: Sequence[str],
    *,
    sale_id: str | None,
    lease_id: str | None,
) -> tuple[str, journal.Event]:
    """`take` for a caller whose transaction is open and who journals the returned entry with
    its own (one INSERT for all): returns the lease id and the `seats_sold` entry."""
    seats = _distinct(seats)
    if not seats:
        raise ValueError("take needs at least one seat")
    db = store.db
    rows = db.execute(
        f"SELECT seat, lease_id, state FROM lease_seats WHERE showtime_id = ?"
        f" AND seat IN ({_marks(len(seats))})",
        [showtime_id, *seats],
    ).fetchall()
    found = {seat: (lease, state) for seat, lease, state in rows}
    missing = [s for s in seats if s not in found or found[s][1] != "available"]
    if missing:
        raise SeatNotLeased(showtime_id, missing)
    leases_of = {found[s][0] for s in seats}
    chosen = lease_id or sorted(leases_of)[0]
    outside = [s for s in seats if found[s][0] != chosen]
    if outside:
        raise SeatNotLeased(showtime_id, outside, f"not in lease {chosen}")
    db.execute(
        f"UPDATE lease_seats SET state = 'sold', sale_id = ?, updated_at = ?"
        f" WHERE showtime_id = ? AND state = 'available' AND seat IN ({_marks(len(seats))})",
        [sale_id, store.now_iso(), showtime_id, *seats],
    )
    entry = journal.Event(
        "seats_sold",
        {"lease_id": chosen, "showtime_id": showtime_id, "seats": seats},
        sale_id=sale_id,
    )
    return chosen, entry


def release(store: Store, showtime_id: str, seats: Sequence[str] | None = None) -> list[str]:
    """Give back available seats (all of them when `seats` is None); returns those released.

    Sold seats cannot be released (SeatNotLeased). Telling the central is the caller's job,
    through the outbox, in the same transaction.
    """
    with store.atomic() as db:
        if seats is None:
            chosen = available_seats(store, showtime_id)
        else:
            chosen = _distinct(seats)
            rows = db.execute(
                f"SELECT seat FROM lease_seats WHERE showtime_id = ? AND state = 'available'"
                f" AND seat IN ({_marks(len(chosen))})",
                [showtime_id, *chosen],
            )
            free = {seat for (seat,) in rows}
            missing = [s for s in chosen if s not in free]
            if missing:
                raise SeatNotLeased(showtime_id, missing, "not available to release")
        if not chosen:
            return []
        db.execute(
            f"UPDATE lease_seats SET state = 'released', updated_at = ?"
            f" WHERE showtime_id = ? AND seat IN ({_marks(len(chosen))})",
            [store.now_iso(), showtime_id, *chosen],
        )
        journal.append(
            store, "seats_released", payload={"showtime_id": showtime_id, "seats": chosen}
        )
    return chosen


def leases(store: Store) -> list[LeaseSummary]:
    """Seat counts per showtime, with the showtime's most recently updated lease."""
    rows = store.db.execute(
        "SELECT l.showtime_id,"
        " (SELECT id FROM leases WHERE showtime_id = l.showtime_id"
        "  ORDER BY updated_at DESC, id DESC LIMIT 1),"
        " count(s.seat),"
        " coalesce(sum(s.state = 'sold'), 0),"
        " coalesce(sum(s.state = 'available'), 0),"
        " coalesce(sum(s.state = 'released'), 0)"
        " FROM (SELECT DISTINCT showtime_id FROM leases) AS l"
        " LEFT JOIN lease_seats AS s ON s.showtime_id = l.showtime_id"
        " GROUP BY l.showtime_id ORDER BY l.showtime_id"
    )
    return [LeaseSummary(*row) for row in rows]


def lease_for(store: Store, showtime_id: str) -> LocalLease | None:
    """The showtime's most recently updated lease, with its seats by state; None if none."""
    row = store.db.execute(
        "SELECT id FROM leases WHERE showtime_id = ? ORDER BY updated_at DESC, id DESC LIMIT 1",
        [showtime_id],
    ).fetchone()
    return _lease(store, row[0]) if row else None


def _lease(store: Store, lease_id: str) -> LocalLease | None:
    row = store.db.execute(
        "SELECT id, showtime_id, terminal_id, created_at, updated_at FROM leases WHERE id = ?",
        [lease_id],
    ).fetchone()
    if row is None:
        return None
    by_state: dict[str, list[str]] = {"available": [], "sold": [], "released": []}
    for seat, state in store.db.execute(
        "SELECT seat, state FROM lease_seats WHERE lease_id = ?", [lease_id]
    ):
        by_state[state].append(seat)
    ordered = {state: tuple(sorted(s, key=seat_order)) for state, s in by_state.items()}
    return LocalLease(
        id=row[0],
        showtime_id=row[1],
        terminal_id=row[2],
        created_at=from_iso(row[3]),
        updated_at=from_iso(row[4]),
        available=ordered["available"],
        sold=ordered["sold"],
        released=ordered["released"],
    )
