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

from pos.tui.i18n import Named, error_text, money, t
from pos.tui.messages import HoldAbandoned, SeatsTaken
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import DiscountDialog, Table, Words


class TicketsScreen(CounterScreen):
    TITLE_KEY = "tickets.title"
    BINDINGS = [
        Binding("enter", "pay", "key.payment", priority=True),
        Binding("escape", "back", "key.back"),
        Binding("a", "all", "key.all_same"),
        Binding("d", "discount", "key.discount"),
        *(Binding(str(n), f"choose({n})", "key.type_number", show=False) for n in range(1, 10)),
    ]

    @dataclass
    class TicketsChosen(Message):
        """Every seat has its ticket type: the customer can pay."""

        showtime_id: str
        seats: list[str]
        ticket_types: list[str]
        hold_id: str | None
        discounts: list[str | None]
        """The discount code of each ticket (None: list price)."""

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
        self.discounts: list[str | None] = [None] * len(seats)
        self.rules = self.counter.schedule().cinema.discounts
        self.discount_names = {d.code: Named(d.name, d.name_en) for d in self.rules}

    def compose_body(self) -> ComposeResult:
        yield Words(id="type-keys")
        yield Table(id="basket", zebra_stripes=False)
        yield Words(id="total", classes="total")
        yield Words(id="tickets-message", classes="message")

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
                (seat, [seat, self._type_text(code, discount), self._price(code, discount)])
                for seat, code, discount in zip(self.seats, self.types, self.discounts, strict=True)
            ],
        )
        total = self.counter.quote(self.showtime_id, self.types, self.discounts)
        self.query_one("#total", Words).say("tickets.total", n=len(self.seats), total=money(total))

    def _type_text(self, code: str, discount: str | None) -> str:
        if discount is None:
            return f"{self.names[code]:}"
        return f"{self.names[code]:} · {self.discount_names[discount]:}"

    def _price(self, code: str, discount: str | None) -> str:
        return money(self.counter.quote(self.showtime_id, [code], [discount]))

    def action_choose(self, n: int) -> None:
        if n > len(self.codes):
            return
        table = self.query_one("#basket", Table)
        row = table.cursor_row
        self.types[row] = self.codes[n - 1]
        if not self._fits(row):
            self.discounts[row] = None  # a member price is not for a child's ticket
        self.fill()
        table.move_cursor(row=row + 1)

    def action_all(self) -> None:
        """Every line takes the highlighted line's type and discount: a family of four adults
        (or four members) in one key."""
        row = self.query_one("#basket", Table).cursor_row
        self.types = [self.types[row]] * len(self.seats)
        self.discounts = [self.discounts[row]] * len(self.seats)
        self.fill()

    def _fits(self, row: int) -> bool:
        """The line's discount (one of the cinema's, as chosen) is for its ticket type."""
        from contract.discounts import applies, find  # lazy, for start-up speed (pos/tui/app.py)

        code = self.discounts[row]
        return code is None or applies(find(code, self.rules), self.types[row])

    def action_discount(self) -> None:
        """A member price, a staff ticket or a coupon for the highlighted ticket."""
        row = self.query_one("#basket", Table).cursor_row

        def chosen(code: str | None) -> None:
            if code is not None:
                self.apply_discount(row, code)

        self.app.push_screen(DiscountDialog(self.seats[row], self.rules), chosen)

    def apply_discount(self, row: int, code: str) -> None:
        """The code is checked as the sale will be (unknown, or not for this ticket type: said
        here, and the ticket keeps its price)."""
        from contract.discounts import find  # lazy, for start-up speed (see pos/tui/app.py)
        from pos.counter.errors import CounterError

        message = self.query_one("#tickets-message", Words)
        message.say("")
        if not code:
            self.discounts[row] = None
            self.fill()
            return
        try:
            self.counter.quote(self.showtime_id, [self.types[row]], [code])
        except CounterError as exc:
            message.update(error_text(exc))
            return
        self.discounts[row] = find(code, self.rules).code
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
            self.TicketsChosen(
                self.showtime_id, self.seats, list(self.types), self.hold_id, list(self.discounts)
            )
        )

    def action_back(self) -> None:
        self.post_message(HoldAbandoned(self.showtime_id, self.hold_id))
        self.dismiss()
