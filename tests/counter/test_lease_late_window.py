"""The late-sale window with two counters: a counter cut off from the central sells a late-comer
a seat of its lease five minutes after the start; another counter, online, must not sell the
same seat to someone else. Before the window was one rule, the central stopped protecting
leased seats at the start while the terminal sold them until a quarter of an hour after, and
both sales went through: one seat, two customers, and a conflict at upload."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from central.server import CentralThread
from contract.leasing import sales_close
from contract.models import PaymentMethod
from offline import leases, sales
from pos.counter.errors import CounterError, SeatUnavailable
from pos.counter.home import Home
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.counter.service import Counter
from tests.kit import MovableClock, enroll_home

SHOWTIME = "st-013"


@pytest.fixture
def central(timed_central: CentralThread) -> CentralThread:
    return timed_central


@pytest.fixture
def homes(central: CentralThread, tmp_path: Path) -> list[Home]:
    return [enroll_home(central, tmp_path / f"t{i}", i, lease_seats=4) for i in range(2)]


def order(seat: str, cashier: str) -> Order:
    return Order(SHOWTIME, cashier, ["adult"], [Tender(PaymentMethod.CASH, 10**6)], seats=[seat])


async def test_a_late_comer_seat_leased_to_one_counter_is_sold_once(
    homes: list[Home], clock: MovableClock
) -> None:
    one, two = homes
    async with Counter(one, clock=clock) as c1, Counter(two, clock=clock) as c2:
        st = c1.showtime(SHOWTIME)
        seat = leases.available_seats(c1.store, SHOWTIME)[0]
        c1.breaker.trip()  # counter 1 lost the central before the release cutoff

        clock.at = st.start + timedelta(minutes=5)
        late = await c1.sell(order(seat, "c01"))
        assert late.mode == "offline" and [t.seat for t in late.sale.tickets] == [seat]
        with pytest.raises(SeatUnavailable) as refused:
            await c2.sell(order(seat, "c02"))
        assert refused.value.code == "SEAT_TAKEN"

        report = await c1.sender.drain(now=True)
        assert (report.accepted, report.conflicts, report.remaining) == (1, 0, 0)
        assert sales.get(c1.store, late.sale.id).state == "synced"

        # Once sales close, nobody sells the showtime, the lease protects nothing, and the
        # other counter sees the seats it never sold as free on the map.
        clock.at = sales_close(st.start)
        with pytest.raises(CounterError) as closed:
            await c2.sell(order(leases.available_seats(c1.store, SHOWTIME)[0], "c02"))
        assert closed.value.code == "SHOWTIME_CLOSED"
