"""Online orders of this cinema, picked up at a counter."""

from __future__ import annotations

import sqlite3
from datetime import date

from central import idempotency
from central.catalog import seeded_business_date
from central.context import Context, iso
from central.errors import conflict, not_found
from central.selling import load_sale
from contract.models import Booking, PickupRequest


def _booking(conn: sqlite3.Connection, row: sqlite3.Row) -> Booking:
    sale = load_sale(conn, row["sale_id"])
    return Booking(
        code=row["code"],
        showtime_id=row["showtime_id"],
        customer=row["customer"],
        phone=row["phone"],
        tickets=sale.tickets,
        total=sale.total,
        status=row["status"],
        picked_up_by=row["picked_up_by"],
    )


def list_bookings(ctx: Context, day: date | None) -> list[Booking]:
    conn = ctx.db.read()
    day = day or seeded_business_date(ctx)
    rows = conn.execute(
        "SELECT b.* FROM bookings b JOIN showtimes s ON s.id = b.showtime_id"
        " WHERE s.business_date = ? ORDER BY b.code",
        (day.isoformat(),),
    ).fetchall()
    return [_booking(conn, r) for r in rows]


def get_booking(ctx: Context, code: str) -> Booking:
    conn = ctx.db.read()
    row = conn.execute("SELECT * FROM bookings WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise not_found("booking", code)
    return _booking(conn, row)


def pick_up(ctx: Context, terminal_id: str, key: str, code: str, req: PickupRequest) -> Booking:
    fp = idempotency.fingerprint("pickup", [code, req.model_dump(mode="json")])
    with ctx.db.write() as conn:
        if idempotency.lookup(conn, terminal_id, key, "pickup", fp) is not None:
            return _booking(
                conn, conn.execute("SELECT * FROM bookings WHERE code = ?", (code,)).fetchone()
            )
        row = conn.execute("SELECT * FROM bookings WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise not_found("booking", code)
        if row["status"] == "picked_up":
            raise conflict(
                "ALREADY_PICKED_UP",
                f"Booking {code} was already picked up.",
                {
                    "by": row["picked_up_by"],
                    "terminal": row["picked_up_terminal"],
                    "at": row["picked_up_at"],
                },
            )
        at = req.picked_up_at or ctx.now()
        conn.execute(
            "UPDATE bookings SET status = 'picked_up', picked_up_by = ?, picked_up_terminal = ?,"
            " picked_up_at = ? WHERE code = ?",
            (req.cashier_id, terminal_id, iso(at), code),
        )
        idempotency.remember(conn, terminal_id, key, "pickup", fp, {"code": code})
        return _booking(
            conn, conn.execute("SELECT * FROM bookings WHERE code = ?", (code,)).fetchone()
        )
