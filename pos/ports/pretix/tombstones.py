"""Tombstones on pretix: a sale cancelled before pretix saw it stays dead.

pretix keeps no record of a cancelled idempotency key, so a copy of a sale request that was
delayed on the network (or a retry after pretix forgot the key, 24 h later) would still create
a live order. But pretix refuses an order whose ticket secret another position already holds
(cancelled ones included), and a sale's secrets are derived from its key. So cancelling a key
pretix never saw creates a *tombstone*: a cancelled, free, seatless order on our channel whose
one position holds the secret of the sale's first ticket. The late copy is then refused whole.

The tombstone's product (`pos-tombstone`: free, no admission, only with a voucher, so the web
shop never offers it) is made by the adapter on first use, once per event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pos.ports.central_client import Rejected
from pos.ports.pretix.mapping import dedupe_prefix, dedupe_secret

if TYPE_CHECKING:
    from pos.ports.pretix.client import PretixClient

ITEM = "pos-tombstone"


async def _item(client: PretixClient) -> int:
    cat = await client.catalog()
    if cat.tombstone_item is not None:
        return cat.tombstone_item
    made = await client.http.call(
        "POST",
        f"{client.ev}/items/",
        body={
            "name": {"en": "Box Office POS: cancelled sale", "zh-hans": "售票台：已取消"},
            "internal_name": ITEM,
            "default_price": "0.00",
            "admission": False,
            "active": True,
            "require_voucher": True,
            "hide_without_voucher": True,
            "has_variations": False,
        },
    )
    await client.catalog(fresh=True)
    return made["id"]


async def _any_subevent(client: PretixClient) -> int:
    """Positions of an event series need a date; the tombstone's is only a placeholder."""
    body = await client.http.call("GET", f"{client.ev}/subevents/", params={"page_size": "1"})
    return body["results"][0]["id"]


async def bury(client: PretixClient, sale_key: str, key: str) -> dict[str, Any] | None:
    """Make the tombstone of `sale_key` and cancel it; None when pretix refused it because
    the sale's own order got there first (the caller then cancels that order)."""
    prefix = dedupe_prefix(client.config.salt, sale_key)
    try:
        order = await client.http.call(
            "POST",
            f"{client.ev}/orders/",
            body={
                "status": "n",  # free, so pretix marks it paid; cancelled right after
                "sales_channel": client.config.channel,
                "send_email": False,
                "email": None,
                "locale": "zh-hans",
                "force": True,
                "positions": [
                    {
                        "item": await _item(client),
                        "variation": None,
                        "price": "0.00",
                        "subevent": await _any_subevent(client),
                        "secret": dedupe_secret(client.config.salt, sale_key, 0),
                    }
                ],
                "comment": f"Box Office POS {client.terminal_id} {prefix} tombstone",
                "api_meta": {
                    "pos": {"terminal": client.terminal_id, "key": sale_key, "tombstone": True}
                },
            },
            key=f"{key}-tombstone",
        )
    except Rejected as exc:
        if exc.status == 400 and "secret" in exc.message:
            return None
        raise
    await client.http.call(
        "POST",
        f"{client.ev}/orders/{order['code']}/mark_canceled/",
        body={"send_email": False},
        key=f"{key}-bury",
    )
    return order


def is_tombstone(order: dict[str, Any]) -> bool:
    return bool((order.get("api_meta") or {}).get("pos", {}).get("tombstone"))
