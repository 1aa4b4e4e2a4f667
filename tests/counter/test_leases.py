"""Lease upkeep: topped up after sales, released before the start so the central can sell
the seats to someone else."""

from __future__ import annotations

from datetime import timedelta

import httpx

from central.server import CentralThread
from contract.models import PaymentMethod
from offline import leases, outbox
from pos.counter.home import Home
from pos.counter.lease_keeping import keep_leases
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.counter.service import Counter
from pos.counter.sync import drain


async def test_top_up_after_offline_sales_and_release_at_cutoff(
    home: Home, live_central: CentralThread
) -> None:
    async with Counter(home) as counter:
        first = counter.schedule().showtimes[0]
        want = len(leases.available_seats(counter.store, first.id))
        counter.settings.lease_seats = want
        counter.breaker.trip()
        await counter.sell(
            Order(first.id, "c01", ["adult"], [Tender(PaymentMethod.CASH, 10**6)], count=2)
        )
        assert len(leases.available_seats(counter.store, first.id)) == want - 2
        counter.breaker.close()
        await keep_leases(counter)
        assert len(leases.available_seats(counter.store, first.id)) == want

        cutoff = timedelta(minutes=counter.settings.lease_release_minutes)
        counter.clock = lambda: first.start - cutoff + timedelta(seconds=1)
        await keep_leases(counter)
        assert leases.available_seats(counter.store, first.id) == []
        released = [i for i in outbox.items(counter.store) if i.kind == "release"]
        assert released and released[0].payload["seats"]
        report = await drain(counter)
        assert report.remaining == 0 and report.error is None
        token = counter.settings.token

    seat_map = httpx.get(
        f"{live_central.url}/v1/showtimes/{first.id}/seats",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert not [s for s in seat_map["seats"] if s["leased_to"] == "T01"]
