"""This terminal's recent sales: refund or void them (supervisor PIN), or reprint tickets."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable

from pos.tui.i18n import clock, money, t
from pos.tui.messages import PrintRequested
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import SupervisorDialog, Words


class SalesScreen(CounterScreen):
    TITLE_KEY = "sales.title"
    BINDINGS = [
        Binding("f", "refund", "key.refund"),
        Binding("v", "void", "key.void"),
        Binding("r", "reprint", "key.reprint"),
        Binding("escape", "back", "key.back"),
    ]

    def compose_body(self) -> ComposeResult:
        yield DataTable(id="sales", cursor_type="row", zebra_stripes=True)
        yield Words(id="sales-message", classes="message")

    def on_mount(self) -> None:
        super().on_mount()
        self.fill()
        self.query_one("#sales").focus()

    def relabel(self) -> None:
        self.fill()

    def fill(self) -> None:
        table = self.query_one("#sales", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        columns = ("col.time", "col.showtime", "col.seats", "col.total", "col.mode", "col.state")
        table.add_columns(*(t(c) for c in columns))
        zone = self.counter.settings.timezone
        for sale in self.counter.recent_sales():
            table.add_row(
                clock(sale.created_at, zone),
                sale.showtime_id,
                ", ".join(ticket.seat for ticket in sale.tickets),
                money(sale.total - sale.refunded),
                t(f"result.{sale.mode}"),
                t(f"sale_state.{sale.state}"),
                key=sale.id,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def chosen(self) -> str | None:
        table = self.query_one("#sales", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_refund(self) -> None:
        self._with_supervisor("refund")

    def action_void(self) -> None:
        self._with_supervisor("void")

    def _with_supervisor(self, what: str) -> None:
        sale_id = self.chosen()
        if sale_id is None:
            return

        def answered(credentials: tuple[str, str] | None) -> None:
            if credentials is not None:
                self.undo(what, sale_id, *credentials)

        self.app.push_screen(SupervisorDialog(t(f"key.{what}")), answered)

    @work(exclusive=True, group="undo", exit_on_error=False)
    async def undo(self, what: str, sale_id: str, supervisor: str, pin: str) -> None:
        if what == "refund":
            await self.counter.refund(sale_id, supervisor, pin)
        else:
            await self.counter.void(sale_id, supervisor, pin)
        self.query_one("#sales-message", Words).say(f"sales.{what}_done", sale=sale_id[:8])
        self.fill()

    def action_reprint(self) -> None:
        sale_id = self.chosen()
        if sale_id is not None:
            self.reprint(sale_id)

    @work(exclusive=True, group="reprint", exit_on_error=False)
    async def reprint(self, sale_id: str) -> None:
        """Queue the sale's tickets again, marked REPRINT, and have them printed."""
        self.counter.reprint(sale_id)
        self.query_one("#sales-message", Words).say("sales.reprinted", sale=sale_id[:8])
        self.post_message(PrintRequested())

    def action_back(self) -> None:
        self.dismiss()
