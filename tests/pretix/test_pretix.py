"""Selling through a real pretix: online sales, a seat race between two terminals, leases that
keep the web shop out, pretix stopped mid-sale and the offline sale uploaded exactly once, the
day-end comparison from pretix's orders, and never a seat sold twice on pretix's own records."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pretix_helpers import (
    SeededPretix,
    assert_no_seat_sold_twice,
    back_online,
    enroll,
    first_showtime,
    live_orders,
    order,
    pos,
)

from contract.models import (
    LeaseRelease,
    OfflineBatch,
    OfflineSale,
    ReconciliationRequest,
    ReportLine,
)
from devtools.pretix.seeding import SeedFailed
from offline import outbox
from pos.counter.connectivity import Mode
from pos.counter.errors import CounterError
from pos.counter.service import Counter
from pos.ports.pretix.client import PretixClient
from pos.ports.pretix.config import CHANNEL

pytestmark = [pytest.mark.pretix, pytest.mark.timeout(900)]


async def test_online_sale_is_a_paid_order_on_the_box_office_channel(
    pretix: SeededPretix, tmp_path: Path
):
    home = await enroll(pretix, tmp_path / "t1", "T11")
    showtime = first_showtime(pretix)
    sold = await asyncio.to_thread(
        pos,
        "sell", "--showtime", showtime, "--seats", "auto:2", "--types", "adult,child",
        "--pay", "cash=20000", "--cashier", "c01", "--pin", "1111", "--home", str(home.path),
    )  # fmt: skip
    assert sold["mode"] == "online"
    codes = {t["code"] for t in sold["tickets"]}  # online tickets carry pretix's secrets
    orders = [o for o in live_orders(pretix) if codes & {p["secret"] for p in o["positions"]}]
    assert len(orders) == 1
    (found,) = orders
    assert found["sales_channel"] == CHANNEL
    assert found["status"] == "p"
    assert sorted(p["seat"]["seat_guid"] for p in found["positions"]) == sorted(
        t["seat"] for t in sold["tickets"]
    )
    assert sum(t["price"] for t in sold["tickets"]) == sold["total"]
    assert_no_seat_sold_twice(pretix)


async def test_two_terminals_race_for_one_seat(pretix: SeededPretix, tmp_path: Path):
    homes = [await enroll(pretix, tmp_path / t, t) for t in ("T21", "T22")]
    showtime = first_showtime(pretix)
    async with Counter(homes[0]) as a, Counter(homes[1]) as b:
        view = await a.seat_view(showtime)
        seat = sorted(view.selectable)[-1]
        results = await asyncio.gather(
            a.sell(order(showtime, [seat])), b.sell(order(showtime, [seat])), return_exceptions=True
        )
        # the loser is told the seat is gone; nobody failed over to a lease for it
        assert sorted(type(r).__name__ for r in results) == ["Outcome", "SeatUnavailable"]
        winner = next(r for r in results if not isinstance(r, BaseException))
        assert winner.mode == "online"
        # (slow answers from a loaded pretix may leave a counter DEGRADED, never OFFLINE)
        assert Mode.OFFLINE not in (a.breaker.mode, b.breaker.mode)
    holders = [
        o["code"]
        for o in live_orders(pretix)
        for p in o["positions"]
        if p["subevent"] == int(showtime[2:]) and p["seat"]["seat_guid"] == seat
    ]
    assert holders == [winner.sale.central_sale_id]
    assert_no_seat_sold_twice(pretix)


async def test_leases_are_blocked_seats_no_one_else_gets(pretix: SeededPretix, tmp_path: Path):
    homes = [await enroll(pretix, tmp_path / t, t) for t in ("T31", "T32")]
    showtime = first_showtime(pretix)
    leased: list[set[str]] = []
    for home in homes:
        async with Counter(home) as counter:
            leased.append(set((await counter.port.leases())[0].seats))
            assert len(leased[-1]) == 2
    assert not leased[0] & leased[1]
    seats = pretix.api.all(f"{pretix.api.ev}/subevents/{showtime[2:]}/seats/")
    blocked = {s["seat_guid"] for s in seats if s["blocked"]}
    assert leased[0] | leased[1] <= blocked
    # the web shop cannot have a leased seat, not even with force
    guid = sorted(leased[0])[0]
    seat = next(s for s in seats if s["seat_guid"] == guid)
    with pytest.raises(SeedFailed, match="400"):
        pretix.api.call(
            "POST",
            f"{pretix.api.ev}/orders/",
            {
                "status": "p",
                "sales_channel": "web",
                "force": True,
                "send_email": False,
                "positions": [
                    {
                        "item": seat["product"],
                        "variation": None,
                        "price": "60.00",
                        "subevent": int(showtime[2:]),
                        "seat": guid,
                    }
                ],
            },
        )
    # a terminal that lets its lease go gives the seats back to everyone
    async with Counter(homes[1]) as counter:
        client = counter.port
        assert isinstance(client, PretixClient)
        lease = await client.release(f"T32.{showtime}", LeaseRelease(seats=None), key="x" * 16)
        assert lease.seats == []
    seats = pretix.api.all(f"{pretix.api.ev}/subevents/{showtime[2:]}/seats/")
    assert not {s["seat_guid"] for s in seats if s["blocked"]} & leased[1]


async def test_pretix_stops_mid_sale_then_offline_sale_uploads_once(
    pretix: SeededPretix, tmp_path: Path
):
    home = await enroll(pretix, tmp_path / "t4", "T41")
    showtime = sorted(pretix.showtimes.values())[-1]
    server = pretix.server
    async with Counter(home) as counter:
        leases = {lease.showtime_id: lease.seats for lease in await counter.port.leases()}
        lease_seats = leases[showtime]
        seat_map = counter.port.seat_map

        async def seat_map_then_die(*args: Any, **kwargs: Any) -> Any:
            found = await seat_map(*args, **kwargs)
            server.stop()  # pretix goes away between choosing the seats and the order
            return found

        counter.port.seat_map = seat_map_then_die  # type: ignore[method-assign]
        outcome = await counter.sell(order(showtime, count=2))
        counter.port.seat_map = seat_map  # type: ignore[method-assign]
        assert outcome.mode == "offline"
        assert outcome.failover
        assert {t.seat for t in outcome.sale.tickets} <= set(lease_seats)
        assert counter.breaker.mode == Mode.OFFLINE
        assert outbox.depth(counter.store) >= 2  # the sale, and the cancel of the online try

        server.start()
        # probed back as the probe loop does: a worker just started may answer a probe late
        await back_online(counter)
        assert counter.breaker.mode != Mode.OFFLINE
        assert outbox.depth(counter.store) == 0
        again = await counter.sender.drain()
        assert again.sent == 0

        # the same offline sale sent again (pretix's idempotency keys forgotten, say) is
        # recognised by its ticket secrets
        sent = [i for i in outbox.items(counter.store) if i.kind == "sale"]
        batch = OfflineBatch(sales=[OfflineSale.model_validate(i.payload) for i in sent])
        answer = await counter.port.upload_offline(batch)
        assert [r.result for r in answer.results] == ["duplicate"]

        mine = [
            o
            for o in live_orders(pretix)
            if (o.get("api_meta") or {}).get("pos", {}).get("key") == outcome.sale.idempotency_key
        ]
        assert len(mine) == 1
        assert sorted(p["seat"]["seat_guid"] for p in mine[0]["positions"]) == sorted(
            t.seat for t in outcome.sale.tickets
        )

        # the day-end comparison comes from pretix's orders for this terminal
        report = ReconciliationRequest(
            kind="day",
            report_id="day-T41",
            business_date=pretix.business_date,
            sales_count=1,
            gross=outcome.sale.total,
            refunds=0,
            by_payment={"cash": outcome.sale.total},
            sales=[
                ReportLine(
                    sale_id=mine[0]["code"],
                    idempotency_key=outcome.sale.idempotency_key,
                    total=outcome.sale.total,
                    status="synced",
                )
            ],
        )
        reconciled = await counter.port.reconcile(report, key="report-day-T41")
        assert reconciled.central_sales_count == 1
        assert reconciled.central_gross == outcome.sale.total
        assert reconciled.differences == []
    assert_no_seat_sold_twice(pretix)


async def test_refund_and_pickup(pretix: SeededPretix, tmp_path: Path):
    home = await enroll(pretix, tmp_path / "t5", "T51")
    showtime = first_showtime(pretix)
    async with Counter(home) as counter:
        outcome = await counter.sell(order(showtime, count=2))
        assert outcome.mode == "online"
        first = outcome.sale.tickets[0].id
        await counter.refund(outcome.sale.id, "s01", "9999", ticket_ids=[first])
        report = await counter.sender.drain()
        assert report.held == 0 and report.conflicts == 0, report
        sale = await counter.port.sale_by_key(outcome.sale.idempotency_key)
        assert [t.refunded for t in sale.tickets] == [True, False]

        bookings = await counter.port.bookings(pretix.business_date)
        if bookings:  # the seeded showtimes may have no seeded booking
            code = bookings[0].code
            picked = await counter.pick_up(code, "c01")
            assert picked.booking.status == "picked_up"
            with pytest.raises(CounterError, match="ALREADY_PICKED_UP"):
                async with Counter(await enroll(pretix, tmp_path / "t6", "T52")) as other:
                    await other.pick_up(code, "c02")
