"""The till rules at the counter: no money moves without an open shift, so the login leads into
opening one; a blind close; the day's close with a supervisor; and Ctrl+Q asks first while a
shift is open or sales still wait to reach the central."""

from __future__ import annotations

from textual.pilot import Pilot

from offline import shifts
from pos.tui.screens import ScheduleScreen
from pos.tui.screens.shift import ShiftScreen
from pos.tui.widgets import ConfirmDialog, Words
from tests.tui.conftest import Terminal
from tests.tui.test_flows import log_in


async def settle(pilot: Pilot) -> None:
    await pilot.app.typeahead.drained()  # type: ignore[attr-defined]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def said(pilot: Pilot, selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Words).render())


async def test_login_leads_into_opening_a_shift_then_to_the_schedule(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await log_in(pilot, shift=False)
        assert isinstance(app.screen, ShiftScreen), "no shift: the login leads into opening one"
        assert "c01" in said(pilot, "#shift-state")

        await pilot.press(*"100x2,10x5", "enter", *"1111", "enter")
        await settle(pilot)
        opened = shifts.current(app.counter.store, "c01")
        assert opened is not None and opened.float_total == 25_000
        assert isinstance(app.screen, ScheduleScreen), "the drawer is open: on to selling"
        assert opened.id in str(app.screen.query_one("StatusBar").render())


async def test_no_shift_no_seat_map(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await log_in(pilot, shift=False)
        await pilot.press("escape")  # the cashier walks away from the shift screen
        await settle(pilot)
        assert isinstance(app.screen, ScheduleScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ShiftScreen), "a showtime leads to opening a shift first"


async def test_close_shift_blind_and_the_day(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.app.opened_counter()
        app.counter.shifts.open_shift("c01", "1111", {10000: 2, 1000: 5})
        await log_in(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, ShiftScreen)

        await pilot.press(*"100x2,10x4", "enter", *"1111", "enter")
        await settle(pilot)
        assert shifts.current(app.counter.store, "c01") is None
        result = said(pilot, "#shift-result")
        assert "250.00" in result and "240.00" in result, "expected shown only after the count"
        assert "-" in result and "10.00" in result

        await pilot.press("f9")
        await settle(pilot)
        await pilot.press(*"s01", "enter", *"9999", "enter")
        await settle(pilot)
        assert "closed" in said(pilot, "#shift-result")


async def test_ctrl_q_asks_while_a_shift_is_open(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog), "a shift is open: asked first"
        assert shifts.current(app.counter.store, "c01").id in said(pilot, "#confirm-question")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ScheduleScreen), "still at the counter"
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
    assert app.return_code == 0


async def test_ctrl_q_without_a_shift_or_queue_quits_at_once(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
    assert app.return_code == 0
