"""Late copies on pretix: a sale request that reaches pretix after its sale was cancelled (held
up on the network, or retried after pretix forgot its idempotency key) never makes a live
order, whether the cancel came before pretix saw the sale or after."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from pretix_helpers import SeededPretix, enroll, live_orders

from contract.models import Payment, PaymentMethod, SaleLine, SaleRequest
from pos.counter.service import Counter
from pos.ports.central_client import Conflict
from pos.ports.pretix.client import PretixClient
from pos.ports.pretix.mapping import dedupe_prefix

pytestmark = [pytest.mark.pretix, pytest.mark.timeout(900)]


def orders_for(pretix: SeededPretix, client: PretixClient, key: str) -> list[dict[str, Any]]:
    prefix = dedupe_prefix(client.config.salt, key)
    return pretix.api.all(
        f"{pretix.api.ev}/orders/?search={prefix}&include_canceled_positions=true"
    )


async def request_for(counter: Counter, showtime: str, count: int) -> SaleRequest:
    view = await counter.seat_view(showtime)
    seats = sorted(view.selectable)[:count]
    price = counter.showtime(showtime).prices["adult"]
    return SaleRequest(
        showtime_id=showtime,
        cashier_id="c01",
        lines=[SaleLine(seat=s, ticket_type="adult", price=price) for s in seats],
        payments=[Payment(method=PaymentMethod.CASH, amount=price * count)],
    )


async def test_late_copy_of_a_sale_cancelled_before_pretix_saw_it(
    pretix: SeededPretix, tmp_path: Path
):
    home = await enroll(pretix, tmp_path / "t11", "T93")
    showtime = sorted(pretix.showtimes.values())[-1]
    async with Counter(home) as counter:
        client = counter.port
        assert isinstance(client, PretixClient)
        req = await request_for(counter, showtime, 2)
        key = uuid.uuid4().hex
        cancelled = await client.cancel(key, key=uuid.uuid4().hex)
        assert cancelled.outcome == "tombstoned"
        again = await client.cancel(key, key=uuid.uuid4().hex)  # a repeated cancel changes nothing
        assert again.outcome == "tombstoned"
        with pytest.raises(Conflict) as late:
            await client.sell(req, key)  # the copy that was held up on the way
        assert late.value.code == "SALE_CANCELLED"
        assert [o["status"] for o in orders_for(pretix, client, key)] == ["c"]
        # the seats were never taken: another sale gets them
        sold = await client.sell(req, uuid.uuid4().hex)
        assert sorted(t.seat for t in sold.tickets) == sorted(line.seat for line in req.lines)
        # nothing of the tombstone shows in the day's figures or the bookings
        assert all(
            (o.get("api_meta") or {}).get("pos", {}).get("key") != key for o in live_orders(pretix)
        )


async def test_late_copy_of_a_sale_cancelled_after_pretix_made_it(
    pretix: SeededPretix, tmp_path: Path
):
    home = await enroll(pretix, tmp_path / "t12", "T94")
    showtime = sorted(pretix.showtimes.values())[-1]
    async with Counter(home) as counter:
        client = counter.port
        assert isinstance(client, PretixClient)
        req = await request_for(counter, showtime, 1)
        key = uuid.uuid4().hex
        sale = await client.sell(req, key)
        cancelled = await client.cancel(key, key=uuid.uuid4().hex)
        assert (cancelled.outcome, cancelled.sale_id) == ("cancelled", sale.id)
        # within 24 h pretix replays its first answer; the order stays cancelled
        await client.sell(req, key)
        assert [o["status"] for o in orders_for(pretix, client, key)] == ["c"]
        # after pretix forgot the idempotency key (its cleanup does that after 24 h), the
        # ticket secrets refuse the copy
        pretix.server.shell(
            "from pretix.api.models import ApiCall\n"
            f"ApiCall.objects.filter(idempotency_key={key!r}).delete()"
        )
        with pytest.raises(Conflict) as late:
            await client.sell(req, key)
        assert late.value.code == "SALE_CANCELLED"
        assert [o["status"] for o in orders_for(pretix, client, key)] == ["c"]
