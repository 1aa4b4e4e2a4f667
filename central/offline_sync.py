"""Intake of sales a terminal made while it could not reach us.

Each sale is judged on its own: accepted, a duplicate of one already taken (same idempotency
key), or a conflict with the reason. A conflict never blocks the sales after it in the batch."""

from __future__ import annotations

import json
import sqlite3

from central.catalog import showtime
from central.context import Context, iso, new_id
from central.errors import ApiError
from central.seats import seat_rows
from central.selling import check_money, is_tombstoned, sale_by_key
from central.ticketing import insert_ticket
from contract.models import (
    OfflineBatch,
    OfflineBatchResult,
    OfflineSale,
    OfflineSaleResult,
    SyncResult,
)
from contract.ticket_code import (
    Ed25519PublicKey,
    Verdict,
    check_ticket_code,
    offline_sale_signing_bytes,
    public_key_from_text,
)
from contract.ticket_code import b64d as _b64d


class Refused(Exception):
    """A sale that cannot be taken, with the reason the terminal will show IT."""


def _judge(
    conn: sqlite3.Connection,
    ctx: Context,
    terminal_id: str,
    key: Ed25519PublicKey,
    sale: OfflineSale,
) -> str:
    try:
        key.verify(_b64d(sale.signature), offline_sale_signing_bytes(sale.model_dump(mode="json")))
    except Exception as exc:
        raise Refused("signature does not verify with this terminal's key") from exc
    if is_tombstoned(conn, terminal_id, sale.idempotency_key):
        raise Refused("the terminal cancelled this sale")
    lease = conn.execute(
        "SELECT terminal_id, showtime_id FROM leases WHERE id = ?", (sale.lease_id,)
    ).fetchone()
    if lease is None or lease["terminal_id"] != terminal_id:
        raise Refused(f"lease {sale.lease_id} is not this terminal's")
    if lease["showtime_id"] != sale.showtime_id:
        raise Refused("lease is for another showtime")
    try:
        st = showtime(conn, sale.showtime_id)
        check_money(st, ((t.ticket_type, t.price) for t in sale.tickets), sale.payments)
    except ApiError as exc:
        raise Refused(exc.message) from exc
    keys = {terminal_id: key}
    for ticket in sale.tickets:
        check = check_ticket_code(ticket.code, keys)
        claim = check.claim
        if check.verdict != Verdict.VALID or claim is None:
            raise Refused(f"ticket {ticket.id}: {check.reason}")
        if (claim.ticket_id, claim.seat, claim.showtime_id) != (
            ticket.id,
            ticket.seat,
            sale.showtime_id,
        ):
            raise Refused(f"ticket {ticket.id}: code does not match the ticket")
    labels = [t.seat for t in sale.tickets]
    rows = seat_rows(conn, st.id, labels)
    now = ctx.now()
    for label in labels:
        row = rows.get(label)
        if row is None:
            raise Refused(f"no seat {label}")
        if row.sale_id is not None:
            raise Refused(f"seat {label} is already sold")
        if row.lease_id != sale.lease_id:
            # Only seats of the sale's own lease: a seat never leased (a wheelchair space, a
            # seat the terminal had no right to) is refused even when it happens to be free.
            raise Refused(f"seat {label} is not in lease {sale.lease_id}")
    total = sum(t.price for t in sale.tickets)
    sale_id = new_id("S")
    conn.execute(
        "INSERT INTO sales (id, idempotency_key, terminal_id, showtime_id, cashier_id, channel,"
        " total, payments, created_at, sold_at, status, lease_id)"
        " VALUES (?, ?, ?, ?, ?, 'offline', ?, ?, ?, ?, 'paid', ?)",
        (
            sale_id,
            sale.idempotency_key,
            terminal_id,
            st.id,
            sale.cashier_id,
            total,
            json.dumps([p.model_dump(mode="json") for p in sale.payments]),
            iso(now),
            iso(sale.sold_at),
            sale.lease_id,
        ),
    )
    for t in sale.tickets:
        insert_ticket(conn, t.id, sale_id, st.id, t.seat, t.ticket_type, t.price, t.code)
    return sale_id


def upload(ctx: Context, terminal_id: str, batch: OfflineBatch) -> OfflineBatchResult:
    """Idempotent by each sale's own key, so the batch needs no key of its own."""
    results: list[OfflineSaleResult] = []
    with ctx.db.write() as conn:
        key = public_key_from_text(
            conn.execute(
                "SELECT public_key FROM terminals WHERE id = ?", (terminal_id,)
            ).fetchone()["public_key"]
        )
        for sale in batch.sales:
            existing = sale_by_key(conn, terminal_id, sale.idempotency_key)
            if existing is not None:
                results.append(
                    OfflineSaleResult(
                        idempotency_key=sale.idempotency_key,
                        result=SyncResult.DUPLICATE,
                        sale_id=existing,
                    )
                )
                continue
            conn.execute("SAVEPOINT one_sale")
            try:
                sale_id = _judge(conn, ctx, terminal_id, key, sale)
            except (Refused, sqlite3.IntegrityError) as exc:
                conn.execute("ROLLBACK TO one_sale")
                conn.execute("RELEASE one_sale")
                results.append(
                    OfflineSaleResult(
                        idempotency_key=sale.idempotency_key,
                        result=SyncResult.CONFLICT,
                        reason=str(exc),
                    )
                )
                continue
            conn.execute("RELEASE one_sale")
            results.append(
                OfflineSaleResult(
                    idempotency_key=sale.idempotency_key,
                    result=SyncResult.ACCEPTED,
                    sale_id=sale_id,
                )
            )
    return OfflineBatchResult(results=results)
