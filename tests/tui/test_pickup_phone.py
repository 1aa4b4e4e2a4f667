"""Pickup by the customer's phone number, whole or its last four digits, online and from the
cached bookings while the central is away; the number shows masked. Bookings carry the phone
from the central (seeded), and a number no booking has finds nothing."""

from __future__ import annotations

from contract.models import Booking
from contract.phones import masked
from offline import cache
from pos.tui.app import PosApp
from pos.tui.screens import PickupScreen
from pos.tui.widgets import ConfirmDialog
from tests.tui.conftest import Terminal
from tests.tui.test_flows import log_in, settle, text_of

SIZE = (120, 40)


def with_unique_tail(app: PosApp) -> Booking:
    """A booking whose phone's last four digits no other booking shares."""
    bookings = [c.booking for c in cache.bookings(app.counter.store)]
    tails = [b.phone[-4:] for b in bookings if b.phone]
    return next(b for b in bookings if b.phone and tails.count(b.phone[-4:]) == 1)


async def open_pickup(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await log_in(pilot)
    await pilot.press("f3")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PickupScreen)


async def test_pickup_by_the_last_four_digits_of_the_phone(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await open_pickup(pilot)
        booking = with_unique_tail(app)
        assert booking.phone is not None
        await pilot.press(*booking.phone[-4:], "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog), "found, and shown before printing"
        shown = text_of(app, "#confirm-question")
        assert booking.customer in shown and masked(booking.phone) in shown
        assert booking.phone not in shown, "the whole number is not on the screen"
        await pilot.press("enter")
        await settle(pilot)
        assert booking.customer in text_of(app, "#pickup-result")
        found = cache.get_booking(app.counter.store, booking.code)
        assert found is not None and found.picked_up_by == "c01"
    assert booking.tickets[0].id.encode() in terminal.tickets.read_bytes()


async def test_pickup_by_the_whole_number_while_offline_and_a_number_nobody_has(
    terminal: Terminal,
) -> None:
    app = terminal.app(offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pickup(pilot)
        booking = with_unique_tail(app)
        assert booking.phone is not None
        await pilot.press(*"00000000000", "enter")
        await settle(pilot)
        assert "No booking" in text_of(app, "#pickup-message")
        field = app.screen.query_one("#code")
        field.value = ""  # type: ignore[attr-defined]
        spaced = f"{booking.phone[:3]} {booking.phone[3:7]} {booking.phone[7:]}"
        await pilot.press(*spaced, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
        found = cache.get_booking(app.counter.store, booking.code)
        assert found is not None and found.picked_up_at is not None, "picked up from the cache"
