"""Seat-block leases: seats set aside for one terminal to sell while it cannot reach us.

A lessee gets the seats nobody fights over first (front corners, side blocks), in runs of
neighbours so an offline party can still sit together. Wheelchair spaces, companion seats and
love seats are never leased: they need the full seat map to sell well. VIP seats come last, for
the auditoriums that have nothing else.

How many: a request carrying the terminal's demand is granted what `contract.leasing.
lease_target` allows with everything the central knows (the seats free, the counter allotment,
the other terminals' leases and reported demand); a request without demand is granted as
asked, within the allotment. A lease protects its seats until the showtime's sales close
(`contract.leasing.lease_protects`, applied in central/seats.py).

Recall: when online demand needs seats the counters hold, the central asks terminals for
unsold leased seats back (`recall`). It never takes them: each terminal sees the recalled seats
on its leases, releases those it has not sold through its outbox, and keeps the rest; the
showtime's allotment is lowered so the seats are not leased again.

Rebalance: when a terminal's request finds no free seats left for it while other terminals
hold more than their share by demand (`contract.leasing.rebalance_plan`), the central asks
those terminals for the difference back the same way, marked for the short terminal: a seat
they release goes straight into its lease (`lease_moves`), not back on sale."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import datetime

from central import idempotency
from central.allotment import counter_allotment, ensure_tables
from central.catalog import ShowtimeRow, showtime
from central.context import Context, iso, new_id, parse_iso
from central.errors import ApiError, conflict, invalid, not_found
from central.seats import seat_rows
from contract.leasing import (
    BRACING_HEADROOM,
    HEADROOM,
    RATE_WINDOW,
    Demand,
    expected_seats,
    lease_protects,
    lease_target,
    rebalance_plan,
    recall_plan,
    sales_close,
)
from contract.models import (
    Lease,
    LeaseDemand,
    LeaseRecall,
    LeaseRecallRequest,
    LeaseRelease,
    LeaseRequest,
    SeatKind,
)
from contract.seating import desirability

LEASABLE = (SeatKind.STANDARD, SeatKind.VIP)


def candidates(conn: sqlite3.Connection, ctx: Context, st: ShowtimeRow) -> list[str]:
    """Every seat a lease may take now, in the order leases take them (worst first)."""
    layout = ctx.auditorium(st.auditorium_id)
    now = ctx.now()
    rows = seat_rows(conn, st.id)
    score = desirability(layout)
    free = [s for s in layout.seats if s.kind in LEASABLE and rows[s.label].state(now) == "free"]
    free.sort(key=lambda s: (s.kind == SeatKind.VIP, -score[s.label], s.y, s.x))
    return [s.label for s in free]


def pick_seats(conn: sqlite3.Connection, ctx: Context, st: ShowtimeRow, count: int) -> list[str]:
    return candidates(conn, ctx, st)[:count]


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
    recalled = [
        r["label"]
        for r in conn.execute(
            "SELECT r.label FROM lease_recalls r JOIN seats s"
            " ON s.showtime_id = r.showtime_id AND s.label = r.label"
            " WHERE r.lease_id = ? AND s.lease_id = r.lease_id AND s.sale_id IS NULL"
            " ORDER BY r.label",
            (lease_id,),
        )
    ]
    return Lease(
        id=row["id"],
        showtime_id=row["showtime_id"],
        terminal_id=row["terminal_id"],
        seats=seats,
        created_at=parse_iso(row["created_at"]),
        recalled=recalled,
    )


def _live_lease(conn: sqlite3.Connection, terminal_id: str, showtime_id: str) -> str | None:
    """The terminal's one live (unreleased) lease of the showtime, if it has one."""
    row = conn.execute(
        "SELECT id FROM leases WHERE terminal_id = ? AND showtime_id = ? AND released_at IS NULL",
        (terminal_id, showtime_id),
    ).fetchone()
    return None if row is None else str(row["id"])


