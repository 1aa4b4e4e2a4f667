"""Seat exchange from the sales list: X, then the showtime and the seats as for a sale, then a
question that says what the customer pays or gets back; the old tickets go back and the new
ones print. Esc on the schedule gives an exchange up, and the next seats are a sale again."""

from __future__ import annotations

from contract.models import PaymentMethod
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.tui.app import PosApp
from pos.tui.screens import SalesScreen, ScheduleScreen, SeatsScreen, TicketsScreen
from pos.tui.widgets import ConfirmDialog, Table
from tests.tui.conftest import Terminal
from tests.tui.test_flows import log_in, settle, text_of

SIZE = (120, 40)


async def sold_two(app: PosApp) -> str:
    """Two adults at ¥60 in a regular showtime (not the first, a festival one at ¥80)."""
    st = next(s.id for s in app.counter.schedule().showtimes if s.prices["adult"] == 6000)
    order = Order(st, "c01", ["adult"], [Tender(PaymentMethod.CASH, 12_000)], count=2)
    return (await app.counter.sell(order)).sale.id


async def test_exchange_from_the_sales_list_to_the_festival_showtime(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        sale_id = await sold_two(app)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, SalesScreen)
        assert app.screen.query_one("#sales", Table).highlighted_key() == sale_id
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ScheduleScreen)
        assert "EXCHANGE" in text_of(app, "#exchange-banner")

        await pilot.press("enter")  # the first showtime: the festival IMAX, adult ¥80
        await settle(pilot)
        assert isinstance(app.screen, SeatsScreen)
        await pilot.press("2", "b", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog), "asked, not sold straight away"
        question = text_of(app, "#confirm-question")
        assert "pays ¥40.00 more" in question

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ScheduleScreen)
        assert app.exchanging is None
        old = app.counter.sale(sale_id)
        assert old.state == "refunded"
        newest = app.counter.recent_sales()[0]
        assert newest.id != sale_id and newest.total == 16_000 and newest.state == "printed"
        assert newest.tickets[0].id.encode() in terminal.tickets.read_bytes(), "printed"


async def test_esc_gives_the_exchange_up_and_a_wrong_count_is_refused(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        sale_id = await sold_two(app)
        await pilot.press("f4", "x")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("3", "b", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SeatsScreen), "three seats for two tickets: refused"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ScheduleScreen) and app.exchanging is not None
        await pilot.press("escape")
        await settle(pilot)
        assert app.exchanging is None
        assert not app.screen.query_one("#exchange-banner").display
        assert app.counter.sale(sale_id).state != "refunded"

        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("2", "b", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketsScreen), "a plain sale again"


async def test_a_sale_refunded_meanwhile_is_said_not_crashed_on(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        sale_id = await sold_two(app)
        await pilot.press("f4", "x")
        await settle(pilot)
        await app.counter.refund(sale_id, "s01", "9999", cashier_id="c01")  # at another desk
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("2", "b", "enter")
        await settle(pilot)
        assert app.exchanging is None, "given up, with the reason shown"
        assert isinstance(app.screen, SeatsScreen)
        assert app.counter.recent_sales()[0].id == sale_id, "nothing new sold"
