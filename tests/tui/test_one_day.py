"""One business day at the till: the day in the bar, the day in the shift's id and the day F9
closes are the same (the clock's, in the cinema's zone), even when the central sells ahead, as
the demo does (its seeded day is tomorrow, so every showtime is on sale); the schedule then says
which day its showtimes are of."""

from __future__ import annotations

from offline import shifts
from pos.tui.app import PosApp
from pos.tui.screens import ScheduleScreen
from pos.tui.screens.shift import ShiftScreen
from pos.tui.widgets import StatusBar, Words
from tests.tui.conftest import Terminal
from tests.tui.test_flows import log_in, settle

SIZE = (120, 40)


def bar(app: PosApp) -> str:
    return str(app.screen.query_one(StatusBar).render())


def said(app: PosApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Words).render())


async def test_the_bar_the_shift_and_f9_are_one_day_when_the_central_sells_ahead(
    terminal: Terminal,
) -> None:
    app = terminal.app()
    selling = terminal.central.business_date.isoformat()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot, shift=False)
        await pilot.press(*"100x1", "enter", *"1111", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ScheduleScreen)

        shift = shifts.current(app.counter.store, "c01")
        assert shift is not None
        day = shift.business_date.isoformat()
        assert day != selling, "the central sells tomorrow: the case that went wrong"
        assert day.replace("-", "") in shift.id
        assert f"│ {day} │" in bar(app), "the bar shows the shift's day"
        assert selling not in bar(app)
        assert selling in said(app, "#title"), "the showtimes say which day they are of"

        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, ShiftScreen)
        await pilot.press(*"100x1", "enter", *"1111", "enter")
        await settle(pilot)
        await pilot.press("f9", *"s01", "enter", *"9999", "enter")
        await settle(pilot)
        assert f"Business day {day} closed" in said(app, "#shift-result"), "F9 closes that day"
        assert shifts.day_closed(app.counter.store, shift.business_date) is not None
        assert f"│ {day} │" in bar(app)