def _own_lease(conn: sqlite3.Connection, terminal_id: str, lease_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM leases WHERE id = ?", (lease_id,)).fetchone()
    if row is None:
        raise not_found("lease", lease_id)
    if row["terminal_id"] != terminal_id:
        raise ApiError(403, "NOT_YOURS", "This lease belongs to another terminal.")
    return row


def holdings(conn: sqlite3.Connection, showtime_id: str) -> dict[str, int]:
    """Unsold leased seats of the showtime, by terminal."""
    return dict(
        conn.execute(
            "SELECT lease_terminal, COUNT(*) FROM seats WHERE showtime_id = ?"
            " AND lease_id IS NOT NULL AND sale_id IS NULL GROUP BY lease_terminal",
            (showtime_id,),
        ).fetchall()
    )


def _rates(conn: sqlite3.Connection, showtime_id: str, now: datetime) -> dict[str, float]:
    """Each terminal's rate for the showtime, as last reported within the rate window."""
    return dict(
        conn.execute(
            "SELECT terminal_id, seats_per_hour FROM lease_demand"
            " WHERE showtime_id = ? AND at >= ?",
            (showtime_id, iso(now - RATE_WINDOW)),
        ).fetchall()
    )


def _open_rows(conn: sqlite3.Connection, showtime_id: str) -> list[sqlite3.Row]:
    """Unsold leased seats of the showtime not yet asked back, with their lease and terminal."""
    return conn.execute(
        "SELECT s.label, s.lease_id, s.lease_terminal FROM seats s LEFT JOIN lease_recalls r"
        " ON r.lease_id = s.lease_id AND r.label = s.label"
        " WHERE s.showtime_id = ? AND s.lease_id IS NOT NULL AND s.sale_id IS NULL"
        " AND r.label IS NULL",
        (showtime_id,),
    ).fetchall()


def _incoming(conn: sqlite3.Connection, terminal_id: str, showtime_id: str) -> int:
    """Seats asked back for this terminal and not yet released to it."""
    row = conn.execute(
        "SELECT COUNT(*) FROM lease_moves m JOIN seats s"
        " ON s.showtime_id = m.showtime_id AND s.label = m.label AND s.lease_id = m.lease_id"
        " WHERE m.to_terminal = ? AND m.showtime_id = ? AND s.sale_id IS NULL",
        (terminal_id, showtime_id),
    ).fetchone()
    return int(row[0])


def _ask_back(
    conn: sqlite3.Connection,
    ctx: Context,
    st: ShowtimeRow,
    rows: list[sqlite3.Row],
    plan: dict[str, int],
    now: datetime,
    to_terminal: str | None = None,
) -> int:
    """Mark `plan[t]` of terminal t's open seats (`rows`) as recalled, the best seats first;
    with `to_terminal`, for that terminal's lease. Returns the seats asked back."""
    by_terminal: dict[str, list[sqlite3.Row]] = {}
    for r in rows:
        by_terminal.setdefault(r["lease_terminal"], []).append(r)
    score = desirability(ctx.auditorium(st.auditorium_id))
    chosen: list[tuple[str, str]] = []
    for t, n in plan.items():
        best = sorted(by_terminal[t], key=lambda r: (score[r["label"]], r["label"]))[:n]
        chosen += [(r["lease_id"], r["label"]) for r in best]
    conn.executemany(
        "INSERT INTO lease_recalls (lease_id, label, showtime_id, at) VALUES (?, ?, ?, ?)",
        [(lease_id, label, st.id, iso(now)) for lease_id, label in chosen],
    )
    if to_terminal is not None:
        conn.executemany(
            "INSERT INTO lease_moves (lease_id, label, showtime_id, to_terminal, at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(lease_id, label, st.id, to_terminal, iso(now)) for lease_id, label in chosen],
        )
    return len(chosen)


def _rebalance(
    conn: sqlite3.Connection,
    ctx: Context,
    st: ShowtimeRow,
    terminal_id: str,
    demand: LeaseDemand,
    now: datetime,
    *,
    allotment: int,
    granted: int,
    free: int,
) -> None:
    """A grant came short (`granted` seats, not yet in the lease; `free` more the terminal could
    still lease): ask the terminals over their share by demand for seats back into this
    terminal's lease (`contract.leasing.rebalance_plan`)."""
    rows = _open_rows(conn, st.id)
    held = Counter(r["lease_terminal"] for r in rows)
    held[terminal_id] += granted + _incoming(conn, terminal_id, st.id)
    want = max(
        demand.floor,
        expected_seats(
            Demand(
                seats_per_hour=demand.seats_per_hour,
                until_close=sales_close(st.start) - now,
                free=0,
                allotment=allotment,
                headroom=BRACING_HEADROOM if demand.bracing else HEADROOM,
            )
        ),
    )
    plan = rebalance_plan(
        terminal_id, held, _rates(conn, st.id, now), free=free, allotment=allotment, want=want
    )
    _ask_back(conn, ctx, st, rows, plan, now, to_terminal=terminal_id)


def _pass_on(
    conn: sqlite3.Connection, lease: sqlite3.Row, labels: list[str], now: datetime
) -> None:
    """Released seats of `lease` asked back for another terminal go into its live lease of the
    showtime (while leases still protect seats); the others are back on sale."""
    released = set(labels)
    moves = [
        m
        for m in conn.execute(
            "SELECT label, to_terminal FROM lease_moves WHERE lease_id = ?", (lease["id"],)
        )
        if m["label"] in released
    ]
    if not moves:
        return
    conn.executemany(
        "DELETE FROM lease_moves WHERE lease_id = ? AND label = ?",
        [(lease["id"], m["label"]) for m in moves],
    )
    st = showtime(conn, lease["showtime_id"])
    if not lease_protects(st.start, now):
        return
    for to_terminal in {m["to_terminal"] for m in moves}:
        target = _live_lease(conn, to_terminal, st.id)
        if target is None:
            continue
        conn.executemany(
            "UPDATE seats SET lease_id = ?, lease_terminal = ?"
            " WHERE showtime_id = ? AND label = ? AND lease_id IS NULL AND sale_id IS NULL",
            [(target, to_terminal, st.id, m["label"]) for m in moves
             if m["to_terminal"] == to_terminal],
        )  # fmt: skip


def _remember_demand(
    conn: sqlite3.Connection, terminal_id: str, showtime_id: str, demand: LeaseDemand, now: datetime
) -> None:
    conn.execute(
        "INSERT INTO lease_demand (terminal_id, showtime_id, seats_per_hour, at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (terminal_id, showtime_id) DO UPDATE SET"
        " seats_per_hour = excluded.seats_per_hour, at = excluded.at",
        (terminal_id, showtime_id, demand.seats_per_hour, iso(now)),
    )


def grant(
    conn: sqlite3.Connection,
    ctx: Context,
    st: ShowtimeRow,
    terminal_id: str,
    count: int,
    demand: LeaseDemand | None,
    now: datetime,
) -> list[str]:
    """The seats to add to this terminal's lease: at most `count`, sized by the policy. A
    request with demand that comes short asks the counters over their share for seats back
    into this lease (`_rebalance`)."""
    free = candidates(conn, ctx, st)
    held_by = holdings(conn, st.id)
    held = held_by.get(terminal_id, 0)
    others = sum(n for t, n in held_by.items() if t != terminal_id)
    allotment = counter_allotment(conn, ctx, st)
    if demand is None:
        target = min(held + count, max(0, allotment - others))
    else:
        _remember_demand(conn, terminal_id, st.id, demand, now)
        if demand.available is not None:
            held = min(held, demand.available)
        target = lease_target(
            Demand(
                seats_per_hour=demand.seats_per_hour,
                until_close=sales_close(st.start) - now,
                free=len(free) + held,
                allotment=allotment,
                others_hold=others,
                others_rate=sum(r for t, r in _rates(conn, st.id, now).items() if t != terminal_id),
                floor=demand.floor,
                headroom=BRACING_HEADROOM if demand.bracing else HEADROOM,
            )
        )
    chosen = free[: max(0, min(count, target - held))]
    if demand is not None and len(chosen) < count:
        room = max(0, allotment - sum(held_by.values()) - len(chosen))
        _rebalance(
            conn, ctx, st, terminal_id, demand, now,
            allotment=allotment, granted=len(chosen), free=min(len(free) - len(chosen), room),
        )  # fmt: skip
    return chosen


def _grow(
    conn: sqlite3.Connection,
    ctx: Context,
    st: ShowtimeRow,
    lease_id: str,
    terminal_id: str,
    count: int,
    now: datetime,
    demand: LeaseDemand | None = None,
) -> None:
    if st.started(now):
        raise conflict("SHOWTIME_STARTED", "No leases for a showtime that has started.")
    seats = grant(conn, ctx, st, terminal_id, count, demand, now)
    conn.executemany(
        "UPDATE seats SET lease_id = ?, lease_terminal = ? WHERE showtime_id = ? AND label = ?",
        [(lease_id, terminal_id, st.id, s) for s in seats],
    )


def lease_seats(ctx: Context, terminal_id: str, key: str, req: LeaseRequest) -> Lease:
    """Lease up to `count` more seats; a terminal has one live lease per showtime."""
    ensure_tables(ctx.db)
    fp = idempotency.fingerprint("lease", req.model_dump(mode="json", exclude_none=True))
    with ctx.db.write() as conn:
        if (replay := idempotency.lookup(conn, terminal_id, key, "lease", fp)) is not None:
            return _lease(conn, replay["lease_id"])
        st = showtime(conn, req.showtime_id)
        now = ctx.now()
        lease_id = _live_lease(conn, terminal_id, st.id)
        if lease_id is None:
            lease_id = new_id("L")
            conn.execute(
                "INSERT INTO leases (id, terminal_id, showtime_id, created_at) VALUES (?, ?, ?, ?)",
                (lease_id, terminal_id, st.id, iso(now)),
            )
        _grow(conn, ctx, st, lease_id, terminal_id, req.count, now, req.demand)
        idempotency.remember(conn, terminal_id, key, "lease", fp, {"lease_id": lease_id})
        return _lease(conn, lease_id)


def top_up(ctx: Context, terminal_id: str, key: str, lease_id: str, count: int) -> Lease:
    ensure_tables(ctx.db)
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
    ensure_tables(ctx.db)
    fp = idempotency.fingerprint("release", [lease_id, req.model_dump(mode="json")])
    with ctx.db.write() as conn:
        if (replay := idempotency.lookup(conn, terminal_id, key, "release", fp)) is not None:
            return _lease(conn, replay["lease_id"])
        lease = _own_lease(conn, terminal_id, lease_id)
        now = ctx.now()
        if req.seats is None:
            unsold = _lease(conn, lease_id).seats
            conn.execute(
                "UPDATE seats SET lease_id = NULL, lease_terminal = NULL WHERE lease_id = ?",
                (lease_id,),
            )
            conn.execute("UPDATE leases SET released_at = ? WHERE id = ?", (iso(now), lease_id))
            conn.execute("DELETE FROM lease_recalls WHERE lease_id = ?", (lease_id,))
            _pass_on(conn, lease, unsold, now)
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
            conn.executemany(
                "DELETE FROM lease_recalls WHERE lease_id = ? AND label = ?",
                [(lease_id, s) for s in req.seats],
            )
            _pass_on(conn, lease, req.seats, now)
        idempotency.remember(conn, terminal_id, key, "release", fp, {"lease_id": lease_id})
        return _lease(conn, lease_id)


def list_leases(ctx: Context, terminal_id: str) -> list[Lease]:
    ensure_tables(ctx.db)
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


def recall(
    ctx: Context, terminal_id: str, key: str, showtime_id: str, req: LeaseRecallRequest
) -> LeaseRecall:
    """Ask the counters for up to `count` unsold leased seats back for online sale, from the
    terminals holding the most first, the best seats first; lower the showtime's allotment to
    what the counters keep. Seats already asked back are not asked twice."""
    ensure_tables(ctx.db)
    fp = idempotency.fingerprint("recall", [showtime_id, req.count])
    with ctx.db.write() as conn:
        if (replay := idempotency.lookup(conn, terminal_id, key, "recall", fp)) is not None:
            return LeaseRecall.model_validate(replay)
        st = showtime(conn, showtime_id)
        now = ctx.now()
        # Once the leases protect nothing any more, there is nothing to ask back.
        open_ = _open_rows(conn, st.id) if lease_protects(st.start, now) else []
        plan = recall_plan(Counter(r["lease_terminal"] for r in open_), req.count)
        asked = _ask_back(conn, ctx, st, open_, plan, now)
        lowered = min(counter_allotment(conn, ctx, st), len(open_) - asked)
        conn.execute(
            "INSERT INTO counter_allotment_overrides (showtime_id, seats, at) VALUES (?, ?, ?)"
            " ON CONFLICT (showtime_id) DO UPDATE SET seats = excluded.seats, at = excluded.at",
            (st.id, lowered, iso(now)),
        )
        answer = LeaseRecall(
            showtime_id=st.id,
            requested=req.count,
            recalled=asked,
            terminals=plan,
            counter_allotment=lowered,
        )
        idempotency.remember(conn, terminal_id, key, "recall", fp, answer.model_dump(mode="json"))
        return answer
