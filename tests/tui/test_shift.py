"""Shift open and blind close from the TUI, then the day's close with a supervisor."""

from __future__ import annotations

from textual.pilot import Pilot

from offline import shifts
from pos.tui.screens.shift import ShiftScreen
from pos.tui.widgets import Words
from tests.tui.conftest import Terminal


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def said(pilot: Pilot, selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Words).render())


async def test_open_close_shift_and_day(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"c01", "tab", *"1111", "enter")
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, ShiftScreen)
        assert "c01" in said(pilot, "#shift-state")

        await pilot.press(*"100x2,10x5", "enter", *"1111", "enter")
        await settle(pilot)
        opened = shifts.current(app.counter.store, "c01")
        assert opened is not None and opened.float_total == 25_000
        assert "250.00" in said(pilot, "#shift-result")
        assert opened.id in str(app.screen.query_one("StatusBar").render())

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
