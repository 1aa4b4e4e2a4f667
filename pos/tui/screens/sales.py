"""This terminal's recent sales: refund tickets of them or void them (supervisor PIN), or
reprint their tickets, or exchange them for other seats (X: the app takes the cashier through
the schedule and the seat map, then asks before the exchange).

Each line says what a cashier recognises (film, start, seats), what was paid and what went back
(a void gives back what earlier refunds did not); online attempts cancelled by a failover were
never sales and are not listed. A refund is per ticket, with a reason, and says how much cash
goes back to the customer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message

from contract.errors import BoxOfficeError
from contract.seating import sorted_seats
from pos.tui.i18n import Lazy, clock, error_text, money, pick, t
from pos.tui.messages import PrintRequested, SalesChanged
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import Refund, RefundDialog, SupervisorDialog, Table, Words, give_back

if TYPE_CHECKING:
    from offline.sales import Sale

LISTED = frozenset({"paid", "printed", "synced", "voided", "refunded"})
"""States of a sale that took money (drafts and cancelled attempts never did)."""
LIVE = frozenset({"paid", "printed", "synced"})
FILM = 1
SEATS_SHOWN = 18
"""Characters of the seat list before it is shortened to its first seat and a count."""


class SalesScreen(CounterScreen):
    TITLE_KEY = "sales.title"
    BINDINGS = [
        Binding("f", "refund", "key.refund"),
        Binding("v", "void", "key.void"),
        Binding("r", "reprint", "key.reprint"),
        Binding("x", "exchange", "key.exchange"),
        Binding("escape", "back", "key.back"),
    ]

    @dataclass
    class ExchangeChosen(Message):
        """The customer wants other seats for this sale's tickets (same showtime or another)."""

        sale_id: str
        what: str
        """The sale as the cashier knows it (film and start)."""
        tickets: int

    def compose_body(self) -> ComposeResult:
        yield Table(id="sales", squeeze=FILM)
        yield Words(id="sales-message", classes="message")

    def on_mount(self) -> None:
        super().on_mount()
        self.fill()
        self.query_one("#sales").focus()

    def relabel(self) -> None:
        self.fill()

    def sales(self) -> list[Sale]:
        return [sale for sale in self.counter.recent_sales() if sale.state in LISTED]

    def fill(self) -> None:
        schedule = self.counter.schedule()
        films = {f.id: f for f in schedule.films}
        showtimes = {st.id: st for st in schedule.showtimes}
        zone = self.counter.settings.timezone
        rows = []
        for sale in self.sales():
            st = showtimes.get(sale.showtime_id)
            film = films.get(st.film_id) if st else None
            back = sale.total if sale.state == "voided" else sale.refunded
            rows.append(
                (
                    sale.id,
                    [
                        clock(sale.created_at, zone),
                        pick(film.title, film.title_en) if film else sale.showtime_id,
                        clock(st.start, zone) if st else "—",
                        seats_text([ticket.seat for ticket in sale.tickets]),
                        money(sale.total),
                        money(back) if back else "—",
                        t(f"sale_mode.{sale.mode}"),
                        t(f"sale_state.{sale.state}"),
                    ],
                )
            )
        columns = (
            "col.time",
            "col.film",
            "col.starts",
            "col.seats",
            "col.paid",
            "col.back",
            "col.mode",
            "col.state",
        )
        self.query_one("#sales", Table).show([t(c) for c in columns], rows)

    def chosen(self) -> Sale | None:
        sale_id = self.query_one("#sales", Table).highlighted_key()
        return self.counter.sale(sale_id) if sale_id else None

    def live_chosen(self) -> Sale | None:
        """The chosen sale if it still has tickets to refund, void or exchange; else says why."""
        sale = self.chosen()
        if sale is not None and sale.state not in LIVE:
            self.say("sales.not_refundable", state=Lazy(f"sale_state.{sale.state}"))
            return None
        return sale

    def say(self, key: str, **values: object) -> None:
        self.query_one("#sales-message", Words).say(key, **values)

    def what(self, sale: Sale) -> str:
        """A sale as the cashier knows it: film and start."""
        try:
            st = self.counter.showtime(sale.showtime_id)
        except BoxOfficeError:
            return sale.showtime_id
        film = next(f for f in self.counter.schedule().films if f.id == st.film_id)
        return (
            f"{pick(film.title, film.title_en)} {clock(st.start, self.counter.settings.timezone)}"
        )

    # --- refund and void ------------------------------------------------------------------

    def action_refund(self) -> None:
        sale = self.live_chosen()
        if sale is None:
            return
        names = {tt.code: pick(tt.name, tt.name_en) for tt in self.counter.schedule().ticket_types}

        def chosen(refund: Refund | None) -> None:
            if refund is not None:
                self._with_supervisor("refund", sale, refund)

        self.app.push_screen(RefundDialog(sale, self.what(sale), names), chosen)

    def action_void(self) -> None:
        sale = self.live_chosen()
        if sale is None:
            return
        self._with_supervisor("void", sale, None)

    def _with_supervisor(self, what: str, sale: Sale, refund: Refund | None) -> None:
        def answered(credentials: tuple[str, str] | None) -> None:
            if credentials is not None:
                self.undo(what, sale, refund, *credentials)

        self.app.push_screen(SupervisorDialog(t(f"key.{what}")), answered)

    @work(exclusive=True, group="undo", exit_on_error=False)
    async def undo(
        self, what: str, sale: Sale, refund: Refund | None, supervisor: str, pin: str
    ) -> None:
        if refund is not None:
            amount = sum(tk.price for tk in sale.tickets if tk.id in refund.ticket_ids)
            await self.counter.refund(
                sale.id,
                supervisor,
                pin,
                ticket_ids=refund.ticket_ids,
                reason=refund.reason,
                cashier_id=self.cashier_id,
            )
        else:
            amount = sale.total - sale.refunded
            await self.counter.void(sale.id, supervisor, pin, cashier_id=self.cashier_id)
        key, words = give_back(sale, amount).say(
            f"sales.{what}_done", what=self.what(sale), amount=money(amount)
        )
        self.say(key, **words)
        self.fill()
        self.post_message(SalesChanged())

    # --- exchange --------------------------------------------------------------------------

    def action_exchange(self) -> None:
        sale = self.live_chosen()
        if sale is None:
            return
        live = sum(1 for ticket in sale.tickets if not ticket.refunded)
        self.post_message(self.ExchangeChosen(sale.id, self.what(sale), live))

    # --- reprint ---------------------------------------------------------------------------

    def action_reprint(self) -> None:
        sale = self.chosen()
        if sale is not None:
            self.reprint(sale)

    @work(exclusive=True, group="reprint", exit_on_error=False)
    async def reprint(self, sale: Sale) -> None:
        """Queue the sale's tickets again, marked REPRINT, and have them printed; a voided or
        refunded sale has no valid tickets, and the counter refuses: said here, on the list."""
        try:
            self.counter.reprint(sale.id)
        except BoxOfficeError as exc:
            if exc.code != "NOT_REPRINTABLE":
                raise
            self.query_one("#sales-message", Words).update(error_text(exc))
            return
        self.say("sales.reprinted", what=self.what(sale))
        self.post_message(PrintRequested())

    def action_back(self) -> None:
        self.dismiss()


def seats_text(seats: list[str]) -> str:
    """E1, E2, E3 — or, when that is long, `E1… (12)`."""
    ordered = sorted_seats(seats)
    text = ", ".join(ordered)
    if len(text) > SEATS_SHOWN:
        return f"{ordered[0]}… ({len(ordered)})"
    return text
