"""Lease accounting: the central's view merged with what was sold and released here."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from offline_helpers import make_lease

from contract import models
from offline import journal, leases
from offline.errors import SeatNotLeased
from offline.store import Store

Leased = Callable[..., models.Lease]


def test_available_seats_in_seat_order(store: Store, leased: Leased) -> None:
    leased(["B10", "A2", "B9", "A1"])
    assert leases.available_seats(store, "S1") == ["A1", "A2", "B9", "B10"]
    local = leases.lease_for(store, "S1")
    assert local is not None and local.id == "L1" and local.terminal_id == "T1"
    assert leases.lease_for(store, "S2") is None


def test_take_marks_seats_sold_and_returns_the_lease(store: Store, leased: Leased) -> None:
    leased(["A1", "A2", "A3"])
    assert leases.take(store, "S1", ["A1", "A3"]) == "L1"
    assert leases.available_seats(store, "S1") == ["A2"]
    assert leases.leases(store) == [leases.LeaseSummary("S1", "L1", 3, 2, 1, 0)]


def test_take_of_a_seat_not_available_changes_nothing(store: Store, leased: Leased) -> None:
    leased(["A1", "A2"])
    leases.take(store, "S1", ["A1"])
    with pytest.raises(SeatNotLeased) as caught:
        leases.take(store, "S1", ["A2", "A1", "C7"])
    assert caught.value.seats == ("A1", "C7")
    assert "A1, C7" in str(caught.value) and caught.value.code == "SEAT_NOT_LEASED"
    assert leases.available_seats(store, "S1") == ["A2"]


def test_a_seat_sold_here_stays_sold_whatever_the_central_says(
    store: Store, leased: Leased
) -> None:
    leased(["A1", "A2", "A3"])
    leases.take(store, "S1", ["A1", "A2"])
    leased(["A1", "A3", "A4"])  # the central still lists A1, forgot A2, added A4
    local = leases.lease_for(store, "S1")
    assert local is not None
    assert local.sold == ("A1", "A2")
    assert local.available == ("A3", "A4")


def test_released_seats_wait_for_the_central_then_go(store: Store, leased: Leased) -> None:
    leased(["A1", "A2", "A3"])
    assert leases.release(store, "S1", ["A3"]) == ["A3"]
    leased(["A1", "A2", "A3"])  # the central has not processed the release yet
    assert leases.leases(store) == [leases.LeaseSummary("S1", "L1", 3, 0, 2, 1)]
    leased(["A1", "A2"])  # now it has
    assert leases.leases(store) == [leases.LeaseSummary("S1", "L1", 2, 0, 2, 0)]
    assert leases.release(store, "S1") == ["A1", "A2"]


def test_sold_seats_cannot_be_released(store: Store, leased: Leased) -> None:
    leased(["A1", "A2"])
    leases.take(store, "S1", ["A1"])
    with pytest.raises(SeatNotLeased, match="A1"):
        leases.release(store, "S1", ["A2", "A1"])
    assert leases.available_seats(store, "S1") == ["A2"]


def test_seats_of_another_lease_are_refused_when_a_lease_is_named(
    store: Store, leased: Leased
) -> None:
    leased(["A1"], lease_id="L1")
    leased(["A2"], lease_id="L2")
    with pytest.raises(SeatNotLeased, match="not in lease L1"):
        leases.take(store, "S1", ["A1", "A2"], lease_id="L1")
    assert leases.available_seats(store, "S1") == ["A1", "A2"]


def test_lease_changes_are_journalled(store: Store, leased: Leased) -> None:
    leased(["A1", "A2"])
    leases.take(store, "S1", ["A1"])
    leases.release(store, "S1", ["A2"])
    leased(["A1", "A2"])  # no change: no entry
    assert [e.kind for e in journal.entries(store)] == ["lease", "seats_sold", "seats_released"]
    assert journal.verify(store).ok


# --- property: random lease traffic never breaks the accounting ------------------------------

SEATS = [f"{row}{n}" for row in "AB" for n in range(1, 6)]
seat_sets = st.lists(st.sampled_from(SEATS), unique=True, max_size=len(SEATS))
operations = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.sampled_from(["L1", "L2"]), seat_sets),
        st.tuples(st.just("take"), st.none(), seat_sets.filter(bool)),
        st.tuples(st.just("release"), st.none(), seat_sets),
    ),
    max_size=25,
)


def seat_states(store: Store) -> dict[str, tuple[str, str]]:
    rows = store.db.execute("SELECT seat, lease_id, state FROM lease_seats WHERE showtime_id='S1'")
    return {seat: (lease_id, state) for seat, lease_id, state in rows}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations)
def test_lease_accounting_holds_under_any_sequence(ops: list[tuple[str, str | None, list[str]]]):
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "t.db") as store:
        ever_sold: set[str] = set()
        for op, lease_id, seats in ops:
            before = seat_states(store)
            if op == "put":
                leases.put_lease(store, make_lease(seats, lease_id=lease_id or "L1"))
                after = seat_states(store)
                assert set(seats) <= set(after)
                assert all(
                    seat in seats or state == "sold"
                    for seat, (owner, state) in after.items()
                    if owner == lease_id
                )
            elif op == "take":
                free = {s for s, (_, state) in before.items() if state == "available"}
                owners = {before[s][0] for s in seats if s in before}
                try:
                    leases.take(store, "S1", seats)
                except SeatNotLeased:
                    assert not set(seats) <= free or len(owners) > 1
                    assert seat_states(store) == before
                else:
                    assert set(seats) <= free
                    assert not set(seats) & ever_sold, "a seat was sold twice"
                    ever_sold |= set(seats)
            else:
                try:
                    leases.release(store, "S1", seats)
                except SeatNotLeased:
                    assert seat_states(store) == before
            after = seat_states(store)
            sold_now = {s for s, (_, state) in after.items() if state == "sold"}
            assert sold_now == ever_sold, "a sold seat changed state"
            for summary in leases.leases(store):
                assert summary.leased == summary.sold + summary.available + summary.released
                assert summary.leased == len(after)
        assert journal.verify(store).ok
