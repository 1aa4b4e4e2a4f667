"""Screens say what happened with messages; the app decides what follows.

Messages are captured with `run_test(message_hook=...)`: each call is one message arriving at
one message pump (a screen, then the app it bubbles up to)."""

from __future__ import annotations

from textual.message import Message

from pos.counter.errors import NotPaid
from pos.tui.messages import SaleCompleted, SeatsTaken, WorkerFailed
from pos.tui.screens import (
    HelpScreen,
    LoginScreen,
    PaymentScreen,
    ResultScreen,
    ScheduleScreen,
    SeatsScreen,
)
from tests.tui.conftest import Terminal
from tests.tui.test_flows import SIZE, choose_two_seats, log_in, settle


async def test_payment_screen_posts_sale_completed(terminal: Terminal) -> None:
    seen: list[tuple[Message, str]] = []
    app = terminal.app()

    def hook(message: Message) -> None:
        if isinstance(message, SaleCompleted):
            seen.append((message, type(app.screen).__name__))

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await choose_two_seats(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        await pilot.press(*"200", "enter")
        await settle(pilot)

        assert seen, "the payment screen said nothing"
        message, on_top = seen[0]
        assert on_top == "PaymentScreen", "posted while paying, before anything moved"
        assert isinstance(app.screen, ResultScreen), "the app put the result on top"
        assert app.screen.outcome is message.outcome
        assert isinstance(app.screen_stack[-2], ScheduleScreen), "the next customer starts there"


async def test_a_short_payment_reaches_the_one_error_handler(terminal: Terminal) -> None:
    seen: list[Message] = []
    app = terminal.app()
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await choose_two_seats(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"10", "enter")
        await settle(pilot)

        failures = [m for m in seen if isinstance(m, WorkerFailed)]
        assert failures and isinstance(failures[0].error, NotPaid)
        assert not any(isinstance(m, SaleCompleted) for m in seen)
        assert isinstance(app.screen, PaymentScreen)
        assert not app.screen.query_one("#payment-box").disabled


async def test_seats_taken_goes_back_to_the_seat_map(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await choose_two_seats(pilot)
        await pilot.press("enter")
        await settle(pilot)
        payment = app.screen
        assert isinstance(payment, PaymentScreen)
        payment.post_message(SeatsTaken(payment.showtime_id))
        await settle(pilot)
        assert isinstance(app.screen, SeatsScreen)
        assert app.screen.showtime_id == payment.showtime_id


async def test_help_lists_every_screen(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
