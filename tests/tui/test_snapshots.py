"""Snapshots of the main screens at 80×24 and 120×40, in English and Chinese (schedule, seat
map, payment, discount, sales list, X report, cash out and seat exchange at 80×24 in both).

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
    await pilot.app.typeahead.drained()  # type: ignore[attr-defined]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def login(pilot: Pilot) -> None:
    """With a shift open (the snapshot day's first, kept in the shared store)."""
    await settle(pilot)
    counter = await pilot.app.opened_counter()  # type: ignore[attr-defined]
    if counter.current_shift("c01") is None:
        counter.shifts.open_shift("c01", "1111", {10000: 1})
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


async def discount(pilot: Pilot) -> None:
    """The ticket-type screen's discount dialog, a member price being typed."""
    await seats(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("d", *"member")
    await settle(pilot)


async def sales_list(pilot: Pilot) -> None:
    """This counter's sales: one of two adults (sold once, the first time), then F4."""
    from contract.models import PaymentMethod
    from pos.counter.payments import Tender
    from pos.counter.selling import Order

    await login(pilot)
    counter = pilot.app.counter  # type: ignore[attr-defined]
    if not counter.recent_sales():
        order = Order(
            showtime_id="st-003",
            cashier_id="c01",
            ticket_types=["adult"],
            tenders=[Tender(PaymentMethod.CASH, 20000)],
            count=2,
        )
        await counter.sell(order)
    await pilot.press("f4")
    await settle(pilot)


async def x_report(pilot: Pilot) -> None:
    """The open shift so far (after the sales list's sale): F6, then F7."""
    await sales_list(pilot)
    await pilot.press("escape", "f6")
    await settle(pilot)
    await pilot.press("f7")
    await settle(pilot)


async def cash_out(pilot: Pilot) -> None:
    await x_report(pilot)
    await pilot.press("o", *"50", "enter", *"bank")
    await settle(pilot)


async def exchange(pilot: Pilot) -> None:
    """The sales list's sale exchanged for two seats of the first showtime: the question."""
    await sales_list(pilot)
    await pilot.press("x")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("2", "b", "enter")
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
    "schedule-en-small": (login, "en", SMALL, False),
    "seats-en-large": (seats, "en", LARGE, False),
    "seats-en-small": (seats, "en", SMALL, False),
    "seats-zh-small": (seats, "zh", SMALL, False),
    "seats-zh-large": (seats, "zh", LARGE, False),
    "offline-schedule-en-small": (login, "en", SMALL, True),
    "offline-seats-zh-large": (seats, "zh", LARGE, True),
    # Last: reaching the payment screen holds seats at the shared central.
    "payment-en-small": (payment, "en", SMALL, False),
    "payment-zh-small": (payment, "zh", SMALL, False),
    "payment-zh-large": (payment, "zh", LARGE, False),
    "discount-en-small": (discount, "en", SMALL, False),
    "discount-zh-small": (discount, "zh", SMALL, False),
    # Last: a sale at the shared central.
    "sales-en-small": (sales_list, "en", SMALL, False),
    "sales-zh-small": (sales_list, "zh", SMALL, False),
    "xreport-en-small": (x_report, "en", SMALL, False),
    "xreport-zh-small": (x_report, "zh", SMALL, False),
    "cash-out-en-small": (cash_out, "en", SMALL, False),
    "cash-out-zh-small": (cash_out, "zh", SMALL, False),
    # Last: holds seats for an exchange at the shared central.
    "exchange-en-small": (exchange, "en", SMALL, False),
    "exchange-zh-small": (exchange, "zh", SMALL, False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_screen(case: str, snapshot_terminal: Terminal, snap_compare) -> None:
    steps, language, size, offline = CASES[case]
    app = snapshot_terminal.app(
        language=language, offline=offline, clock=lambda: SNAPSHOT_NOW, blink=False
    )
    assert snap_compare(app, terminal_size=size, run_before=steps)
