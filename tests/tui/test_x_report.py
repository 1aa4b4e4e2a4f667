"""The X report and the drawer's cash in and out, in the TUI: the open shift's figures so far
(nothing closed), a supervisor's bank drop with a reason that shows in it at once, and bad
input refused in the dialog with nothing recorded."""

from __future__ import annotations

from textual.pilot import Pilot

from contract.models import PaymentMethod
from contract.money import format_money as money
from offline import journal, shifts
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.tui.app import PosApp
from pos.tui.screens import ScheduleScreen, XReportScreen
from pos.tui.screens.shift import ShiftScreen
from pos.tui.widgets import CashDialog, SupervisorDialog, Table, Words
from tests.tui.conftest import Terminal
from tests.tui.test_flows import log_in, settle

SIZE = (120, 40)


def cells(app: PosApp, key: str) -> list[str]:
    table = app.screen.query_one("#xreport", Table)
    return [str(c) for c in table.get_row(key)]


def cash_moves(app: PosApp) -> list[journal.JournalEntry]:
    return [e for e in journal.entries(app.counter.store) if e.kind in ("cash_in", "cash_out")]


async def to_x_report(pilot: Pilot) -> None:
    await pilot.press("f6")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ShiftScreen)
    await pilot.press("f7")
    await settle(pilot)
    assert isinstance(pilot.app.screen, XReportScreen)


async def test_x_report_shows_the_open_shift_so_far_and_closes_nothing(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)  # float ¥100
        order = Order(
            showtime_id="st-003",
            cashier_id="c01",
            ticket_types=["adult"],
            tenders=[Tender(PaymentMethod.CASH, 20_000)],
            count=2,
        )
        outcome = await app.counter.sell(order)
        total = outcome.sale.total
        await to_x_report(pilot)

        assert cells(app, "sales")[1:] == ["1", money(total)]
        assert cells(app, "float")[2] == "¥100.00"
        assert cells(app, "cash-sales")[2] == money(total)
        assert cells(app, "expected")[2] == money(10_000 + total)
        shift = shifts.current(app.counter.store, "c01")
        assert shift is not None and shift.state == "open", "an X report closes nothing"

        await pilot.press("p")
        await settle(pilot)
        printed = terminal.tickets.read_bytes()
        assert b"X report (shift)" in printed and b"Z report" not in printed

        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, ScheduleScreen)


async def test_cash_out_with_a_reason_and_a_supervisor(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await to_x_report(pilot)

        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, CashDialog)
        await pilot.press(*"30", "enter", *"bank drop", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorDialog)
        await pilot.press(*"s01", "enter", *"9999", "enter")
        await settle(pilot)

        assert isinstance(app.screen, XReportScreen)
        [move] = cash_moves(app)
        assert (move.kind, move.amount, move.payload["reason"]) == ("cash_out", -3000, "bank drop")
        assert move.payload["supervisor_id"] == "s01"
        assert cells(app, "move-0")[2] == "-¥30.00"
        assert cells(app, "expected")[2] == "¥70.00"
        assert "30.00" in str(app.screen.query_one("#xreport-message", Words).render())

        await pilot.press("i", *"20", "enter", *"change", "enter", *"s01", "enter")
        await pilot.press(*"9999", "enter")
        await settle(pilot)
        assert cells(app, "expected")[2] == "¥90.00"


async def test_bad_cash_input_is_refused_in_the_dialog_and_nothing_is_recorded(
    terminal: Terminal,
) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await to_x_report(pilot)
        await pilot.press("i", *"abc", "enter", *"float top-up", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CashDialog), "a wrong amount keeps the dialog up"
        assert "BAD_AMOUNT" in str(app.screen.query_one("#cash-message", Words).render())

        amount = app.screen.query_one("#cash-amount")
        amount.value = "0"  # type: ignore[attr-defined]
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CashDialog), "nothing to move: refused"
        assert str(app.screen.query_one("#cash-reason").value) == "float top-up"  # type: ignore[attr-defined]

        amount.value = "20"  # type: ignore[attr-defined]
        app.screen.query_one("#cash-reason").value = " "  # type: ignore[attr-defined]
        app.screen.query_one("#cash-reason").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CashDialog), "no reason: refused"

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, XReportScreen)
        await pilot.press("o", *"20", "enter", *"drop", "enter", *"s01", "enter", *"0000", "enter")
        await settle(pilot)
        assert cash_moves(app) == [], "a wrong supervisor PIN moves nothing"
        assert cells(app, "expected")[2] == "¥100.00"
