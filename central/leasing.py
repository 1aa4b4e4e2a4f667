"""Seat-block leases: seats set aside for one terminal to sell while it cannot reach us.

A lessee gets the seats nobody fights over first (front corners, side blocks), in runs of
neighbours so an offline party can still sit together. Wheelchair spaces, companion seats and
love seats are never leased: they need the full seat map to sell well. VIP seats come last, for
the auditoriums that have nothing else."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from central import idempotency
from central.catalog import ShowtimeRow, showtime
from central.context import Context, iso, new_id, parse_iso
from central.errors import ApiError, conflict, invalid, not_found
from central.seats import seat_rows
from contract.models import Lease, LeaseRelease, LeaseRequest, SeatKind
from contract.seating import desirability

LEASABLE = (SeatKind.STANDARD, SeatKind.VIP)


def pick_seats(conn: sqlite3.Connection, ctx: Context, st: ShowtimeRow, count: int) -> list[str]:
    layout = ctx.auditorium(st.auditorium_id)
    now = ctx.now()
    started = st.started(now)
    rows = seat_rows(conn, st.id)
    score = desirability(layout)
    candidates = [
        s
        for s in layout.seats
        if s.kind in LEASABLE and rows[s.label].state(now, started) == "free"
    ]
    candidates.sort(key=lambda s: (s.kind == SeatKind.VIP, -score[s.label], s.y, s.x))
    return [s.label for s in candidates[:count]]


def _lease(conn: sqlite3.Connection, lease_id: str) -> Lease:
    row = conn.execute("SELECT * FROM leases WHERE id = ?", (lease_id,)).fetchone()
    if row is None:
        raise not_found("lease", lease_id)
    seats = [
        r["label"]
        for r in conn.execute(
            "SELECT label FROM seats WHERE lease_id = ? AND sale_id IS NULL ORDER BY label",
            (lease_id,),
        )
    ]
    return Lease(
        id=row["id"],
        showtime_id=row["showtime_id"],
        terminal_id=row["terminal_id"],
        seats=seats,
        created_at=parse_iso(row["created_at"]),
    )


def _own_lease(conn: sqlite3.Connection, terminal_id: str, lease_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM leases WHERE id = ?", (lease_id,)).fetchone()
    if row is None:
        raise not_found("lease", lease_id)
    if row["terminal_id"] != terminal_id:
        raise ApiError(403, "NOT_YOURS", "This lease belongs to another terminal.")
    return row


def _grow(
    conn: sqlite3.Connection,
    ctx: Context,
    st: ShowtimeRow,
    lease_id: str,
    terminal_id: str,
    count: int,
    now: datetime,
) -> None:
    if st.started(now):
        raise conflict("SHOWTIME_STARTED", "No leases for a showtime that has started.")
    seats = pick_seats(conn, ctx, st, count)
    conn.executemany(
        "UPDATE seats SET lease_id = ?, lease_terminal = ? WHERE showtime_id = ? AND label = ?",
        [(lease_id, terminal_id, st.id, s) for s in seats],
    )


def lease_seats(ctx: Context, terminal_id: str, key: str, req: LeaseRequest) -> Lease:
    """Lease up to `count` more seats; a terminal has one live lease per showtime."""
    fp = idempotency.fingerprint("lease", req.model_dump(mode="json"))
    with ctx.db.write() as conn:
        if (replay := idempotency.lookup(conn, terminal_id, key, "lease", fp)) is not None:
            return _lease(conn, replay["lease_id"])
        st = showtime(conn, req.showtime_id)
        now = ctx.now()
        row = conn.execute(
            "SELECT id FROM leases WHERE terminal_id = ? AND showtime_id = ?"
            " AND released_at IS NULL",
            (terminal_id, st.id),
        ).fetchone()
        if row is None:
            lease_id = new_id("L")
            conn.execute(
                "INSERT INTO leases (id, terminal_id, showtime_id, created_at) VALUES (?, ?, ?, ?)",
                (lease_id, terminal_id, st.id, iso(now)),
            )
        else:
            lease_id = row["id"]
        _grow(conn, ctx, st, lease_id, terminal_id, req.count, now)
        idempotency.remember(conn, terminal_id, key, "lease", fp, {"lease_id": lease_id})
        return _lease(conn, lease_id)


def top_up(ctx: Context, terminal_id: str, key: str, lease_id: str, count: int) -> Lease:
    fp = idempotency.fingerprint("top_up", [lease_id, count])
    with ctx.db.write() as conn:
        if (replay := idempotency.lookup(conn, terminal_id, key, "top_up", fp)) is not None:
            return _lease(conn, replay["lease_id"])
        row = _own_lease(conn, terminal_id, lease_id)
        if row["released_at"] is not None:
            raise conflict("LEASE_RELEASED", "This lease was released; ask for a new one.")
        _grow(
            conn, ctx, showtime(conn, row["showtime_id"]), lease_id, terminal_id, count, ctx.now()
        )
        idempotency.remember(conn, terminal_id, key, "top_up", fp, {"lease_id": lease_id})
        return _lease(conn, lease_id)


def release(ctx: Context, terminal_id: str, key: str, lease_id: str, req: LeaseRelease) -> Lease:
    """Give seats back. Releasing all of them ends the lease; already-sold seats stay sold."""
    fp = idempotency.fingerprint("release", [lease_id, req.model_dump(mode="json")])
    with ctx.db.write() as conn:
        if (replay := idempotency.lookup(conn, terminal_id, key, "release", fp)) is not None:
            return _lease(conn, replay["lease_id"])
        _own_lease(conn, terminal_id, lease_id)
        if req.seats is None:
            conn.execute(
                "UPDATE seats SET lease_id = NULL, lease_terminal = NULL WHERE lease_id = ?",
                (lease_id,),
            )
            conn.execute(
                "UPDATE leases SET released_at = ? WHERE id = ?", (iso(ctx.now()), lease_id)
            )
        else:
            current = set(_lease(conn, lease_id).seats)
            foreign = [s for s in req.seats if s not in current]
            if foreign:
                raise invalid("NOT_IN_LEASE", "Seats not in this lease.", {"seats": foreign})
            conn.executemany(
                "UPDATE seats SET lease_id = NULL, lease_terminal = NULL"
                " WHERE lease_id = ? AND label = ?",
                [(lease_id, s) for s in req.seats],
            )
        idempotency.remember(conn, terminal_id, key, "release", fp, {"lease_id": lease_id})
        return _lease(conn, lease_id)


def list_leases(ctx: Context, terminal_id: str) -> list[Lease]:
    conn = ctx.db.read()
    ids = [
        r["id"]
        for r in conn.execute(
            "SELECT id FROM leases WHERE terminal_id = ? AND released_at IS NULL"
            " ORDER BY created_at",
            (terminal_id,),
        )
    ]
    return [_lease(conn, i) for i in ids]
