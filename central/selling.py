"""Holds, sales, cancellation by idempotency key, and refunds."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import timedelta

from central import idempotency
from central.catalog import ShowtimeRow, require_on_sale, showtime
from central.context import CENTRAL_KEY_ID, Context, iso, new_id, parse_iso
from central.errors import ApiError, conflict, invalid, not_found
from central.seats import seat_rows
from central.ticketing import issue_ticket
from contract.discounts import PricingError, price_of
from contract.models import (
    CancelRequest,
    CancelResult,
    Discount,
    Hold,
    HoldRequest,
    OfflineTicket,
    Payment,
    Refund,
    RefundRequest,
    Sale,
    SaleLine,
    SaleRequest,
    Ticket,
)


def check_seats_free(
    conn: sqlite3.Connection,
    ctx: Context,
    st: ShowtimeRow,
    terminal_id: str,
    labels: Sequence[str],
    hold_id: str | None = None,
) -> None:
    """Refuse unknown seats (422) and seats someone else has (409, listing them)."""
    if len(set(labels)) != len(labels):
        raise invalid("DUPLICATE_SEAT", "The same seat appears twice.", {"seats": list(labels)})
    rows = seat_rows(conn, st.id, list(labels))
    unknown = [s for s in labels if s not in rows]
    if unknown:
        raise invalid("UNKNOWN_SEAT", f"No such seat: {', '.join(unknown)}.", {"seats": unknown})
    now = ctx.now()
    taken = {s: why for s in labels if (why := rows[s].blocker(terminal_id, now, hold_id))}
    if taken:
        raise conflict(
            "SEAT_TAKEN",
            f"Seat {', '.join(taken)} was just taken by someone else; pick again.",
            {"seats": sorted(taken), "why": taken},
        )


def check_money(
    st: ShowtimeRow,
    lines: Iterable[SaleLine | OfflineTicket],
    payments: list[Payment],
    discounts: Sequence[Discount],
) -> int:
    """Prices must be the showtime's own, less the line's discount by the cinema's rule (the
    same `contract.discounts` the counter quotes with), and payments must cover the total."""
    total = 0
    for line in lines:
        ticket_type, price = line.ticket_type, line.price
        try:
            expected = price_of(st.prices, ticket_type, line.discount, discounts)
        except PricingError as exc:
            raise invalid(exc.code, exc.message, exc.detail) from exc
        if price != expected:
            raise invalid(
                "PRICE_MISMATCH",
                f"Price of {ticket_type} is {expected} fen, not {price}.",
                {"ticket_type": ticket_type, "expected": expected, "got": price},
            )
        total += price
    paid = sum(p.amount for p in payments)
    if paid != total:
        raise invalid(
            "PAYMENT_MISMATCH",
            f"Payments add up to {paid} fen but the total is {total} fen.",
            {"total": total, "paid": paid},
        )
    return total


def create_hold(ctx: Context, terminal_id: str, key: str, req: HoldRequest) -> Hold:
    fp = idempotency.fingerprint("hold", req.model_dump(mode="json"))
    with ctx.db.write() as conn:
        if (replay := idempotency.lookup(conn, terminal_id, key, "hold", fp)) is not None:
            return Hold.model_validate(replay)
        st = showtime(conn, req.showtime_id)
        require_on_sale(st, ctx.now())
        check_seats_free(conn, ctx, st, terminal_id, req.seats)
        hold = Hold(
            id=new_id("H"),
            showtime_id=st.id,
            seats=req.seats,
            expires_at=ctx.now() + timedelta(seconds=req.ttl_seconds),
        )
        conn.execute(
            "INSERT INTO holds (id, terminal_id, showtime_id, seats, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (hold.id, terminal_id, st.id, json.dumps(hold.seats), iso(hold.expires_at)),
        )
        conn.executemany(
            "UPDATE seats SET hold_id = ?, hold_expires = ? WHERE showtime_id = ? AND label = ?",
            [(hold.id, iso(hold.expires_at), st.id, s) for s in hold.seats],
        )
        idempotency.remember(conn, terminal_id, key, "hold", fp, hold.model_dump(mode="json"))
        return hold


def release_hold(ctx: Context, terminal_id: str, hold_id: str) -> None:
    """Releasing twice, or a hold that expired, is fine: the outcome is the same."""
    with ctx.db.write() as conn:
        row = conn.execute("SELECT terminal_id FROM holds WHERE id = ?", (hold_id,)).fetchone()
        if row is None:
            raise not_found("hold", hold_id)
        if row["terminal_id"] != terminal_id:
            raise ApiError(403, "NOT_YOURS", "This hold belongs to another terminal.")
        conn.execute("UPDATE holds SET released = 1 WHERE id = ?", (hold_id,))
        conn.execute(
            "UPDATE seats SET hold_id = NULL, hold_expires = NULL WHERE hold_id = ?", (hold_id,)
        )


def load_sale(conn: sqlite3.Connection, sale_id: str) -> Sale:
    row = conn.execute("SELECT * FROM sales WHERE id = ?", (sale_id,)).fetchone()
    if row is None:
        raise not_found("sale", sale_id)
    tickets = [
        Ticket(
            id=t["id"],
            seat=t["seat"],
            ticket_type=t["ticket_type"],
            price=t["price"],
            code=t["code"],
            refunded=bool(t["refunded"]),
        )
        for t in conn.execute("SELECT * FROM tickets WHERE sale_id = ? ORDER BY seat", (sale_id,))
    ]
    return Sale(
        id=row["id"],
        idempotency_key=row["idempotency_key"],
        terminal_id=row["terminal_id"],
        showtime_id=row["showtime_id"],
        cashier_id=row["cashier_id"],
        channel=row["channel"],
        total=row["total"],
        payments=json.loads(row["payments"]),
        tickets=tickets,
        created_at=parse_iso(row["created_at"]),
        status=row["status"],
    )


def sale_by_key(conn: sqlite3.Connection, terminal_id: str, key: str) -> str | None:
    row = conn.execute(
        "SELECT id FROM sales WHERE terminal_id = ? AND idempotency_key = ?", (terminal_id, key)
    ).fetchone()
    return row["id"] if row else None


def is_tombstoned(conn: sqlite3.Connection, terminal_id: str, key: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM tombstones WHERE terminal_id = ? AND idempotency_key = ?",
            (terminal_id, key),
        ).fetchone()
        is not None
    )


def commit_sale(ctx: Context, terminal_id: str, key: str, req: SaleRequest) -> Sale:
    fp = idempotency.fingerprint("sale", req.model_dump(mode="json"))
    with ctx.db.write() as conn:
        if (replay := idempotency.lookup(conn, terminal_id, key, "sale", fp)) is not None:
            return load_sale(conn, replay["sale_id"])
        if is_tombstoned(conn, terminal_id, key):
            raise conflict("SALE_CANCELLED", "This sale was cancelled and cannot be committed.")
        st = showtime(conn, req.showtime_id)
        now = ctx.now()
        require_on_sale(st, now)
        if req.hold_id is not None:
            hold = conn.execute(
                "SELECT terminal_id, showtime_id FROM holds WHERE id = ?", (req.hold_id,)
            ).fetchone()
            if hold is None or hold["terminal_id"] != terminal_id or hold["showtime_id"] != st.id:
                raise invalid("UNKNOWN_HOLD", "That hold is not this terminal's for the showtime.")
        check_seats_free(conn, ctx, st, terminal_id, [line.seat for line in req.lines], req.hold_id)
        total = check_money(st, req.lines, req.payments, ctx.cinema.discounts)
        sale_id = new_id("S")
        conn.execute(
            "INSERT INTO sales (id, idempotency_key, terminal_id, showtime_id, cashier_id, channel,"
            " total, payments, created_at, sold_at, status)"
            " VALUES (?, ?, ?, ?, ?, 'counter', ?, ?, ?, ?, 'paid')",
            (
                sale_id,
                key,
                terminal_id,
                st.id,
                req.cashier_id,
                total,
                json.dumps([p.model_dump(mode="json") for p in req.payments]),
                iso(now),
                iso(now),
            ),
        )
        for line in req.lines:
            issue_ticket(
                conn,
                ctx.key,
                CENTRAL_KEY_ID,
                sale_id,
                st.id,
                st.start,
                line.seat,
                line.ticket_type,
                line.price,
                "counter",
            )
        if req.hold_id is not None:
            conn.execute("UPDATE holds SET released = 1 WHERE id = ?", (req.hold_id,))
            conn.execute(
                "UPDATE seats SET hold_id = NULL, hold_expires = NULL WHERE hold_id = ?",
                (req.hold_id,),
            )
        idempotency.remember(conn, terminal_id, key, "sale", fp, {"sale_id": sale_id})
        return load_sale(conn, sale_id)


def void_tickets(conn: sqlite3.Connection, sale_id: str, ticket_ids: Sequence[str]) -> None:
    """Tickets stop being valid and their seats go back on sale to everyone."""
    for ticket_id in ticket_ids:
        row = conn.execute(
            "UPDATE tickets SET refunded = 1 WHERE id = ? AND sale_id = ?"
            " RETURNING showtime_id, seat",
            (ticket_id, sale_id),
        ).fetchone()
        conn.execute(
            "UPDATE seats SET sale_id = NULL WHERE showtime_id = ? AND label = ? AND sale_id = ?",
            (row["showtime_id"], row["seat"], sale_id),
        )


def cancel_sale(ctx: Context, terminal_id: str, key: str, req: CancelRequest) -> CancelResult:
    """Cancel the sale made with a key, or, if none exists, make sure none ever will."""
    fp = idempotency.fingerprint("cancel", req.model_dump(mode="json"))
    with ctx.db.write() as conn:
        if (replay := idempotency.lookup(conn, terminal_id, key, "cancel", fp)) is not None:
            return CancelResult.model_validate(replay)
        conn.execute(
            "INSERT OR IGNORE INTO tombstones (terminal_id, idempotency_key, at) VALUES (?, ?, ?)",
            (terminal_id, req.idempotency_key, iso(ctx.now())),
        )
        sale_id = sale_by_key(conn, terminal_id, req.idempotency_key)
        if sale_id is None:
            result = CancelResult(idempotency_key=req.idempotency_key, outcome="tombstoned")
        else:
            live = [
                r["id"]
                for r in conn.execute(
                    "SELECT id FROM tickets WHERE sale_id = ? AND refunded = 0", (sale_id,)
                )
            ]
            void_tickets(conn, sale_id, live)
            conn.execute("UPDATE sales SET status = 'cancelled' WHERE id = ?", (sale_id,))
            result = CancelResult(
                idempotency_key=req.idempotency_key, outcome="cancelled", sale_id=sale_id
            )
        idempotency.remember(conn, terminal_id, key, "cancel", fp, result.model_dump(mode="json"))
        return result


def refund_sale(
    ctx: Context, terminal_id: str, key: str, sale_id: str, req: RefundRequest
) -> Refund:
    fp = idempotency.fingerprint("refund", [sale_id, req.model_dump(mode="json")])
    with ctx.db.write() as conn:
        if (replay := idempotency.lookup(conn, terminal_id, key, "refund", fp)) is not None:
            return Refund.model_validate(replay)
        sale = load_sale(conn, sale_id)
        if sale.terminal_id not in (terminal_id, None):
            raise ApiError(403, "NOT_YOURS", "This sale was made at another terminal.")
        if sale.status == "cancelled":
            raise conflict("SALE_CANCELLED", "This sale was cancelled; nothing to refund.")
        live = {t.id: t for t in sale.tickets if not t.refunded}
        wanted = req.ticket_ids if req.ticket_ids is not None else list(live)
        if len(set(wanted)) != len(wanted):
            raise invalid("DUPLICATE_TICKET", "The same ticket appears twice.", {"tickets": wanted})
        not_live = [t for t in wanted if t not in live]
        if not_live or not wanted:
            raise conflict(
                "ALREADY_REFUNDED",
                "Some tickets are already refunded or not in this sale.",
                {"tickets": not_live},
            )
        amount = sum(live[t].price for t in wanted)
        void_tickets(conn, sale_id, wanted)
        status = "refunded" if len(wanted) == len(live) else "partly_refunded"
        conn.execute("UPDATE sales SET status = ? WHERE id = ?", (status, sale_id))
        refund = Refund(
            id=new_id("R"),
            sale_id=sale_id,
            ticket_ids=wanted,
            amount=amount,
            created_at=ctx.now(),
        )
        conn.execute(
            "INSERT INTO refunds (id, sale_id, terminal_id, ticket_ids, amount, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (refund.id, sale_id, terminal_id, json.dumps(wanted), amount, iso(refund.created_at)),
        )
        idempotency.remember(conn, terminal_id, key, "refund", fp, refund.model_dump(mode="json"))
        return refund


def get_sale(ctx: Context, terminal_id: str, sale_id: str) -> Sale:
    sale = load_sale(ctx.db.read(), sale_id)
    if sale.terminal_id not in (terminal_id, None):
        raise ApiError(403, "NOT_YOURS", "This sale was made at another terminal.")
    return sale


def sale_for_key(ctx: Context, terminal_id: str, key: str) -> Sale:
    """Lets a terminal learn the outcome of a sale whose answer it never received."""
    conn = ctx.db.read()
    sale_id = sale_by_key(conn, terminal_id, key)
    if sale_id is None:
        raise not_found("sale", key)
    return load_sale(conn, sale_id)
