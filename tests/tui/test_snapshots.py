"""Snapshots of the main screens at 80×24 and 120×40, in English and Chinese.

Deterministic: a fixed business day and frozen clock, the seeded central with nothing sold,
no background loops, no cursor blink. Update with `pytest tests/tui --snapshot-update`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import SNAPSHOT_NOW, Terminal

SMALL = (80, 24)
LARGE = (120, 40)

Steps = Callable[[Pilot], Awaitable[None]]


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def login(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press(*"c01", "tab", *"1111", "enter")
    await settle(pilot)


async def seats(pilot: Pilot) -> None:
    """The first showtime is in the largest auditorium: 738 seats, 25 rows by 32."""
    await login(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("3", "b")
    await settle(pilot)


async def payment(pilot: Pilot) -> None:
    await seats(pilot)
    await pilot.press("enter")  # the seats are held at the central on the way
    await settle(pilot)
    await pilot.press("2", "enter")
    await settle(pilot)
    await pilot.press(*"200")
    await settle(pilot)


async def login_typed(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press(*"c01", "tab", *"12")
    await settle(pilot)


CASES = {
    "login-en-small": (login_typed, "en", SMALL, False),
    "login-zh-large": (login_typed, "zh", LARGE, False),
    "schedule-en-large": (login, "en", LARGE, False),
    "schedule-zh-small": (login, "zh", SMALL, False),
    "seats-en-large": (seats, "en", LARGE, False),
    "seats-en-small": (seats, "en", SMALL, False),
    "seats-zh-large": (seats, "zh", LARGE, False),
    "offline-schedule-en-small": (login, "en", SMALL, True),
    "offline-seats-zh-large": (seats, "zh", LARGE, True),
    # Last: reaching the payment screen holds seats at the shared central.
    "payment-en-small": (payment, "en", SMALL, False),
    "payment-zh-large": (payment, "zh", LARGE, False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_screen(case: str, snapshot_terminal: Terminal, snap_compare) -> None:
    steps, language, size, offline = CASES[case]
    app = snapshot_terminal.app(
        language=language, offline=offline, clock=lambda: SNAPSHOT_NOW, blink=False
    )
    assert snap_compare(app, terminal_size=size, run_before=steps)
