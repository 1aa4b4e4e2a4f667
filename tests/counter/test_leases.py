"""Lease upkeep: topped up after sales, released before the start so the central can sell
the seats to someone else."""

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
