"""Bookings to pick up: paid web-shop orders of the business day, found by their order code.

A pickup is recorded as pretix print logs ("ticket printed by the box office"), which pretix
shows in the order and which the next terminal reads: a second pickup is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from contract.business_day import day_start
from contract.models import Booking, ErrorBody, PickupRequest, Ticket
from pos.ports.central_client import Conflict, Rejected
from pos.ports.pretix.mapping import fen, seat_label, showtime_id

if TYPE_CHECKING:
    from pos.ports.pretix.client import PretixClient

WEB = "web"
SOURCE = "boxoffice-pos"


def _pickup(order: dict[str, Any]) -> dict[str, Any] | None:
    for p in order["positions"]:
        for log in p.get("print_logs", []):
            if log.get("source") == SOURCE and log.get("type") == "ticket":
                return log.get("info") or {}
    return None


async def _booking(client: PretixClient, order: dict[str, Any]) -> Booking:
    cat = await client.catalog()
    live = [p for p in order["positions"] if not p.get("canceled")]
    picked = _pickup(order)
    customer = next((p["attendee_name"] for p in live if p.get("attendee_name")), None)
    return Booking(
        code=order["code"],
        showtime_id=showtime_id(live[0]["subevent"]),
        customer=customer or order.get("email") or "",
        tickets=[
            Ticket(
                id=f"{order['code']}-{p['positionid']}",
                seat=seat_label(p["seat"]),
                ticket_type=cat.code_of.get(p["variation"], "adult"),
                price=fen(p["price"]),
                code=p["secret"],
            )
            for p in live
            if p.get("seat")
        ],
        total=fen(order["total"]),
        status="picked_up" if picked is not None else "paid",
        picked_up_by=(picked or {}).get("cashier"),
    )


async def bookings(client: PretixClient, day: date | None = None) -> list[Booking]:
    cat = await client.catalog()
    day = day or client.working_day(cat)
    start = day_start(day, cat.zone)
    orders = await client.http.all(
        f"{client.ev}/orders/",
        {
            "sales_channel": WEB,
            "status": "p",
            "subevent_after": start.isoformat(),
            "subevent_before": (start + timedelta(days=1)).isoformat(),
        },
    )
    return [await _booking(client, o) for o in orders if any(p.get("seat") for p in o["positions"])]


async def pick_up(client: PretixClient, code: str, req: PickupRequest, key: str) -> Booking:
    try:
        order = await client.http.call("GET", f"{client.ev}/orders/{code}/")
    except Rejected as exc:
        if exc.status == 404:
            raise Rejected(
                404, ErrorBody(code="UNKNOWN_BOOKING", message=f"No booking {code!r}.")
            ) from exc
        raise
    if order["status"] != "p" or order["sales_channel"] != WEB:
        raise Rejected(
            400, ErrorBody(code="NOT_A_BOOKING", message=f"{code} is not a paid online order.")
        )
    picked = _pickup(order)
    if picked is not None and picked.get("key") != key:
        raise Conflict(
            409,
            ErrorBody(
                code="ALREADY_PICKED_UP",
                message=f"Booking {code} was already picked up by {picked.get('cashier')}.",
            ),
        )
    if picked is None:
        when = (req.picked_up_at or datetime.now(UTC)).isoformat()
        for p in order["positions"]:
            if p.get("canceled"):
                continue
            await client.http.call(
                "POST",
                f"{client.ev}/orderpositions/{p['id']}/printlog/",
                body={
                    "type": "ticket",
                    "source": SOURCE,
                    "datetime": when,
                    "info": {
                        "key": key,
                        "cashier": req.cashier_id,
                        "terminal": client.terminal_id,
                    },
                },
                key=f"{key}-{p['id']}",
            )
        order = await client.http.call("GET", f"{client.ev}/orders/{code}/")
    return await _booking(client, order)
