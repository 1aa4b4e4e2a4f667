"""A counter's leases follow its own demand: a showtime it sells a lot of gets a big lease, one
it does not sell keeps a few seats; when the central turns DEGRADED the counter tops up for the
worse case; when the central recalls seats for online sale, the counter gives back the unsold
ones through its outbox and never a seat it sold; when the free seats have run out, a counter
over its share by demand gives seats the same way into the lease of a counter short of its."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from central.server import CentralThread
from contract.leasing import BRACING_HEADROOM, HEADROOM, OUTAGE_HORIZON, RATE_WINDOW
from contract.models import PaymentMethod
from offline import leases, outbox, sales
from pos.counter.connectivity import Mode
from pos.counter.home import Home
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.counter.service import Counter
from tests.conftest import enroll
from tests.kit import MovableClock, enroll_home

HOT, COLD = "st-001", "st-013"


def party(showtime: str, count: int) -> Order:
    return Order(showtime, "c01", ["adult"], [Tender(PaymentMethod.CASH, 10**6)], count=count)


def expected(seats_sold: int, headroom: float) -> int:
    """What the policy makes of `seats_sold` in the last hour, a day before the start."""
    rate = seats_sold / (RATE_WINDOW / timedelta(hours=1))
    return -int(-(rate * (OUTAGE_HORIZON / timedelta(hours=1)) * headroom) // 1)


def available(counter: Counter, showtime: str) -> list[str]:
    return leases.available_seats(counter.store, showtime)


async def test_a_hot_showtime_gets_a_big_lease_and_more_when_the_central_wobbles(
    home: Home,
) -> None:
    async with Counter(home) as counter:
        cold_before = len(available(counter, COLD))
        for _ in range(10):
            assert (await counter.sell(party(HOT, 4))).mode == "online"
        assert counter.lease_keeper.rates()[HOT] == 40.0
        await counter.lease_keeper.keep()
        assert len(available(counter, HOT)) == expected(40, HEADROOM) == 75
        assert len(available(counter, COLD)) == cold_before  # a cold lease stays small

        # What `Counter` does on its first DEGRADED transition (pos/counter/service.py).
        counter.breaker.listeners.append(
            lambda mode: counter.lease_keeper.on_degraded() if mode == Mode.DEGRADED else None
        )
        counter.breaker.record_failure()
        assert counter.mode == Mode.DEGRADED
        task = counter.lease_keeper.brace_task
        assert task is not None
        assert await task == {HOT: expected(40, BRACING_HEADROOM) - 75}
        assert len(available(counter, HOT)) == 100
        counter.breaker.record_failure()  # still wobbling: no second brace straight away
        assert counter.lease_keeper.brace_task is task


async def test_a_recall_gives_back_unsold_seats_and_never_a_sold_one(
    home: Home, live_central: CentralThread
) -> None:
    async with Counter(home) as counter:
        mine = available(counter, HOT)
        counter.breaker.trip()
        sold = await counter.sell(party(HOT, 2))
        sold_seats = {t.seat for t in sold.sale.tickets}
        assert sold.mode == "offline" and sold_seats <= set(mine)
        counter.breaker.close()  # back ONLINE, the offline sale still queued

        web = enroll(live_central, 1)
        answer = web.post(f"/v1/showtimes/{HOT}/lease-recalls", {"count": 2000})
        assert answer.json()["terminals"] == {counter.settings.terminal_id: len(mine)}

        counter.lease_keeper.recall_every = timedelta(0)
        await counter.lease_keeper.keep()
        assert available(counter, HOT) == []
        released = [i for i in outbox.items(counter.store) if i.kind == "release"]
        assert sorted(s for i in released for s in i.payload["seats"]) == sorted(
            set(mine) - sold_seats
        )
        report = await counter.sender.drain(now=True)
        assert (report.conflicts, report.remaining, report.error) == (0, 0, None)
        assert sales.get(counter.store, sold.sale.id).state == "synced"

        seat_map = web.client.get(f"/v1/showtimes/{HOT}/seats").json()
        state = {s["label"]: s["state"] for s in seat_map["seats"]}
        assert {state[s] for s in sold_seats} == {"sold"}
        assert {state[s] for s in set(mine) - sold_seats} == {"free"}
        listed = httpx.get(
            f"{live_central.url}/v1/leases",
            headers={"Authorization": f"Bearer {counter.settings.token}"},
        ).json()
        assert [(x["seats"], x["recalled"]) for x in listed if x["showtime_id"] == HOT] == [
            ([], [])
        ]
        # The allotment went down with the recall: the next upkeep leases nothing back.
        await counter.refresh()
        assert counter.showtime(HOT).counter_allotment == 0
        assert available(counter, HOT) == []
        web.client.close()


async def test_a_counter_that_opened_minutes_ago_reads_its_rate_since_it_opened(
    home: Home, live_central: CentralThread
) -> None:
    """The central dies five minutes after the doors open: a counter that had divided its first
    minutes of sales by the whole hour would hold a twelfth of what its queue wants."""
    clock = MovableClock()
    async with Counter(home, clock=clock) as counter:
        opened = counter.lease_keeper.selling_since(clock())
        assert opened is not None  # the shift enroll_home opened
        for _ in range(10):
            assert (await counter.sell(party(HOT, 4))).mode == "online"
        # A party or two into the morning: too early to tell, read over the whole window.
        assert counter.lease_keeper.rates()[HOT] == 40.0
        # Ten minutes after opening, the same 40 seats are 40 in ten minutes.
        clock.at = opened + timedelta(minutes=10)
        assert counter.lease_keeper.rates()[HOT] == pytest.approx(240.0)
        await counter.lease_keeper.keep()
        assert len(available(counter, HOT)) > expected(40, HEADROOM)
        # Once a whole window has passed since opening, the window is the span again.
        clock.at = opened + RATE_WINDOW + timedelta(minutes=1)
        assert HOT not in counter.lease_keeper.rates()  # the sales are older than the window


@pytest.fixture
def two_homes(live_central: CentralThread, tmp_path: Path) -> list[Home]:
    return [enroll_home(live_central, tmp_path / f"t{i}", i) for i in (0, 1)]


async def test_a_counter_short_of_seats_gets_them_from_one_over_its_share(
    two_homes: list[Home],
) -> None:
    """The allotment is all leased; the counter that leased early sells a third of what the
    other sells. The busy counter's upkeep comes short, the central asks the early one for its
    surplus, and what the early one gives back lands in the busy one's lease, ready to sell
    offline (tests/central/test_lease_sizing.py shows a seat sold meanwhile stays sold)."""
    async with Counter(two_homes[0]) as early, Counter(two_homes[1]) as busy:
        for c in (early, busy):
            c.lease_keeper.recall_every = timedelta(0)  # read recalls at every upkeep
        for _ in range(10):
            assert (await early.sell(party(HOT, 4))).mode == "online"
        await early.lease_keeper.keep()
        assert len(available(early, HOT)) == expected(40, HEADROOM)
        for _ in range(30):
            assert (await busy.sell(party(HOT, 4))).mode == "online"
        await busy.lease_keeper.keep()
        allotment = busy.showtime(HOT).counter_allotment
        short = len(available(busy, HOT))
        assert short + len(available(early, HOT)) == allotment  # all of it leased

        await early.lease_keeper.keep()
        # What the early counter was asked for: seen at its upkeep, released through its outbox.
        released = sorted(
            seat
            for i in outbox.items(early.store)
            if i.kind == "release"
            for seat in i.payload["seats"]
        )
        assert len(released) >= 10 and not set(released) & set(available(early, HOT))
        report = await early.sender.drain(now=True)
        assert (report.conflicts, report.remaining, report.error) == (0, 0, None)

        await busy.lease_keeper.keep()
        mine = set(available(busy, HOT))
        assert set(released) <= mine and len(mine) == short + len(released)
        busy.breaker.trip()
        sold = await busy.sell(party(HOT, 4))
        assert sold.mode == "offline" and {t.seat for t in sold.sale.tickets} <= mine
        busy.breaker.close()
        report = await busy.sender.drain(now=True)
        assert (report.conflicts, report.remaining, report.error) == (0, 0, None)
