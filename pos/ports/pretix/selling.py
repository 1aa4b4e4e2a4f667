"""Holds, sales, cancellations, refunds, offline uploads and the day's figures, on pretix.

A hold is a pretix cart on our channel; a sale is a paid order on our channel that consumes
that cart. Every order carries our idempotency key twice: as `X-Idempotency-Key` (pretix keeps
those 24 h) and, for good, as a keyed hash of it (`mapping.dedupe_prefix`) in the order's
comment, which pretix's order search reads: before an order is created for a key pretix may
have seen, the orders are searched for it, so an upload days later can never sell twice.

Ticket secrets: an online sale's are derived from its key (`mapping.dedupe_secret`); an
offline sale's are the signed codes already printed on its tickets, so pretix's own check-in
admits the paper once the sale is uploaded, and pretix refuses a second order holding them."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from contract.business_day import day_start
from contract.models import (
    CancelResult,
    Channel,
    Difference,
    ErrorBody,
    Hold,
    HoldRequest,
    OfflineBatch,
    OfflineBatchResult,
    OfflineSale,
    OfflineSaleResult,
    Payment,
    ReconciliationAnswer,
    ReconciliationRequest,
    Refund,
    RefundedTickets,
    RefundRequest,
    Sale,
    SaleRequest,
    SyncResult,
    Ticket,
)
from contract.money import decimal_text
from pos.ports.central_client import Conflict, Rejected
from pos.ports.pretix import tombstones
from pos.ports.pretix.leasing import owners
from pos.ports.pretix.mapping import (
    SECRET_MAX,
    dedupe_prefix,
    dedupe_secret,
    fen,
    seat_label,
    subevent_id,
)

if TYPE_CHECKING:
    from pos.ports.pretix.client import PretixClient, SeatRow

WITH_CANCELED = {"include_canceled_positions": "true"}
"""A refunded ticket is a cancelled position, which pretix leaves out unless asked."""


def _conflict(code: str, message: str) -> Conflict:
    return Conflict(409, ErrorBody(code=code, message=message))


def _not_found(what: str) -> Rejected:
    return Rejected(404, ErrorBody(code="NOT_FOUND", message=f"No {what} on pretix."))


async def _seats(client: PretixClient, showtime: str, labels: list[str]) -> list[SeatRow]:
    """The seats named, for their pretix id, guid and product (which never change; their
    states in these rows may be stale)."""
    rows = await client.seat_index(showtime)
    missing = [s for s in labels if s not in rows]
    if missing:
        raise Rejected(
            400, ErrorBody(code="UNKNOWN_SEAT", message=f"No seat {', '.join(missing)} here.")
        )
    return [rows[s] for s in labels]


async def _variation(client: PretixClient, product: int, code: str) -> int:
    cat = await client.catalog()
    found = cat.variation_of.get((product, code))
    if found is None:
        raise Rejected(
            400,
            ErrorBody(code="UNKNOWN_TICKET_TYPE", message=f"No ticket type {code} for that seat."),
        )
    return found


# --- holds ---------------------------------------------------------------------------------


async def hold(
    client: PretixClient, req: HoldRequest, key: str, deadline: float | None = None
) -> Hold:
    """A cart on our channel, all seats or none. The ticket types are not known yet, so each
    position takes the seat's first ticket type; the order that consumes the cart sets them."""
    rows = await _seats(client, req.showtime_id, req.seats)
    cat = await client.catalog()
    hold_id = f"pos{dedupe_prefix(client.config.salt, key)}"
    expires = datetime.now(UTC) + timedelta(seconds=req.ttl_seconds)
    positions = []
    for r in rows:
        variation = min(v for (p, _), v in cat.variation_of.items() if p == r.product)
        positions.append(
            {
                "cart_id": f"{hold_id}@api",
                "item": r.product,
                "variation": variation,
                "price": decimal_text(cat.prices[variation]),
                "subevent": subevent_id(req.showtime_id),
                "seat": r.guid,
                "sales_channel": client.config.channel,
                "expires": expires.isoformat(),
            }
        )
    answer = await client.http.call(
        "POST",
        f"{client.ev}/cartpositions/bulk_create/",
        body=positions,
        key=key,
        deadline=deadline,
    )
    results = answer["results"]
    made = [r["data"]["id"] for r in results if r.get("success")]
    client.holds[hold_id] = made
    if len(made) < len(positions):
        await release_hold(client, hold_id)
        why = next((r.get("errors") for r in results if not r.get("success")), None)
        raise _conflict("SEAT_TAKEN", f"Some of these seats were just taken ({why}).")
    return Hold(id=hold_id, showtime_id=req.showtime_id, seats=req.seats, expires_at=expires)


