"""Login first, counter after: the login is up before the counter is built and opened, what the
cashier types meanwhile waits for it, and a terminal that cannot open says why."""

from __future__ import annotations

import threading
from pathlib import Path

from pos.cli.tui import counter_app
from pos.counter.errors import CounterError
from pos.counter.service import Counter
from pos.tui.app import PosApp
from pos.tui.screens import LoginScreen, ScheduleScreen, ShiftScreen
from tests.tui.conftest import Terminal
from tests.tui.test_flows import SIZE, log_in, settle


def gated(terminal: Terminal) -> tuple[threading.Event, PosApp]:
    """An app whose counter is built only once the gate opens: a slow start, on demand."""
    gate = threading.Event()

    def build() -> Counter:
        assert gate.wait(10), "the test never opened the gate"
        return Counter(terminal.home)

    return gate, PosApp(build, background=False, blink=False)


async def test_a_pin_typed_while_the_counter_opens_logs_in(terminal: Terminal) -> None:
    gate, app = gated(terminal)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LoginScreen)
        assert app.focused is not None and app.focused.id == "staff"
        await pilot.press(*"c01", "tab", *"1111", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen), "no counter yet: the PIN waits"
        gate.set()
        await settle(pilot)
        assert isinstance(app.screen, ShiftScreen), "no shift yet: the login leads to opening one"
        assert isinstance(app.screen_stack[-2], ScheduleScreen)
        assert app.cashier is not None and app.cashier.id == "c01"


async def test_the_language_chosen_while_starting_is_kept(terminal: Terminal) -> None:
    gate, app = gated(terminal)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert app.language == "zh"
        gate.set()
        await settle(pilot)
        assert app.language == "zh"
        assert app.counter.settings.language == "zh", "kept, as F2 keeps it"


async def test_a_terminal_that_cannot_open_exits_with_the_reason(tmp_path: Path) -> None:
    app = counter_app(tmp_path / "not-enrolled", background=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert isinstance(app.open_error, CounterError)
    assert app.open_error.code == "NOT_ENROLLED"
    assert app.return_code == 2


async def test_a_first_start_with_every_background_worker_shows_no_error(
    terminal: Terminal,
) -> None:
    """As `pos run` starts: probes, sync, lease upkeep and the print worker all at once on a
    terminal that never ran (its print queue's table is made on this start). Before the print
    queue moved to the terminal's open, this start toasted "database is locked"."""
    app = terminal.app(background=True)
    shown: list[tuple[str, str]] = []
    notify = app.notify

    def recorded(message: str, **options: object) -> None:
        shown.append((str(options.get("severity", "information")), message))
        notify(message, **options)  # type: ignore[arg-type]

    app.notify = recorded  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await settle(pilot)
        for _ in range(30):  # three probe and sync rounds
            await pilot.pause(0.1)
        assert isinstance(app.screen, ScheduleScreen)
    assert [m for severity, m in shown if severity == "error"] == []
