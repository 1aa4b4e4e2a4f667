"""The demo's drill key: F12 takes the demo's own central down (connections refused) and brings
it back, and the bar follows, OFFLINE at once and ONLINE again after the probes; a counter
that is not a demo has no such key."""

from __future__ import annotations

import httpx
from textual.widgets import Static

from pos.counter.connectivity import Mode
from pos.tui.app import PosApp
from pos.tui.screens import HelpScreen
from pos.tui.widgets import StatusBar
from tests.tui.conftest import Terminal
from tests.tui.test_flows import log_in, settle, until

SIZE = (120, 40)


def help_text(app: PosApp) -> str:
    assert isinstance(app.screen, HelpScreen)
    return "\n".join(str(s.render()) for s in app.screen.query(Static))


def bar(app: PosApp) -> str:
    return str(app.screen.query_one(StatusBar).render())


def central_answers(terminal: Terminal) -> bool:
    try:
        httpx.get(f"{terminal.central.url}/v1/health", timeout=1.0)
    except httpx.TransportError:
        return False
    return True


async def test_f12_takes_the_demo_central_down_and_brings_it_back(terminal: Terminal) -> None:
    app = terminal.app(drill=terminal.central, background=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await until(pilot, lambda: app.counter.breaker.mode == Mode.ONLINE)
        assert "ONLINE" in bar(app)
        assert "Central down/up" in str(app.screen.query_one("#key-bar").render())
        await pilot.press("f1")
        await settle(pilot)
        assert "F12" in help_text(app) and "Central down/up" in help_text(app)
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("f12")
        await until(pilot, lambda: app.counter.breaker.mode == Mode.OFFLINE)
        assert not central_answers(terminal), "the central is really down"
        await until(pilot, lambda: "OFFLINE" in bar(app))

        await pilot.press("f12")
        await until(pilot, lambda: central_answers(terminal))
        await until(pilot, lambda: "ONLINE" in bar(app))
        assert app.counter.breaker.mode == Mode.ONLINE


async def test_no_drill_key_outside_the_demo(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        assert "Central down/up" not in str(app.screen.query_one("#key-bar").render())
        await pilot.press("f1")
        await settle(pilot)
        assert "Central down/up" not in help_text(app), "F1 does not list it either"
        await pilot.press("escape")
        await pilot.press("f12")
        await settle(pilot)
        assert central_answers(terminal), "a counter at a cinema cannot switch its central off"
