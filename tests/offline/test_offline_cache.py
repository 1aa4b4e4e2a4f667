"""The cache gives back validated contract models, and keeps local pickups across refreshes."""

from __future__ import annotations

from datetime import date

import pytest
from offline_helpers import START, FakeClock

from contract import models
from offline import cache
from offline.errors import AlreadyPickedUp, NotFound
from offline.store import Store


def seat_map() -> models.SeatMap:
    seat = models.Seat(label="A1", row="A", number=1, x=0, y=0, kind=models.SeatKind.STANDARD)
    auditorium = models.Auditorium(
        id="AU1", name="1号厅", name_en="1", width=1, height=1, seats=[seat]
    )
    status = models.SeatStatus(label="A1", state=models.SeatState.LEASED, leased_to="T1")
    return models.SeatMap(showtime_id="S1", auditorium=auditorium, seats=[status])


def booking(status: str = "paid", by: str | None = None) -> models.Booking:
    ticket = models.Ticket(id="T-1", seat="A1", ticket_type="adult", price=4000, code="BO1.x")
    return models.Booking(
        code="BK0001",
        showtime_id="S1",
        customer="王",
        tickets=[ticket],
        total=4000,
        status=status,
        picked_up_by=by,
    )


def test_schedule_is_kept_per_business_date(store: Store) -> None:
    cinema = models.Cinema(
        id="C1", name="影城", name_en="C", timezone="Asia/Shanghai", currency="CNY"
    )
    day = date(2025, 6, 14)
    schedule = models.Schedule(
        business_date=day,
        version="v1",
        cinema=cinema,
        films=[],
        auditoriums=[],
        ticket_types=[],
        showtimes=[],
    )
    assert cache.get_schedule(store, day) is None
    cache.put_schedule(store, schedule, etag='W/"1"')
    cache.put_schedule(store, schedule.model_copy(update={"version": "v2"}))
    cached = cache.get_schedule(store, day)
    assert cached == cache.CachedSchedule(
        schedule.model_copy(update={"version": "v2"}), "v2", None, START
    )


def test_seat_map_round_trip(store: Store, clock: FakeClock) -> None:
    clock.advance(90)
    cache.put_seat_map(store, seat_map())
    cached = cache.get_seat_map(store, "S1")
    assert cached is not None and cached.seat_map == seat_map() and cached.fetched_at == clock.now
    assert cache.get_seat_map(store, "S2") is None


def test_a_local_pickup_survives_a_refresh_and_is_not_repeated(store: Store) -> None:
    cache.put_bookings(store, [booking()])
    picked = cache.mark_picked_up(store, "BK0001", "cashier-1")
    assert (picked.picked_up_at, picked.picked_up_by) == (START, "cashier-1")
    cache.put_bookings(store, [booking()])  # the central has not heard yet
    again = cache.get_booking(store, "BK0001")
    assert again is not None and again.picked_up_by == "cashier-1"
    with pytest.raises(AlreadyPickedUp, match="cashier-1"):
        cache.mark_picked_up(store, "BK0001", "cashier-2")
    with pytest.raises(NotFound):
        cache.mark_picked_up(store, "BK9999", "cashier-1")


def test_a_pickup_elsewhere_is_learned_from_the_central(store: Store) -> None:
    cache.put_bookings(store, [booking(status="picked_up", by="app")])
    [cached] = cache.bookings(store, "S1")
    assert cached.picked_up_by == "app"
    with pytest.raises(AlreadyPickedUp):
        cache.mark_picked_up(store, "BK0001", "cashier-1")


def test_staff_list_is_replaced_whole(store: Store) -> None:
    ann = models.StaffMember(id="ann", name="Ann", role="cashier", pin_hash="h1")
    bob = models.StaffMember(id="bob", name="Bob", role="supervisor", pin_hash="h2")
    cache.replace_staff(store, [ann, bob])
    cache.replace_staff(store, [bob])
    assert cache.staff(store) == [bob]
    assert cache.get_staff(store, "ann") is None


def test_public_keys_are_added_never_dropped(store: Store) -> None:
    cache.put_public_keys(store, [models.PublicKey(key_id="central-1", public_key="k1")])
    cache.put_public_keys(store, [models.PublicKey(key_id="T1", public_key="k2")])
    assert cache.public_keys(store) == {"T1": "k2", "central-1": "k1"}
