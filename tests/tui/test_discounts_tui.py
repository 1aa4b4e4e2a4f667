"""Discounts at the ticket-type screen: D gives the highlighted ticket the cinema's member
price, a staff ticket or a coupon; a code that is unknown, or not for that ticket type, is
refused there and the price stays; the sale goes through at the discounted prices."""

from __future__ import annotations

from pos.tui.screens import PaymentScreen, ResultScreen, TicketsScreen
from pos.tui.widgets import DiscountDialog, Table
from tests.tui.conftest import Terminal
from tests.tui.test_flows import choose_two_seats, log_in, settle, text_of

SIZE = (120, 40)


def basket(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#basket", Table)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_member_price_and_a_refused_coupon_then_the_sale(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await choose_two_seats(pilot)  # the first showtime: festival prices, adult ¥80
        assert isinstance(app.screen, TicketsScreen)

        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DiscountDialog)
        assert "MEMBER" in str(app.screen.query_one(".hint").render())
        assert "SPRING10" not in str(app.screen.query_one(".hint").render()), "coupons unlisted"
        await pilot.press(*"member", "enter")
        await settle(pilot)
        first, second = basket(app)
        assert first[1:] == ["Adult · Member price", "¥64.00"]
        assert second[1:] == ["Adult", "¥80.00"]

        await pilot.press("down", "d", *"nope", "enter")
        await settle(pilot)
        assert "UNKNOWN_DISCOUNT" in text_of(app, "#tickets-message")
        assert basket(app)[1][1:] == ["Adult", "¥80.00"], "a wrong code changes nothing"

        await pilot.press("4")  # the second ticket becomes a child's: ¥40
        await pilot.press("up", "d", *"STAFF", "enter")
        await settle(pilot)
        assert basket(app)[0][1:] == ["Adult · Staff ticket", "¥10.00"]
        await pilot.press("down", "d", *"member", "enter")
        await settle(pilot)
        assert "DISCOUNT_NOT_FOR_TYPE" in text_of(app, "#tickets-message")
        assert "¥50.00" in text_of(app, "#total")

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        assert "¥50.00" in text_of(app, ".total")
        await pilot.press(*"50", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ResultScreen)
        sale = app.counter.sale(app.screen.outcome.sale.id)
        assert sale.total == 5000
        assert sorted((t.ticket_type, t.price, t.discount) for t in sale.tickets) == [
            ("adult", 1000, "STAFF"),
            ("child", 4000, None),
        ]

        await pilot.press("enter", "f6")
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        row = app.screen.query_one("#xreport", Table).get_row("discount-STAFF")
        assert [str(c) for c in row] == ["  Staff ticket", "1", "¥10.00"], "in the X/Z report"


async def test_a_ticket_type_the_discount_is_not_for_drops_it(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await choose_two_seats(pilot)
        await pilot.press("d", *"MEMBER", "enter", "a")  # both tickets at the member price
        await settle(pilot)
        assert [row[1] for row in basket(app)] == ["Adult · Member price"] * 2
        await pilot.press("4")  # the first becomes a child's: no member price for children
        await settle(pilot)
        assert basket(app)[0][1:] == ["Child", "¥40.00"]
        assert basket(app)[1][1:] == ["Adult · Member price", "¥64.00"]
