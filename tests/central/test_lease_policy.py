"""The lease policy of contract/leasing.py, on its own: sizes that follow demand, within the
allotment and the house; the lease window; who gives seats back on a recall, and who gives
seats to a counter the free seats could not serve."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contract.leasing import (
    COLD_LEASE,
    OUTAGE_HORIZON,
    RATE_MIN_SPAN,
    RATE_WINDOW,
    Demand,
    allotment_seats,
    expected_seats,
    lease_protects,
    lease_target,
    may_sell,
    rebalance_plan,
    recall_plan,
    sales_close,
    seats_per_hour,
)
from contract.models import SALES_CLOSE_AFTER_START, CounterAllotment

NOW = datetime(2026, 6, 11, 8, 0, tzinfo=UTC)
DAY = timedelta(hours=4)


def demand(rate: float, **kw: object) -> Demand:
    base: dict[str, object] = {
        "seats_per_hour": rate,
        "until_close": DAY,
        "free": 700,
        "allotment": 200,
    }
    base.update(kw)
    return Demand(**base)  # type: ignore[arg-type]


def test_a_cold_showtime_keeps_the_floor_and_a_hot_one_gets_its_queue() -> None:
    assert lease_target(demand(0)) == COLD_LEASE
    assert lease_target(demand(0, floor=3)) == 3
    # 40 seats an hour, over a 75-minute outage, with half again for bursts: 75 seats.
    assert expected_seats(demand(40)) == 75
    assert lease_target(demand(40)) == 75
    assert lease_target(demand(40)) > lease_target(demand(10)) > lease_target(demand(0))


def test_the_lease_never_passes_the_allotment_the_house_or_the_close() -> None:
    assert lease_target(demand(400)) == 200  # the allotment
    assert lease_target(demand(400, others_hold=150)) == 50  # what the others left of it
    assert lease_target(demand(400, others_hold=250)) == 0
    assert lease_target(demand(40, free=30)) == 30  # the house is nearly full
    assert lease_target(demand(0, free=3)) == 3
    # Only the time left to sell counts: 20 minutes of a 40-an-hour queue, with headroom.
    assert lease_target(demand(40, until_close=timedelta(minutes=20))) == 20
    assert lease_target(demand(40, until_close=timedelta(0))) == 0
    assert lease_target(demand(0, until_close=-timedelta(minutes=1))) == 0


def test_the_allotment_is_shared_by_demand_when_the_others_are_known() -> None:
    # Three counters want 3 x 180 seats of a 200-seat allotment: each gets its demand's share.
    hot = lease_target(demand(120, others_rate=60))
    cold = lease_target(demand(60, others_rate=120))
    assert (hot, cold) == (134, 67)
    # A counter that sells nothing still keeps its floor, within what is left.
    assert lease_target(demand(0, others_rate=500)) == COLD_LEASE
    assert lease_target(demand(0, others_rate=500, others_hold=197)) == 3


def test_bracing_and_a_short_horizon_scale_the_lease() -> None:
    calm = lease_target(demand(40))
    assert lease_target(demand(40, headroom=2.0)) == 100 > calm
    # A drill at ten times the pace sizes for a tenth of the outage: 40 x 1/8 h x 1.5 = 7.5.
    assert lease_target(demand(40, horizon=OUTAGE_HORIZON / 10, floor=0)) == 8


def test_the_rate_counts_the_last_window_only() -> None:
    sales = [(NOW - timedelta(minutes=m), 2) for m in (1, 10, 30, 59)]
    sales.append((NOW - RATE_WINDOW - timedelta(seconds=1), 50))  # too old
    sales.append((NOW + timedelta(minutes=1), 50))  # a clock that jumped: not yet
    assert seats_per_hour(sales, NOW) == pytest.approx(8.0)
    assert seats_per_hour([], NOW) == 0


def test_a_counter_open_less_than_a_window_divides_by_the_time_it_has_been_open() -> None:
    sales = [(NOW - timedelta(minutes=m), 4) for m in range(10)]  # 40 seats in ten minutes
    assert seats_per_hour(sales, NOW) == pytest.approx(40.0)  # opening unknown: the window
    opened = NOW - timedelta(minutes=10)
    assert seats_per_hour(sales, NOW, since=opened) == pytest.approx(240.0)
    # open longer than the window: the window
    assert seats_per_hour(sales, NOW, since=NOW - RATE_WINDOW * 2) == pytest.approx(40.0)
    # in its first minutes a counter knows too little: the window
    early = NOW - RATE_MIN_SPAN + timedelta(seconds=1)
    assert seats_per_hour(sales[:1], NOW, since=early) == pytest.approx(4.0)
    assert seats_per_hour(sales[:1], NOW, since=NOW - RATE_MIN_SPAN) == pytest.approx(80.0)
    # a drill at ten times the pace scales both spans
    fast = [(NOW - timedelta(seconds=s), 4) for s in range(0, 60, 6)]  # 40 seats in a minute
    since = NOW - timedelta(minutes=1)
    assert seats_per_hour(fast, NOW, RATE_WINDOW / 10, since=since) == pytest.approx(2400.0)
    # sized for the outage: a counter open ten minutes leases for what it will sell
    assert lease_target(demand(240, allotment=700, floor=0)) == 450
    assert lease_target(demand(40, allotment=700, floor=0)) == 75


def test_the_allotment_in_seats_and_its_most_specific_setting() -> None:
    assert allotment_seats(738, 0.3) == 221
    assert allotment_seats(43, 0.25) == 10
    assert allotment_seats(100, 0.29) == 29  # no float rounding down to 28
    setting = CounterAllotment(share=0.2, auditoriums={"aud1": 0.4}, showtimes={"st-1": 0.6})
    assert setting.share_for("st-1", "aud1") == 0.6
    assert setting.share_for("st-2", "aud1") == 0.4
    assert setting.share_for("st-2", "aud2") == 0.2


def test_a_lease_protects_exactly_as_long_as_the_terminal_may_sell() -> None:
    start = NOW
    close = sales_close(start)
    assert close == start + SALES_CLOSE_AFTER_START
    for moment in (start - timedelta(hours=1), start, start + timedelta(minutes=5)):
        assert lease_protects(start, moment) and may_sell(start, moment)
    for moment in (close, close + timedelta(seconds=1)):
        assert not lease_protects(start, moment) and not may_sell(start, moment)


def test_a_recall_levels_the_biggest_holders_down_first() -> None:
    assert recall_plan({"T01": 20, "T02": 10, "T03": 2}, 12) == {"T01": 11, "T02": 1}
    assert recall_plan({"T01": 3, "T02": 1}, 10) == {"T01": 3, "T02": 1}
    assert recall_plan({}, 5) == {}
    assert recall_plan({"T01": 5}, 0) == {}


def test_a_short_counter_gets_seats_from_the_counters_over_their_share() -> None:
    # The house is out of free seats; T01 leased 120 early, T02's queue now sells twice T01's.
    held = {"T01": 120, "T02": 10, "T03": 20}
    rates = {"T01": 20.0, "T02": 40.0, "T03": 20.0}
    plan = rebalance_plan("T02", held, rates, free=0, allotment=700, want=100)
    # Shares of the 150 seats held: T01 38, T02 75, T03 38; T02 is owed 65, all from T01.
    assert plan == {"T01": 65}
    # It wants less than its share: it is owed only what it wants.
    assert rebalance_plan("T02", held, rates, free=0, allotment=700, want=30) == {"T01": 20}
    # Seats it could still lease itself count: of 190, its share is 95, owed 95 - 10 - 40.
    assert rebalance_plan("T02", held, rates, free=40, allotment=700, want=100) == {"T01": 45}


def test_a_rebalance_levels_the_counters_furthest_over_first_and_never_below_the_floor() -> None:
    held = {"T01": 60, "T02": 50, "T03": 0}
    rates = {"T01": 1.0, "T02": 1.0, "T03": 8.0}
    plan = rebalance_plan("T03", held, rates, free=0, allotment=700, want=500)
    # Shares of 110: T01 and T02 11 each, T03 88: both give back down to 11 (owed 88 >= 88).
    assert plan == {"T01": 49, "T02": 39}
    few = rebalance_plan("T03", {"T01": 9, "T03": 0}, rates, free=0, allotment=700, want=50)
    assert few == {"T01": 1}  # T01 keeps the floor of 8


def test_no_rebalance_without_a_rate_or_when_nothing_is_owed() -> None:
    held = {"T01": 100, "T02": 0}
    assert rebalance_plan("T02", held, {"T01": 10.0}, free=0, allotment=700, want=50) == {}
    assert rebalance_plan("T02", held, {}, free=0, allotment=700, want=50) == {}
    rates = {"T01": 10.0, "T02": 10.0}
    assert rebalance_plan("T02", held, rates, free=60, allotment=700, want=50) == {}
    # Within the allotment: 100 held of an allotment of 100, shares 50 each.
    assert rebalance_plan("T02", held, rates, free=0, allotment=100, want=80) == {"T01": 50}
