"""The X report: the cashier's open shift so far (sales, returns, what the drawer should hold),
built from the journal by the same code as the Z report, without closing anything; and the
drawer's cash in and out, with a reason and a supervisor, which the report shows at once.

A cashier checks the drawer mid-shift (before a bank drop, at a handover) and a supervisor
takes a bank drop or tops up change here, rather than from a command line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding

from pos.tui.i18n import money, pick, t
from pos.tui.messages import PrintRequested
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import CashDialog, CashMove, SupervisorDialog, Table, Words

if TYPE_CHECKING:
    from offline.zreport import ZReport
    from pos.tui.widgets.cash_dialog import Direction
    from pos.tui.widgets.table import Row

COLUMNS = ("col.item", "col.count", "col.amount")
ITEM = COLUMNS.index("col.item")


class XReportScreen(CounterScreen):
    TITLE_KEY = "xreport.title"
    BINDINGS = [
        Binding("i", "cash('in')", "key.cash_in"),
        Binding("o", "cash('out')", "key.cash_out"),
        Binding("p", "print", "key.print_report"),
        Binding("escape", "back", "key.back"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Words(id="xreport-shift", classes="hint")
        yield Table(id="xreport", squeeze=ITEM)
        yield Words(id="xreport-message", classes="total")

    def on_mount(self) -> None:
        super().on_mount()
        self.fill()
        self.query_one("#xreport").focus()

    def relabel(self) -> None:
        self.fill()

    def report(self) -> ZReport | None:
        """The open shift's report as of now; None when the cashier has no open shift."""
        shift = self.counter.current_shift(self.cashier_id)
        if shift is None:
            return None
        report, _kept = self.counter.shifts.shift_report(shift.id)
        return report

    def fill(self) -> None:
        report = self.report()
        state = self.query_one("#xreport-shift", Words)
        if report is None:
            state.say("xreport.no_shift", cashier=self.cashier_id)
            rows: list[Row] = []
        else:
            state.say(
                "xreport.shift",
                id=report.scope.key,
                cashier=self.cashier_id,
                day=report.scope.business_date.isoformat(),
            )
            rows = list(self._rows(report))
        self.query_one("#xreport", Table).show([t(c) for c in COLUMNS], rows)

    def _rows(self, report: ZReport) -> Iterator[Row]:
        schedule = self.counter.schedule()
        names = {tt.code: pick(tt.name, tt.name_en) for tt in schedule.ticket_types}
        discounts = {d.code: pick(d.name, d.name_en) for d in schedule.cinema.discounts}
        yield "sales", [t("xreport.sales"), str(report.sales.count), money(report.sales.amount)]
        for code, tally in sorted(report.by_ticket_type.items()):
            yield (
                f"type-{code}",
                [f"  {names.get(code, code)}", str(tally.count), money(tally.amount)],
            )
        for code, tally in sorted(report.by_discount.items()):
            name = discounts.get(code, code)
            yield f"discount-{code}", [f"  {name}", str(tally.count), money(tally.amount)]
        for method, amount in sorted(report.by_payment.items()):
            key = f"paper.pay_{method}"
            yield f"pay-{method}", [f"  {t(key)}", "", money(amount)]
        yield (
            "refunds",
            [t("xreport.refunds"), str(report.refunds.count), money(report.refunds.amount)],
        )
        yield "voids", [t("xreport.voids"), str(report.voids.count), money(report.voids.amount)]
        cash = report.cash
        yield "float", [t("xreport.float"), "", money(cash.opening_float)]
        yield "cash-sales", [t("xreport.cash_sales"), "", money(cash.sales)]
        yield "given-back", [t("xreport.given_back"), "", money(-cash.given_back)]
        for i, move in enumerate(report.cash_moves):
            what = t("xreport.move", reason=move["reason"], supervisor=move["supervisor_id"])
            yield f"move-{i}", [f"  {what}", "", money(move["amount"])]
        yield "expected", [t("xreport.expected"), "", money(cash.expected)]

    # --- cash in and out --------------------------------------------------------------------

    def action_cash(self, direction: Direction) -> None:
        if self.counter.current_shift(self.cashier_id) is None:
            self.query_one("#xreport-message", Words).say(
                "xreport.no_shift", cashier=self.cashier_id
            )
            return

        def described(move: CashMove | None) -> None:
            if move is not None:
                self._with_supervisor(move)

        self.app.push_screen(CashDialog(direction), described)

    def _with_supervisor(self, move: CashMove) -> None:
        def answered(credentials: tuple[str, str] | None) -> None:
            if credentials is not None:
                self.move_cash(move, *credentials)

        self.app.push_screen(SupervisorDialog(t(f"key.cash_{move.direction}")), answered)

    @work(exclusive=True, group="cash", exit_on_error=False)
    async def move_cash(self, move: CashMove, supervisor: str, pin: str) -> None:
        """Through the counter's shift desk (PIN, open shift, open day are checked there)."""
        self.counter.shifts.cash_move(
            move.direction,
            move.amount,
            reason=move.reason,
            supervisor_id=supervisor,
            pin=pin,
            cashier_id=self.cashier_id,
        )
        self.query_one("#xreport-message", Words).say(
            f"xreport.cash_{move.direction}_done", amount=money(move.amount), reason=move.reason
        )
        self.fill()

    # --- paper -----------------------------------------------------------------------------

    def action_print(self) -> None:
        report = self.report()
        if report is None:
            return
        self.counter.shifts.print_report(report)
        self.query_one("#xreport-message", Words).say("xreport.printing")
        self.post_message(PrintRequested())

    def action_back(self) -> None:
        self.dismiss()
