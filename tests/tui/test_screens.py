"""The screens at 80×24 and after a language switch: nothing squashed, nothing cut that the
cashier needs; search that finds nothing says so, and pinyin works; pickup by name."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from offline import cache
from pos.tui.screens import PickupScreen, SalesScreen, ScheduleScreen, SeatsScreen
from pos.tui.widgets import ConfirmDialog, KeyBar, SeatMap, StatusBar, Table
from tests.tui.conftest import Terminal
from tests.tui.test_flows import log_in, sell_two, settle, text_of

SMALL = (80, 24)


def line(table: DataTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


class OneTable(App[None]):
    def compose(self) -> ComposeResult:
        yield Table()


async def test_a_refilled_table_is_drawn_at_its_widths_at_once() -> None:
    """DataTable measured new widths only on idle and kept lines drawn before at the old ones:
    after F2 the columns were squashed to their headers."""
    app = OneTable()
    async with app.run_test(size=SMALL) as pilot:
        table = app.query_one(Table)
        table.show(["Time", "Film"], [("1", ["09:00", "2001: A Space Odyssey"])])
        await pilot.pause()
        table.show(["时间", "影片"], [("1", ["09:00", "2001太空漫游"])])
        assert "09:00  2001太空漫游" in line(table, 1), "drawn before the next idle"
        await pilot.pause()
        assert "09:00  2001太空漫游" in line(table, 1)


async def test_f2_keeps_the_schedule_columns_wide(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await pilot.press("f2")
        table = app.screen.query_one("#showtimes", Table)
        assert "09:00" in line(table, 1)
        await settle(pilot)
        assert "09:00" in line(table, 1)


async def test_80x24_schedule_bar_and_keys(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await log_in(pilot)
        assert isinstance(app.screen, ScheduleScreen)
        table = app.screen.query_one("#showtimes", Table)
        assert "¥" in line(table, 1), "the price column is on screen"
        bar = str(app.screen.query_one(StatusBar).render())
        assert app.shift is not None and app.shift in bar, "the bar keeps the shift"
        assert app.status is not None and app.status.business_date[5:] in bar, "and the day"
        keys = str(app.screen.query_one(KeyBar).render())
        for description in ("Pickup", "Refund/void", "Refresh", "Shift", "Log out", "中文"):
            assert description in keys, f"{description} cut from the footer"


async def test_80x24_seat_map_cursor_on_screen(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await pilot.press("enter")  # the 738-seat IMAX: 25 rows
        await settle(pilot)
        assert isinstance(app.screen, SeatsScreen)
        seat_map = app.screen.query_one(SeatMap)
        cursor = seat_map._cell_region(seat_map.cursor)
        visible = seat_map.scrollable_content_region.size
        top = seat_map.scroll_offset.y
        assert top <= cursor.y < top + visible.height, "the cursor's seat is in view"


async def test_80x24_sales_list_shows_film_and_whole_states(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await log_in(pilot)
        sale_id = await sell_two(app)
        await app.counter.void(sale_id, "s01", "9999", cashier_id="c01")
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, SalesScreen)
        row = line(app.screen.query_one("#sales", Table), 1)
        assert "st-001" not in row, "the film, not the internal id"
        assert "voided" in row and "¥160.00" in row


async def test_search_that_finds_nothing_says_so_and_pinyin_finds(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await pilot.press(*"zzz")
        await settle(pilot)
        assert "No film today matches" in text_of(app, "#schedule-message")
        await pilot.press("backspace", "backspace", "backspace", *"bwbj")
        await settle(pilot)
        table = app.screen.query_one("#showtimes", Table)
        films = {str(table.get_row_at(y)[1]) for y in range(table.row_count)}
        assert films == {"Farewell My Concubine"}
        assert not app.screen.query_one("#schedule-message").display


async def test_pickup_by_customer_name(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await log_in(pilot)
        booking = cache.bookings(app.counter.store)[0].booking
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, PickupScreen)
        await pilot.press(*"nobody", "enter")
        await settle(pilot)
        assert "No booking today matches" in text_of(app, "#pickup-message")
        app.screen.query_one("#code").value = booking.customer  # typed in Chinese
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert booking.code in text_of(app, "#confirm-question")
        await pilot.press("enter")
        await settle(pilot)
        assert booking.customer in text_of(app, "#pickup-result")
