"""Lease upkeep: topped up after sales, released before the start so the central can sell
the seats to someone else; once the house is full, the counter's own lease sells online."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from central.server import CentralThread
from contract.models import PaymentMethod
from offline import leases, outbox
from pos.counter.home import Home
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.counter.service import Counter
from tests.conftest import enroll


def party(showtime: str, count: int) -> Order:
    return Order(showtime, "c01", ["adult"], [Tender(PaymentMethod.CASH, 10**6)], count=count)


async def test_top_up_after_offline_sales_and_release_at_cutoff(
    home: Home, live_central: CentralThread
) -> None:
    moved: list[datetime] = []  # the clock jumps to the cutoff when the test says so

    def clock() -> datetime:
        return moved[0] if moved else datetime.now(UTC)

    async with Counter(home, clock=clock) as counter:
        first = counter.schedule().showtimes[0]
        want = len(leases.available_seats(counter.store, first.id))
        counter.lease_keeper.seats = want
        counter.breaker.trip()
        await counter.sell(
            Order(first.id, "c01", ["adult"], [Tender(PaymentMethod.CASH, 10**6)], count=2)
        )
        assert len(leases.available_seats(counter.store, first.id)) == want - 2
        counter.breaker.close()
        await counter.lease_keeper.keep()
        assert len(leases.available_seats(counter.store, first.id)) == want

        cutoff = timedelta(minutes=counter.settings.lease_release_minutes)
        moved.append(first.start - cutoff + timedelta(seconds=1))
        await counter.lease_keeper.keep()
        assert leases.available_seats(counter.store, first.id) == []
        released = [i for i in outbox.items(counter.store) if i.kind == "release"]
        assert released and released[0].payload["seats"]
        report = await counter.sender.drain()
        assert report.remaining == 0 and report.error is None
        token = counter.settings.token

    seat_map = httpx.get(
        f"{live_central.url}/v1/showtimes/{first.id}/seats",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert not [s for s in seat_map["seats"] if s["leased_to"] == "T01"]


async def test_once_the_house_is_full_the_counters_own_lease_sells_online(
    home: Home, live_central: CentralThread
) -> None:
    """The free seats are gone but the counter still holds leased ones: the cashier may choose
    them on the map (not held: the lease keeps them) and a sale by count takes them online (the
    central lets a terminal take its own leased seats); sold, they are marked sold in the lease
    and never sold again offline."""
    small = "st-004"  # the 40-seat VIP house
    web = enroll(live_central, 1)
    async with Counter(home) as counter:
        mine = leases.available_seats(counter.store, small)
        assert len(mine) >= 4
        seat_map = await counter.port.seat_map(small)
        free = [s.label for s in seat_map.seats if s.state == "free"]
        price = counter.showtime(small).prices["adult"]
        sold_out = web.post(
            "/v1/sales",
            {
                "showtime_id": small,
                "cashier_id": "c01",
                "lines": [{"seat": s, "ticket_type": "adult", "price": price} for s in free],
                "payments": [{"method": "cash", "amount": price * len(free)}],
            },
        )
        assert sold_out.status_code == 200, sold_out.text
        view = await counter.seat_view(small)
        assert not view.offline and view.selectable == frozenset(mine)  # all that is left
        # Chosen on the map, they are not held: the lease keeps them for this counter already.
        assert await counter.hold(small, mine[:2]) is None

        online = await counter.sell(party(small, 2))
        assert online.mode == "online"
        taken = {t.seat for t in online.sale.tickets}
        assert taken <= set(mine)
        left = leases.available_seats(counter.store, small)
        assert set(left) == set(mine) - taken

        counter.breaker.trip()
        offline = await counter.sell(party(small, len(left)))
        assert {t.seat for t in offline.sale.tickets} == set(left)
        counter.breaker.close()
        report = await counter.sender.drain(now=True)
        assert (report.conflicts, report.remaining, report.error) == (0, 0, None)
    web.client.close()