async def release_hold(client: PretixClient, hold_id: str) -> None:
    ids = client.holds.pop(hold_id, None)
    if ids is None:
        carts = await client.http.all(f"{client.ev}/cartpositions/")
        ids = [c["id"] for c in carts if c["cart_id"] == f"{hold_id}@api"]
    for pid in ids:
        with contextlib.suppress(Rejected):  # expired or consumed already
            await client.http.call("DELETE", f"{client.ev}/cartpositions/{pid}/")


# --- sales ---------------------------------------------------------------------------------


def _meta(client: PretixClient, key: str, **more: object) -> dict[str, Any]:
    return {"pos": {"terminal": client.terminal_id, "key": key, **more}}


async def _positions(
    client: PretixClient,
    showtime: str,
    key: str,
    lines: list[tuple[str, str, int]],
    printed: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Order positions for `lines`. Their secrets are the codes already printed on the
    tickets (`printed`, an offline sale's signed codes: pretix's door then admits that
    paper) when pretix can hold them, else derived from `key`."""
    rows = await _seats(client, showtime, [seat for seat, _, _ in lines])
    secrets = [dedupe_secret(client.config.salt, key, i) for i in range(len(lines))]
    if printed and all(len(code) <= SECRET_MAX for code in printed):
        secrets = list(printed)
    return [
        {
            "item": r.product,
            "variation": await _variation(client, r.product, code),
            "price": decimal_text(price),
            "subevent": subevent_id(showtime),
            "seat": r.guid,
            "secret": secret,
        }
        for r, (_, code, price), secret in zip(rows, lines, secrets, strict=True)
    ]


async def _create_order(
    client: PretixClient,
    key: str,
    positions: list[dict[str, Any]],
    meta: dict[str, Any],
    *,
    carts: list[str],
    force: bool,
    deadline: float | None = None,
) -> dict[str, Any]:
    prefix = dedupe_prefix(client.config.salt, key)
    try:
        return await client.http.call(
            "POST",
            f"{client.ev}/orders/",
            body={
                "status": "p",
                "sales_channel": client.config.channel,
                "payment_provider": "manual",
                "send_email": False,
                "email": None,
                "locale": "zh-hans",
                "positions": positions,
                "consume_carts": carts,
                "force": force,
                # the key's keyed hash, for `_order_for_key`: pretix's order search reads it
                "comment": f"Box Office POS {client.terminal_id} {prefix}",
                "api_meta": meta,
            },
            key=key,
            deadline=deadline,
        )
    except Rejected as exc:
        if exc.status == 400 and "secret" in exc.message:
            raise _conflict(
                "SALE_CANCELLED", "This sale was cancelled before pretix received it."
            ) from exc
        if exc.status == 400:  # pretix's other refusals of an order are about availability
            raise _conflict("SEAT_TAKEN", f"pretix refused the order: {exc.message}") from exc
        raise


async def sell(
    client: PretixClient, req: SaleRequest, key: str, deadline: float | None = None
) -> Sale:
    lines = [(line.seat, line.ticket_type, line.price) for line in req.lines]
    positions = await _positions(client, req.showtime_id, key, lines)
    meta = _meta(
        client,
        key,
        cashier=req.cashier_id,
        payments=[p.model_dump(mode="json") for p in req.payments],
        channel=Channel.COUNTER.value,
    )
    carts = [f"{req.hold_id}@api"] if req.hold_id else []
    order = await _create_order(
        client, key, positions, meta, carts=carts, force=False, deadline=deadline
    )
    if req.hold_id:
        client.holds.pop(req.hold_id, None)
    await _refuse_leased_elsewhere(client, req.showtime_id, order, key)
    return await _sale(client, order)


async def _refuse_leased_elsewhere(
    client: PretixClient, showtime: str, order: dict[str, Any], key: str
) -> None:
    """Our channel may sell blocked seats, so a seat map read just before another terminal
    leased a seat could sell it here. Checked after the order: a lease claimed before it is
    seen now (and the order cancelled), one claimed after it sees the seat sold and gives it
    back."""
    ledger = await owners(client, showtime)
    rows = await client.seat_index(showtime)
    ids = {r.guid: r.id for r in rows.values()}
    taken = [
        p["seat"]["seat_guid"]
        for p in order["positions"]
        if ledger.get(ids.get(p["seat"]["seat_guid"], -1), client.terminal_id) != client.terminal_id
    ]
    if taken:
        await client.http.call(
            "POST",
            f"{client.ev}/orders/{order['code']}/mark_canceled/",
            body={"send_email": False},
            key=f"{key}-leased",
        )
        raise _conflict("SEAT_TAKEN", f"Leased to another counter: {', '.join(taken)}.")


async def _order_for_key(client: PretixClient, key: str) -> dict[str, Any] | None:
    """The order made for idempotency key `key`, whenever it was made: pretix's order search
    finds the key's keyed hash in the order's comment (or, in orders made before the comment
    carried it, at the start of its ticket secrets)."""
    prefix = dedupe_prefix(client.config.salt, key)
    found = await client.http.all(f"{client.ev}/orders/", {"search": prefix, **WITH_CANCELED})
    for order in found:
        if prefix in (order.get("comment") or "").split() or any(
            p["secret"].startswith(prefix) for p in order["positions"]
        ):
            return order
    return None


async def _sale(client: PretixClient, order: dict[str, Any]) -> Sale:
    cat = await client.catalog()
    meta = (order.get("api_meta") or {}).get("pos", {})
    ids = ticket_ids(order)
    refunded = set(meta.get("refunded", []))
    tickets = [
        Ticket(
            id=ids[p["positionid"]],
            seat=seat_label(p["seat"]),
            ticket_type=cat.code_of.get(p["variation"], "adult"),
            price=fen(p["price"]),
            code=p["secret"],
            refunded=ids[p["positionid"]] in refunded,
        )
        for p in order["positions"]
        if p.get("seat")  # every position we make has one; a hand-made one may not
    ]
    return Sale(
        id=order["code"],
        idempotency_key=meta.get("key", order["code"] + "-pretix"),
        terminal_id=meta.get("terminal"),
        showtime_id=f"se{order['positions'][0]['subevent']}",
        cashier_id=meta.get("cashier"),
        channel=Channel(meta.get("channel", Channel.COUNTER.value)),
        total=sum(t.price for t in tickets),
        payments=[Payment.model_validate(p) for p in meta.get("payments", [])],
        tickets=tickets,
        created_at=datetime.fromisoformat(order["datetime"]),
        status="cancelled" if order["status"] == "c" else "paid",
    )


async def refunded_tickets(client: PretixClient, day: date | None = None) -> RefundedTickets:
    """Tickets of the day's showtimes refunded or voided anywhere: positions pretix cancelled
    (a whole order, or one position), and those our refunds mark in the order's metadata."""
    cat = await client.catalog()
    day = day or client.working_day(cat)
    start = day_start(day, cat.zone)
    orders = await client.http.all(
        f"{client.ev}/orders/",
        {
            "subevent_after": start.isoformat(),
            "subevent_before": (start + timedelta(days=1)).isoformat(),
            **WITH_CANCELED,
        },
    )
    found = []
    for order in orders:
        ids = ticket_ids(order)
        refunded = set((order.get("api_meta") or {}).get("pos", {}).get("refunded", []))
        found += [
            ids[p["positionid"]]
            for p in order["positions"]
            if order["status"] == "c" or p.get("canceled") or ids[p["positionid"]] in refunded
        ]
    return RefundedTickets(business_date=day, ticket_ids=sorted(found))


def ticket_ids(order: dict[str, Any]) -> dict[int, str]:
    """positionid → our ticket id: the offline ticket's own id when it was sold offline."""
    offline = (order.get("api_meta") or {}).get("pos", {}).get("tickets")
    positions = sorted(p["positionid"] for p in order["positions"])
    if offline and len(offline) == len(positions):
        return dict(zip(positions, offline, strict=True))
    return {pid: f"{order['code']}-{pid}" for pid in positions}


async def sale_by_key(client: PretixClient, sale_key: str) -> Sale:
    order = await _order_for_key(client, sale_key)
    if order is None:
        raise _not_found(f"sale for key {sale_key}")
    return await _sale(client, order)


async def cancel(client: PretixClient, sale_key: str, key: str) -> CancelResult:
    """The sale's order is cancelled; a sale pretix never saw gets a tombstone, so a late copy
    of its request can never make a live order (`tombstones`)."""
    order = await _order_for_key(client, sale_key)
    if order is None:
        if await tombstones.bury(client, sale_key, key) is not None:
            return CancelResult(idempotency_key=sale_key, outcome="tombstoned")
        order = await _order_for_key(client, sale_key)  # the sale itself got there first
        if order is None:
            raise _not_found(f"order or tombstone for key {sale_key}")
    if tombstones.is_tombstone(order):
        return CancelResult(idempotency_key=sale_key, outcome="tombstoned")
    if order["status"] != "c":
        await client.http.call(
            "POST",
            f"{client.ev}/orders/{order['code']}/mark_canceled/",
            body={"send_email": False},
            key=key,
        )
    return CancelResult(idempotency_key=sale_key, outcome="cancelled", sale_id=order["code"])


async def refund(client: PretixClient, sale_id: str, req: RefundRequest, key: str) -> Refund:
    """Refunded tickets are cancelled positions (the whole order when all are), and listed in
    the order's `api_meta` so a refund is told from a void; repeating one changes nothing."""
    order = await client.http.call("GET", f"{client.ev}/orders/{sale_id}/", params=WITH_CANCELED)
    ids = ticket_ids(order)
    live = {ids[p["positionid"]]: p for p in order["positions"] if not p.get("canceled")}
    if order["status"] == "c":
        live = {}
    wanted = req.ticket_ids if req.ticket_ids is not None else list(live)
    todo = [t for t in wanted if t in live]
    if todo and len(todo) == len(live):
        await client.http.call(
            "POST",
            f"{client.ev}/orders/{sale_id}/mark_canceled/",
            body={"send_email": False},
            key=key,
        )
    else:
        for t in todo:
            await client.http.call(
                "DELETE", f"{client.ev}/orderpositions/{live[t]['id']}/", key=f"{key}-{t}"
            )
    meta = order.get("api_meta") or {}
    pos_meta = meta.get("pos", {})
    done = sorted({*pos_meta.get("refunded", []), *todo})
    await client.http.call(
        "PATCH",
        f"{client.ev}/orders/{sale_id}/",
        body={"api_meta": {**meta, "pos": {**pos_meta, "refunded": done}}},
    )
    prices = {ids[p["positionid"]]: fen(p["price"]) for p in order["positions"]}
    return Refund(
        id=f"{sale_id}-{key[:12]}",
        sale_id=sale_id,
        ticket_ids=list(wanted),
        amount=sum(prices.get(t, 0) for t in wanted),
        created_at=datetime.now(UTC),
    )


# --- offline sales -------------------------------------------------------------------------


async def upload_offline(client: PretixClient, batch: OfflineBatch) -> OfflineBatchResult:
    """Each sale once: found by its secret → duplicate; else an order on our channel, only for
    seats this terminal leases (pretix refuses a seat sold meanwhile → conflict)."""
    results = []
    ledgers: dict[str, dict[int, str]] = {}
    for sale in batch.sales:
        existing = await _order_for_key(client, sale.idempotency_key)
        if existing is not None and tombstones.is_tombstone(existing):
            reason = "cancelled before it reached pretix"
            results.append(_result(sale, SyncResult.CONFLICT, None, reason))
            continue
        if existing is not None:
            results.append(_result(sale, SyncResult.DUPLICATE, existing["code"]))
            continue
        if sale.showtime_id not in ledgers:
            ledgers[sale.showtime_id] = await owners(client, sale.showtime_id)
        rows = await _seats(client, sale.showtime_id, [t.seat for t in sale.tickets])
        strangers = [
            r.label for r in rows if ledgers[sale.showtime_id].get(r.id) != (client.terminal_id)
        ]
        if strangers:
            reason = f"not leased to {client.terminal_id}: {', '.join(strangers)}"
            results.append(_result(sale, SyncResult.CONFLICT, None, reason))
            continue
        results.append(await _upload_one(client, sale))
    return OfflineBatchResult(results=results)


async def _upload_one(client: PretixClient, sale: OfflineSale) -> OfflineSaleResult:
    lines = [(t.seat, t.ticket_type, t.price) for t in sale.tickets]
    printed = [t.code for t in sale.tickets]
    positions = await _positions(client, sale.showtime_id, sale.idempotency_key, lines, printed)
    meta = _meta(
        client,
        sale.idempotency_key,
        cashier=sale.cashier_id,
        payments=[p.model_dump(mode="json") for p in sale.payments],
        channel=Channel.OFFLINE.value,
        sold_at=sale.sold_at.isoformat(),
        lease=sale.lease_id,
        tickets=[t.id for t in sale.tickets],
        codes=[t.code for t in sale.tickets],
    )
    try:
        # force: the sale happened (money taken, seats ours); pretix still refuses a seat
        # that is sold already, whatever force says
        order = await _create_order(
            client, sale.idempotency_key, positions, meta, carts=[], force=True
        )
    except Conflict as exc:
        return _result(sale, SyncResult.CONFLICT, None, exc.message)
    return _result(sale, SyncResult.ACCEPTED, order["code"])


def _result(
    sale: OfflineSale, result: SyncResult, sale_id: str | None, reason: str | None = None
) -> OfflineSaleResult:
    return OfflineSaleResult(
        idempotency_key=sale.idempotency_key, result=result, sale_id=sale_id, reason=reason
    )


# --- end of day ----------------------------------------------------------------------------


async def reconcile(
    client: PretixClient, req: ReconciliationRequest, key: str
) -> ReconciliationAnswer:
    """This terminal's figures as pretix's own orders tell them, and every difference."""
    del key  # nothing is written to pretix
    cat = await client.catalog()
    if req.kind == "shift" and req.opened_at and req.closed_at:
        start, end = req.opened_at, req.closed_at
    else:
        start = datetime.combine(req.business_date, time(6), cat.zone)
        end = start + timedelta(days=1)
    orders = await client.http.all(f"{client.ev}/orders/", {"sales_channel": client.config.channel})
    reported = {line.idempotency_key: line for line in req.sales}
    mine: dict[str, Sale] = {}
    for order in orders:
        meta = (order.get("api_meta") or {}).get("pos", {})
        if meta.get("terminal") != client.terminal_id or meta.get("tombstone"):
            continue
        sold = datetime.fromisoformat(meta.get("sold_at") or order["datetime"])
        if start <= sold < end or meta.get("key") in reported:
            mine[meta["key"]] = await _sale(client, order)
    by_payment: dict[str, int] = {}
    count = gross = refunds = 0
    for sale in mine.values():
        if sale.status == "cancelled" and not any(t.refunded for t in sale.tickets):
            continue
        count += 1
        gross += sale.total
        refunds += sum(t.price for t in sale.tickets if t.refunded)
        for p in sale.payments:
            by_payment[p.method] = by_payment.get(p.method, 0) + p.amount
    return ReconciliationAnswer(
        report_id=req.report_id,
        terminal_id=client.terminal_id,
        central_sales_count=count,
        central_gross=gross,
        central_refunds=refunds,
        central_by_payment=by_payment,
        differences=_differences(mine, reported),
        received_at=datetime.now(UTC),
    )


def _differences(mine: dict[str, Sale], reported: dict[str, Any]) -> list[Difference]:
    found = []
    for key in sorted(set(mine) | set(reported)):
        ours, theirs = mine.get(key), reported.get(key)
        refunded = sum(t.price for t in ours.tickets if t.refunded) if ours else 0
        ours_live = ours is not None and (ours.status != "cancelled" or refunded > 0)
        theirs_live = theirs is not None and theirs.status not in ("cancelled", "voided")
        why = None
        if theirs_live and not ours_live:
            why = "missing on pretix" if ours is None else "cancelled on pretix"
        elif ours_live and not theirs_live:
            why = "missing at the terminal" if theirs is None else "cancelled at the terminal"
        elif ours and theirs and (theirs.total != ours.total or theirs.refunded != refunded):
            why = "amounts differ"
        if why:
            found.append(
                Difference(
                    idempotency_key=key,
                    sale_id=ours.id if ours else theirs.sale_id,
                    terminal_total=(theirs.total - theirs.refunded) if theirs else None,
                    central_total=(ours.total - refunded) if ours else None,
                    why=why,
                )
            )
    return found
