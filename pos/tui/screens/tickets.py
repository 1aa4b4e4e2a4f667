"""Ticket types for the chosen seats (a number key sets the highlighted line) and the basket
with its running total; Enter goes on to payment, Esc back to the seat map, giving the held
seats back at once. Back here from payment (whose Esc gave the hold back), Enter holds the same
seats again before going on."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message

from pos.tui.i18n import Named, money, t
from pos.tui.messages import HoldAbandoned, SeatsTaken
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import Table, Words


class TicketsScreen(CounterScreen):
    TITLE_KEY = "tickets.title"
    BINDINGS = [
        Binding("enter", "pay", "key.payment", priority=True),
        Binding("escape", "back", "key.back"),
        Binding("a", "all", "key.all_same"),
        *(Binding(str(n), f"choose({n})", "key.type_number", show=False) for n in range(1, 10)),
    ]

    @dataclass
    class TicketsChosen(Message):
        """Every seat has its ticket type: the customer can pay."""

        showtime_id: str
        seats: list[str]
        ticket_types: list[str]
        hold_id: str | None

    def __init__(self, showtime_id: str, seats: list[str], hold_id: str | None = None):
        super().__init__()
        self.showtime_id = showtime_id
        self.seats = seats
        self.hold_id = hold_id
        """None once given back (the app clears it): Enter then holds the seats again."""
        self.held_once = hold_id is not None
        st = self.counter.showtime(showtime_id)
        known = {tt.code: tt for tt in self.counter.schedule().ticket_types}
        self.codes = [code for code in known if code in st.prices]
        self.names = {code: Named(known[code].name, known[code].name_en) for code in self.codes}
        self.prices = st.prices
        self.types = [self.codes[0]] * len(seats)

    def compose_body(self) -> ComposeResult:
        yield Words(id="type-keys")
        yield Table(id="basket", zebra_stripes=False)
        yield Words(id="total", classes="total")

    def on_mount(self) -> None:
        super().on_mount()
        self.fill()
        self.query_one("#basket").focus()

    def relabel(self) -> None:
        self.fill()

    def fill(self) -> None:
        keys = "   ".join(
            f"{i}  {self.names[c]:}  {money(self.prices[c])}" for i, c in enumerate(self.codes, 1)
        )
        self.query_one("#type-keys", Words).update(keys)
        self.query_one("#basket", Table).show(
            [t("col.seat"), t("col.type"), t("col.price")],
            [
                (seat, [seat, f"{self.names[code]:}", money(self.prices[code])])
                for seat, code in zip(self.seats, self.types, strict=True)
            ],
        )
        total = self.counter.quote(self.showtime_id, self.types)
        self.query_one("#total", Words).say("tickets.total", n=len(self.seats), total=money(total))

    def action_choose(self, n: int) -> None:
        if n > len(self.codes):
            return
        table = self.query_one("#basket", Table)
        self.types[table.cursor_row] = self.codes[n - 1]
        self.fill()
        table.move_cursor(row=table.cursor_row + 1)

    def action_all(self) -> None:
        """Every line takes the highlighted line's type: a family of four adults in one key."""
        table = self.query_one("#basket", Table)
        self.types = [self.types[table.cursor_row]] * len(self.seats)
        self.fill()

    def action_pay(self) -> None:
        self.hold_keys()  # the cash typed now is for the payment screen
        self.go_to_payment()

    @work(exclusive=True, group="hold", exit_on_error=False)
    async def go_to_payment(self) -> None:
        if self.hold_id is None and self.held_once:
            # lazy, for start-up speed (see pos/tui/app.py)
            from pos.counter.errors import SeatUnavailable

            await self.pos.holds_released()
            try:
                self.hold_id = await self.counter.hold(self.showtime_id, self.seats)
            except SeatUnavailable:
                self.drop_keys()
                self.post_message(SeatsTaken(self.showtime_id))
                raise
            except BaseException:
                self.drop_keys()
                raise
        self.post_message(
            self.TicketsChosen(self.showtime_id, self.seats, list(self.types), self.hold_id)
        )

    def action_back(self) -> None:
        self.post_message(HoldAbandoned(self.showtime_id, self.hold_id))
        self.dismiss()
