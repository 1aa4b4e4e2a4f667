"""The sale's result: tickets, change due, online or offline, and what the printer did."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding

from contract.seating import seat_order
from pos.tui.i18n import Lazy, money, pick, t
from pos.tui.messages import PrintFinished, PrintRequested
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import Table, Words

if TYPE_CHECKING:
    from pos.counter.selling import Outcome


class ResultScreen(CounterScreen):
    TITLE_KEY = "result.title"
    BINDINGS = [
        Binding("enter", "done", "key.next_customer", priority=True),
        Binding("escape", "done", "key.next_customer", show=False),
        Binding("p", "print_again", "key.retry_print"),
        Binding("r", "reprint", "key.reprint"),
    ]

    def __init__(self, outcome: Outcome):
        super().__init__()
        self.outcome = outcome

    def compose_body(self) -> ComposeResult:
        sale = self.outcome.sale
        yield Words("result.mode", mode=Lazy(f"result.{self.outcome.mode}"))
        if self.outcome.failover:  # the reason is the central's, in English: not shown here
            yield Words("result.failover", classes="warning")
        yield Table(id="tickets", cursor_type="none", zebra_stripes=False)
        yield Words("result.total", total=money(sale.total), tendered=money(sale.tendered))
        yield Words("result.change", classes="total", change=money(sale.change))
        yield Words("result.printing", id="print-result")

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.pos, "last_print", self._printed, init=False)
        self.fill()

    def relabel(self) -> None:
        self.fill()

    def fill(self) -> None:
        names = {tt.code: pick(tt.name, tt.name_en) for tt in self.counter.schedule().ticket_types}
        tickets = sorted(self.outcome.sale.tickets, key=lambda ticket: seat_order(ticket.seat))
        self.query_one("#tickets", Table).show(
            [t("col.seat"), t("col.type"), t("col.price"), t("col.ticket")],
            [
                (
                    ticket.id,
                    [
                        ticket.seat,
                        names.get(ticket.ticket_type, ticket.ticket_type),
                        money(ticket.price),
                        ticket.id,
                    ],
                )
                for ticket in tickets
            ],
        )

    def _printed(self, message: PrintFinished | None) -> None:
        line = self.query_one("#print-result", Words)
        if message is None:
            return
        if message.run.pending:
            line.say("result.print_failed", why=self.pos.printer_line)
            line.add_class("warning")
        else:
            line.say("result.printed")
            line.remove_class("warning")

    def action_print_again(self) -> None:
        self.post_message(PrintRequested())

    def action_reprint(self) -> None:
        self.reprint()

    @work(exclusive=True, group="reprint", exit_on_error=False)
    async def reprint(self) -> None:
        """Queue the sale's tickets again, marked REPRINT, and have them printed (a sale
        voided or refunded meanwhile is refused: its tickets are no longer valid)."""
        self.counter.reprint(self.outcome.sale.id)
        self.post_message(PrintRequested())

    def action_done(self) -> None:
        self.dismiss()
