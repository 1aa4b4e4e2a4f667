"""The cashier's shift: open it with a counted float, close it with a blind count (the expected
amount appears only after counting), and close the business day with a supervisor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from pos.tui.i18n import clock, money, t
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import Field, SupervisorDialog, Words

if TYPE_CHECKING:
    from offline.shifts import Shift
    from pos.counter.shifts import Closing


class ShiftScreen(CounterScreen):
    TITLE_KEY = "shift.title"
    BINDINGS = [
        Binding("f7", "x_report", "key.x_report"),
        Binding("f9", "close_day", "key.close_day"),
        Binding("escape", "back", "key.back"),
    ]

    @dataclass
    class ShiftOpened(Message):
        """The cashier's shift opened with its counted float."""

        shift: Shift

    @dataclass
    class ShiftClosed(Message):
        """The cashier's shift closed; its Z report waits in the print queue."""

        closing: Closing

    @dataclass
    class DayClosed(Message):
        """The business day closed; its Z report waits in the print queue."""

        closing: Closing

    class XReportChosen(Message):
        """The cashier asked for the open shift's X report (and the drawer's cash in/out)."""

    def compose_body(self) -> ComposeResult:
        yield Words(id="shift-state", classes="hint")
        yield Field(placeholder=t("shift.counts"), id="counts")
        yield Field(placeholder=t("login.pin"), password=True, id="shift-pin")
        yield Words(id="shift-result")

    def on_mount(self) -> None:
        super().on_mount()
        self.describe()
        self.query_one("#counts", Input).focus()

    def relabel(self) -> None:
        self.query_one("#counts", Input).placeholder = t("shift.counts")
        self.query_one("#shift-pin", Input).placeholder = t("login.pin")
        self.describe()

    def describe(self) -> None:
        shift = self.counter.current_shift(self.cashier_id)
        state = self.query_one("#shift-state", Words)
        if shift is None:
            state.say("shift.none", cashier=self.cashier_id)
        else:
            since = clock(shift.opened_at, self.counter.settings.timezone)
            state.say("shift.open", id=shift.id, since=since)

    @on(Input.Submitted, "#counts")
    def _counted(self) -> None:
        self.query_one("#shift-pin", Input).focus()

    @on(Input.Submitted, "#shift-pin")
    def _pin_entered(self) -> None:
        counts = self.query_one("#counts", Input).value
        pin = self.query_one("#shift-pin", Input).value
        self.query_one("#shift-pin", Input).value = ""
        self.open_or_close(counts, pin)

    @work(exclusive=True, group="shift", exit_on_error=False)
    async def open_or_close(self, counts_text: str, pin: str) -> None:
        # lazy, for start-up speed (see pos/tui/app.py)
        from pos.counter.shifts import parse_counts

        counts = parse_counts(counts_text)
        result = self.query_one("#shift-result", Words)
        if self.counter.current_shift(self.cashier_id) is None:
            shift = self.counter.shifts.open_shift(self.cashier_id, pin, counts)
            result.say("shift.opened", id=shift.id, float=money(shift.float_total))
            self.post_message(self.ShiftOpened(shift))
        else:
            closing = await self.counter.shifts.close_shift(self.cashier_id, pin, counts)
            cash = closing.report.cash
            result.say(
                "shift.closed",
                expected=money(cash.expected),
                counted=money(cash.counted or 0),
                variance=money(cash.variance or 0),
                central=central_words(closing.answer),
            )
            self.post_message(self.ShiftClosed(closing))
        counts_field = self.query_one("#counts", Input)
        counts_field.value = ""
        counts_field.focus()
        self.describe()

    def action_x_report(self) -> None:
        if self.counter.current_shift(self.cashier_id) is None:
            self.query_one("#shift-result", Words).say("xreport.no_shift", cashier=self.cashier_id)
            return
        self.post_message(self.XReportChosen())

    def action_close_day(self) -> None:
        def answered(credentials: tuple[str, str] | None) -> None:
            if credentials is not None:
                self.close_day(*credentials)

        self.app.push_screen(SupervisorDialog(t("key.close_day")), answered)

    @work(exclusive=True, group="shift", exit_on_error=False)
    async def close_day(self, supervisor: str, pin: str) -> None:
        closing = await self.counter.shifts.close_day(supervisor_id=supervisor, pin=pin)
        self.query_one("#shift-result", Words).say(
            "shift.day_closed",
            day=closing.report.scope.business_date.isoformat(),
            central=central_words(closing.answer),
        )
        self.post_message(self.DayClosed(closing))

    def action_back(self) -> None:
        self.dismiss()


def central_words(answer: dict[str, object] | None) -> str:
    """What the central said of the report, in one sentence."""
    if answer is None:
        return t("shift.central_queued")
    differences = answer.get("differences") or []
    if differences:
        return t("shift.central_diff", n=len(differences))  # type: ignore[arg-type]
    return t(
        "shift.central_ok",
        n=answer.get("central_sales_count", 0),
        gross=money(int(answer.get("central_gross", 0))),  # type: ignore[arg-type]
    )
