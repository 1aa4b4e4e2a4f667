"""Pilot-driven counter flows against the real reference central on loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from textual.pilot import Pilot

from central.server import CentralThread
from contract.models import PaymentMethod
from offline import cache, outbox, sales
from offline.store import Store
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
from pos.tui.widgets import ConfirmDialog, RefundDialog, Words
from tests.tui.conftest import Terminal

SIZE = (120, 40)


async def settle(pilot: Pilot) -> None:
    """Let workers finish and the screen catch up: waiting, not sleeping."""
    await pilot.app.typeahead.drained()  # type: ignore[attr-defined]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def open_shift(app: PosApp, staff: str = "c01", pin: str = "1111") -> None:
    """The drawer opened with ¥100, as `pos shift open --float 100x1` does: money moves only
    through an open shift."""
    if app.counter.current_shift(staff) is None:
        app.counter.shifts.open_shift(staff, pin, {10000: 1})


async def log_in(
    pilot: Pilot, staff: str = "c01", pin: str = "1111", *, shift: bool = True
) -> None:
    """Log in; with `shift`, a shift is open first, so the login goes straight to the
    schedule (without one, it leads into opening one)."""
    if shift:
        await pilot.app.opened_counter()
        open_shift(pilot.app, staff, pin)
    await pilot.press(*staff, "tab", *pin, "enter")
    await settle(pilot)


async def until(pilot: Pilot, check: Callable[[], bool], seconds: float = 15.0) -> None:
    """Wait for what runs on its own clock (the probe loop, a slow central under load)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.1)
        await pilot.pause()


async def choose_two_seats(pilot: Pilot) -> None:
    """From the schedule: the first showtime (the 738-seat IMAX), two seats together. Waits
    for the map and for the hold rather than a fixed settle: a loaded central (pretix beside
    the benchmarks) can take longer than the keyboard's hold limit to send a map."""
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, SeatsScreen)
    await until(pilot, pilot.app.screen.is_ready, 60.0)
    await pilot.press("2", "b", "enter")
    await settle(pilot)
    await until(pilot, lambda: not isinstance(pilot.app.screen, SeatsScreen), 60.0)
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
        # the chosen seats are not this counter's to sell offline: the cashier is asked first
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
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


async def test_pickup_by_code_shows_the_booking_and_asks_first(terminal: Terminal) -> None:
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
        assert isinstance(app.screen, ConfirmDialog), "the booking is shown before printing"
        shown = text_of(app, "#confirm-question")
        assert booking.customer in shown and booking.tickets[0].seat in shown
        assert not terminal.tickets.exists() or booking.tickets[0].id.encode() not in (
            terminal.tickets.read_bytes()
        )
        await pilot.press("enter")
        await settle(pilot)
        assert booking.customer in text_of(app, "#pickup-result")
        await pilot.press(*booking.code, "enter")
        await settle(pilot)
        assert "already picked up" in text_of(app, "#pickup-message")
        found = cache.get_booking(app.counter.store, booking.code)
        assert found is not None and found.picked_up_by == "c01"
    assert booking.tickets[0].id.encode() in terminal.tickets.read_bytes()


async def sell_two(app: PosApp) -> str:
    """Two adult tickets of the first showtime, paid ¥200 cash: the sale's id."""
    outcome = await app.counter.sell(
        Order(
            showtime_id="st-001",
            cashier_id="c01",
            ticket_types=["adult"],
            tenders=[Tender(PaymentMethod.CASH, 20000)],
            count=2,
        )
    )
    return outcome.sale.id


async def test_refund_per_ticket_with_reason_says_the_cash_to_give_back(
    terminal: Terminal,
) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        sale_id = await sell_two(app)
        first, second = sorted(sales.get(app.counter.store, sale_id).tickets, key=lambda t: t.seat)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, SalesScreen)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, RefundDialog)
        assert "¥160.00" in text_of(app, "#refund-money"), "both tickets ticked at first"
        await pilot.press("space")  # the first ticket stays sold
        await settle(pilot)
        assert "give back ¥80.00 in cash" in text_of(app, "#refund-money")
        await pilot.press("tab", *"plans changed", "enter")
        await settle(pilot)
        await pilot.press(*"c01", "tab", *"1111", "enter")  # not a supervisor
        await settle(pilot)
        assert sales.get(app.counter.store, sale_id).refunded == 0
        await pilot.press("f", "space", "enter", *"s01", "tab", *"9999", "enter")
        await settle(pilot)
        sale = sales.get(app.counter.store, sale_id)
        assert sale.refunded == 8000 and sale.state == "printed"
        assert {t.id for t in sale.tickets if t.refunded} == {second.id}
        assert first.seat < second.seat
        said = text_of(app, "#sales-message")
        assert "refunded ¥80.00" in said and "Give back ¥80.00 in cash" in said


async def test_reprint_of_a_refunded_sale_is_refused_on_the_list(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        sale_id = await sell_two(app)
        await app.counter.refund(sale_id, "s01", "9999", cashier_id="c01")
        app.counter.print_pending()
        printed = terminal.tickets.read_bytes()
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "no longer valid" in text_of(app, "#sales-message")
        app.counter.print_pending()
        assert terminal.tickets.read_bytes() == printed, "nothing reprinted"


async def test_three_wrong_pins_lock_the_counter(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot, pin="0000", shift=False)
        assert "PIN wrong" in text_of(app, "#login-message")
        await pilot.press(*"0000", "enter")
        await pilot.press(*"0000", "enter")
        await settle(pilot)
        assert "PIN_LOCKED" in text_of(app, "#login-message")
        assert app.screen.query_one("#login-box").disabled
        await pilot.press(*"1111", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)


async def test_the_bar_shows_held_items_and_conflicts(terminal: Terminal) -> None:
    """What the central refused stays in sight: held items (retried) and conflicts (for the
    supervisor) are on the bar, not only in a log."""
    with Store.open(terminal.home.store_path) as store:
        outbox.enqueue(store, "release", "k-held", {"lease_id": "L1", "seats": ["A1"]})
        held = outbox.claim(store, 1)[0]
        later = datetime.now(UTC) + timedelta(hours=1)
        outbox.retry_later(store, held.id, "held: expired token", later)
        outbox.enqueue(store, "pickup", "k-conflict", {"code": "X", "cashier_id": "c01"})
        lost = outbox.claim(store, 1)[0]
        outbox.give_up(store, lost.id, "conflict: already picked up")
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = str(app.screen.query_one("#status-bar").render())
        assert "(1 held)" in bar and "1 CONFLICT(S): supervisor" in bar, bar
