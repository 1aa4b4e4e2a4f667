"""Pilot-driven counter flows against the real reference central on loopback."""

from __future__ import annotations

from textual.pilot import Pilot

from central.server import CentralThread
from contract.models import PaymentMethod
from offline import cache, sales
from pos.counter.connectivity import Mode
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.tui.app import PosApp
from pos.tui.screens import (
    LoginScreen,
    PaymentScreen,
    PickupScreen,
    ResultScreen,
    SalesScreen,
    ScheduleScreen,
    SeatsScreen,
    TicketsScreen,
)
from pos.tui.widgets import Words
from tests.tui.conftest import Terminal

SIZE = (120, 40)


async def settle(pilot: Pilot) -> None:
    """Let workers finish and the screen catch up: waiting, not sleeping."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def log_in(pilot: Pilot, staff: str = "c01", pin: str = "1111") -> None:
    await pilot.press(*staff, "tab", *pin, "enter")
    await settle(pilot)


async def choose_two_seats(pilot: Pilot) -> None:
    """From the schedule: the first showtime (the 738-seat IMAX), two seats together."""
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, SeatsScreen)
    await pilot.press("2", "b", "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TicketsScreen)


async def pay_cash(pilot: Pilot, yuan: str) -> None:
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PaymentScreen)
    await pilot.press(*yuan, "enter")
    await settle(pilot)


def text_of(app: PosApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Words).render())


async def test_online_sale_prints_tickets(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        assert isinstance(app.screen, ScheduleScreen)
        await choose_two_seats(pilot)
        await pilot.press("2")  # the first line becomes a student ticket
        await settle(pilot)
        await pay_cash(pilot, "200")
        assert isinstance(app.screen, ResultScreen)
        outcome = app.screen.outcome
        assert outcome.mode == "online"
        assert outcome.sale.total == 8000 + 5000
        assert outcome.sale.change == 20000 - 13000
        assert text_of(app, "#print-result") == "Tickets printed."
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ScheduleScreen)
    data = terminal.tickets.read_bytes()
    assert data.startswith(b"\x1b@")
    assert outcome.sale.tickets[0].id.encode() in data


async def test_central_killed_mid_sale_completes_offline(terminal: Terminal) -> None:
    app = terminal.app(background=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await choose_two_seats(pilot)
        assert app.status is not None and app.status.mode == Mode.ONLINE
        terminal.central.stop()
        await pay_cash(pilot, "160")
        assert isinstance(app.screen, ResultScreen)
        outcome = app.screen.outcome
        assert outcome.mode == "offline"
        assert app.status is not None and app.status.mode == Mode.OFFLINE
        assert app.status.outbox >= 1
        assert "OFFLINE" in str(app.screen.query_one("#status-bar").render())
        assert outcome.sale.tickets[0].id.encode() in terminal.tickets.read_bytes()

        revived = CentralThread(
            terminal.central.db_path,
            terminal.central.seeds_dir,
            drill=True,
            business_date=terminal.central.business_date,
            port=terminal.central.port,
        ).start()
        try:
            for _ in range(300):
                if app.status.mode == Mode.ONLINE and app.status.outbox == 0:
                    break
                await pilot.pause(0.05)
            assert app.status.mode == Mode.ONLINE
            assert app.status.outbox == 0
        finally:
            revived.stop()


async def test_pickup_by_code(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        booking = cache.bookings(app.counter.store)[0].booking
        await log_in(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, PickupScreen)
        await pilot.press(*booking.code.lower(), "enter")
        await settle(pilot)
        assert booking.customer in text_of(app, "#pickup-result")
        await pilot.press(*booking.code, "enter")
        await settle(pilot)
        assert text_of(app, "#pickup-result") == ""  # a second pickup is refused
        found = cache.get_booking(app.counter.store, booking.code)
        assert found is not None and found.picked_up_by == "c01"
    assert booking.tickets[0].id.encode() in terminal.tickets.read_bytes()


async def test_refund_needs_a_supervisor(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        outcome = await app.counter.sell(
            Order(
                showtime_id="st-001",
                cashier_id="c01",
                ticket_types=["adult"],
                tenders=[Tender(PaymentMethod.CASH, 8000)],
                count=1,
            )
        )
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, SalesScreen)
        await pilot.press("f", *"c01", "tab", *"1111", "enter")
        await settle(pilot)
        assert sales.get(app.counter.store, outcome.sale.id).state != "refunded"
        await pilot.press("f", *"s01", "tab", *"9999", "enter")
        await settle(pilot)
        assert sales.get(app.counter.store, outcome.sale.id).state == "refunded"
        assert "refunded" in text_of(app, "#sales-message")


async def test_three_wrong_pins_lock_the_counter(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot, pin="0000")
        assert "PIN wrong" in text_of(app, "#login-message")
        await pilot.press(*"0000", "enter")
        await pilot.press(*"0000", "enter")
        await settle(pilot)
        assert "PIN_LOCKED" in text_of(app, "#login-message")
        assert app.screen.query_one("#login-box").disabled
        await pilot.press(*"1111", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
