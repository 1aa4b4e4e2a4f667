"""Read-only views: the schedule of a business day, seat maps, staff, public keys."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from central import allotment
from central.context import CENTRAL_KEY_ID, Context, iso, parse_iso
from central.errors import ApiError, not_found
from central.seats import seat_rows
from contract.leasing import earliest_protected_start, may_sell
from contract.models import (
    AuditoriumSummary,
    Film,
    KeyRing,
    PublicKey,
    RefundedTickets,
    Schedule,
    SeatMap,
    SeatStatus,
    Showtime,
    StaffMember,
    TicketType,
)
from contract.ticket_code import public_key_text


@dataclass(frozen=True, slots=True)
class ShowtimeRow:
    id: str
    film_id: str
    auditorium_id: str
    start: datetime
    end: datetime
    business_date: date
    festival: bool
    prices: dict[str, int]
    capacity: int

    def started(self, now: datetime) -> bool:
        return now >= self.start

    def on_sale(self, now: datetime) -> bool:
        return may_sell(self.start, now)


def _showtime_row(row: sqlite3.Row) -> ShowtimeRow:
    return ShowtimeRow(
        id=row["id"],
        film_id=row["film_id"],
        auditorium_id=row["auditorium_id"],
        start=parse_iso(row["start"]),
        end=parse_iso(row["end"]),
        business_date=date.fromisoformat(row["business_date"]),
        festival=bool(row["festival"]),
        prices=json.loads(row["prices"]),
        capacity=row["capacity"],
    )


def showtime(conn: sqlite3.Connection, showtime_id: str) -> ShowtimeRow:
    row = conn.execute("SELECT * FROM showtimes WHERE id = ?", (showtime_id,)).fetchone()
    if row is None:
        raise not_found("showtime", showtime_id)
    return _showtime_row(row)


def seeded_business_date(ctx: Context) -> date:
    row = ctx.db.read().execute("SELECT value FROM meta WHERE key = 'business_date'").fetchone()
    return date.fromisoformat(row["value"])


def schedule(ctx: Context, day: date | None) -> Schedule:
    allotment.ensure_tables(ctx.db)
    conn = ctx.db.read()
    day = day or seeded_business_date(ctx)
    moment = ctx.now()
    now = iso(moment)
    lowered = allotment.overrides(conn)
    rows = conn.execute(
        "SELECT * FROM showtimes WHERE business_date = ? ORDER BY start, id", (day.isoformat(),)
    ).fetchall()
    taken = dict(
        conn.execute(
            "SELECT s.showtime_id, COUNT(*) FROM seats s JOIN showtimes t ON t.id = s.showtime_id"
            " WHERE t.business_date = ? AND (s.sale_id IS NOT NULL"
            " OR (s.hold_id IS NOT NULL AND s.hold_expires > ?)"
            " OR (s.lease_id IS NOT NULL AND t.start > ?))"
            " GROUP BY s.showtime_id",
            (day.isoformat(), now, iso(earliest_protected_start(moment))),
        ).fetchall()
    )
    showtimes = [
        Showtime(
            id=st.id,
            film_id=st.film_id,
            auditorium_id=st.auditorium_id,
            start=st.start,
            end=st.end,
            business_date=st.business_date,
            prices=st.prices,
            festival=st.festival,
            capacity=st.capacity,
            free=st.capacity - taken.get(st.id, 0),
            counter_allotment=allotment.counter_allotment(conn, ctx, st, lowered),
        )
        for st in map(_showtime_row, rows)
    ]
    films = [Film.model_validate_json(r["body"]) for r in conn.execute("SELECT body FROM films")]
    auditoriums = [
        AuditoriumSummary(id=a.id, name=a.name, name_en=a.name_en, capacity=len(a.seats))
        for a in (ctx.auditorium(r["id"]) for r in conn.execute("SELECT id FROM auditoriums"))
    ]
    types = [
        TicketType(code=r["code"], name=r["name"], name_en=r["name_en"])
        for r in conn.execute("SELECT * FROM ticket_types ORDER BY position")
    ]
    body = {
        "business_date": day,
        "cinema": ctx.cinema,
        "films": films,
        "auditoriums": auditoriums,
        "ticket_types": types,
        "showtimes": showtimes,
    }
    digest = hashlib.sha256(
        json.dumps(
            [s.model_dump(mode="json") for s in showtimes], sort_keys=True, separators=(",", ":")
        ).encode()
    ).hexdigest()[:20]
    return Schedule(version=digest, **body)


def seat_map(ctx: Context, showtime_id: str) -> SeatMap:
    conn = ctx.db.read()
    st = showtime(conn, showtime_id)
    now = ctx.now()
    rows = seat_rows(conn, showtime_id)
    layout = ctx.auditorium(st.auditorium_id)
    statuses = []
    for seat in layout.seats:
        row = rows[seat.label]
        state = row.state(now)
        statuses.append(
            SeatStatus(
                label=seat.label,
                state=state,
                leased_to=row.lease_terminal if state == "leased" else None,
            )
        )
    return SeatMap(showtime_id=showtime_id, auditorium=layout, seats=statuses)


def staff(ctx: Context) -> list[StaffMember]:
    return [
        StaffMember(**dict(r))
        for r in ctx.db.read().execute("SELECT id, name, role, pin_hash FROM staff ORDER BY id")
    ]


def refunded_tickets(ctx: Context, day: date | None) -> RefundedTickets:
    day = day or seeded_business_date(ctx)
    rows = (
        ctx.db.read()
        .execute(
            "SELECT t.id FROM tickets t JOIN showtimes s ON s.id = t.showtime_id"
            " WHERE t.refunded = 1 AND s.business_date = ? ORDER BY t.id",
            (day.isoformat(),),
        )
        .fetchall()
    )
    return RefundedTickets(business_date=day, ticket_ids=[r[0] for r in rows])


def key_ring(ctx: Context) -> KeyRing:
    keys = [PublicKey(key_id=CENTRAL_KEY_ID, public_key=public_key_text(ctx.key))]
    keys += [
        PublicKey(key_id=r["key_id"], public_key=r["public_key"])
        for r in ctx.db.read().execute(
            "SELECT key_id, public_key FROM terminal_keys ORDER BY terminal_id, added_at"
        )
    ]
    return KeyRing(keys=keys)


def require_on_sale(st: ShowtimeRow, now: datetime) -> None:
    if not st.on_sale(now):
        raise ApiError(
            409, "SHOWTIME_CLOSED", "Sales for this showtime have closed.", {"showtime": st.id}
        )
