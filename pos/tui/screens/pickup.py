"""Pickup of an online booking, by its code, the customer's name or phone number (the whole
number or its last four digits, shown masked): online when the central
answers, from the cached bookings otherwise; the tickets print like a sale's.

The booking is shown (film, start, seats, name) and the cashier confirms before anything
prints. Several bookings matching a name or a phone's last digits are listed to choose from.
A search that finds nothing says so, and that stays on screen until the next key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from contract.errors import BoxOfficeError
from contract.phones import masked
from contract.seating import sorted_seats
from pos.tui.i18n import clock, error_text, money, pick, t
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import ConfirmDialog, Field, Table, Words

if TYPE_CHECKING:
    from contract.models import Booking

COLUMNS = ("col.code", "col.customer", "col.film", "col.starts", "col.seats", "col.phone")
CUSTOMER = COLUMNS.index("col.customer")


class PickupScreen(CounterScreen):
    TITLE_KEY = "pickup.title"
    BINDINGS = [Binding("escape", "back", "key.back")]

    @dataclass
    class BookingPickedUp(Message):
        """An online booking was handed over; its tickets wait in the print queue."""

        booking: Booking

    def compose_body(self) -> ComposeResult:
        yield Words("pickup.hint", classes="hint")
        yield Field(placeholder=t("pickup.code"), id="code")
        yield Words(id="pickup-message", classes="message")
        yield Table(id="bookings", squeeze=CUSTOMER)
        yield Words(id="pickup-result")
        yield Words(id="print-result")

    def on_mount(self) -> None:
        super().on_mount()
        self.found: dict[str, Booking] = {}
        self.watch(self.pos, "last_print", self._printed, init=False)
        self.query_one("#bookings").display = False
        self.query_one("#code", Input).focus()

    def relabel(self) -> None:
        self.query_one("#code", Input).placeholder = t("pickup.code")

    @on(Input.Changed, "#code")
    def _typing(self) -> None:
        self.query_one("#pickup-message", Words).say("")

    @on(Input.Submitted, "#code")
    def _code_entered(self, event: Input.Submitted) -> None:
        wanted = event.value.strip()
        if not wanted:
            return
        self.query_one("#pickup-result", Words).say("")
        self.query_one("#print-result", Words).say("")
        matching = self.counter.find_bookings(wanted)
        found = [cached.booking for cached in matching if cached.picked_up_at is None]
        table = self.query_one("#bookings", Table)
        table.display = len(found) > 1
        message = self.query_one("#pickup-message", Words)
        if not found and matching:
            message.say("error.ALREADY_PICKED_UP")
        elif not found:
            message.say("pickup.nothing_found", wanted=wanted)
        elif len(found) == 1:
            self.confirm(found[0])
        else:
            self.found = {booking.code: booking for booking in found}
            table.show(
                [t(c) for c in COLUMNS],
                [(b.code, self.describe(b)) for b in found],
            )
            table.focus()

    def describe(self, booking: Booking) -> list[str]:
        """Code, customer, film, start, seats, phone (masked)."""
        schedule = self.counter.schedule()
        st = next((s for s in schedule.showtimes if s.id == booking.showtime_id), None)
        film = next((f for f in schedule.films if st and f.id == st.film_id), None)
        return [
            booking.code,
            booking.customer,
            pick(film.title, film.title_en) if film else booking.showtime_id,
            clock(st.start, self.counter.settings.timezone) if st else "—",
            ", ".join(sorted_seats(ticket.seat for ticket in booking.tickets)),
            masked(booking.phone),
        ]

    @on(Table.RowSelected, "#bookings")
    def _booking_chosen(self, event: Table.RowSelected) -> None:
        self.confirm(self.found[str(event.row_key.value)])

    def confirm(self, booking: Booking) -> None:
        code, customer, film, starts, seats, phone = self.describe(booking)

        def answered(yes: bool | None) -> None:
            if yes:
                self.query_one("#pickup-result", Words).say("pickup.working")
                self.pick_up(booking.code)
            else:
                self.query_one("#code", Input).focus()

        self.app.push_screen(
            ConfirmDialog(
                "pickup.confirm_title",
                "pickup.confirm",
                yes="key.print_tickets",
                code=code,
                customer=customer,
                film=film,
                starts=starts,
                seats=seats,
                phone=phone,
                total=money(booking.total),
            ),
            answered,
        )

    @work(exclusive=True, group="pickup", exit_on_error=False)
    async def pick_up(self, code: str) -> None:
        """Refusals (already picked up, unknown) are answered here and stay until the next
        key; anything else goes to the app's error handling."""
        result = self.query_one("#pickup-result", Words)
        try:
            found = await self.counter.pick_up(code, self.cashier_id)
        except BoxOfficeError as exc:
            result.say("")
            if exc.code in ("NO_OPEN_SHIFT", "DAY_CLOSED"):
                raise
            self.query_one("#pickup-message", Words).update(error_text(exc))
            return
        booking = found.booking
        code_, customer, film, starts, seats, _phone = self.describe(booking)
        result.say(
            "pickup.done",
            code=code_,
            customer=customer,
            film=film,
            starts=starts,
            seats=seats,
            total=money(booking.total),
        )
        code_field = self.query_one("#code", Input)
        code_field.value = ""
        code_field.focus()
        self.query_one("#bookings").display = False
        self.post_message(self.BookingPickedUp(booking))

    def _printed(self, message: object) -> None:
        self.query_one("#print-result", Words).update(self.pos.printer_line)

    def action_back(self) -> None:
        self.dismiss()
