"""Pickup of an online booking by its code: online when the central answers, from the cached
bookings otherwise; the tickets print like a sale's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from pos.tui.i18n import money, t
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import Field, Words

if TYPE_CHECKING:
    from contract.models import Booking


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
        yield Words(id="pickup-result")
        yield Words(id="print-result")

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.pos, "last_print", self._printed, init=False)
        self.query_one("#code", Input).focus()

    def relabel(self) -> None:
        self.query_one("#code", Input).placeholder = t("pickup.code")

    @on(Input.Submitted, "#code")
    def _code_entered(self, event: Input.Submitted) -> None:
        code = event.value.strip().upper()
        if code:
            self.query_one("#pickup-result", Words).say("pickup.working")
            self.pick_up(code)

    @work(exclusive=True, group="pickup", exit_on_error=False)
    async def pick_up(self, code: str) -> None:
        result = self.query_one("#pickup-result", Words)
        try:
            found = await self.counter.pick_up(code, self.cashier_id)
        except Exception:  # the app says why; the "working" line goes
            result.say("")
            raise
        booking = found.booking
        result.say(
            "pickup.done",
            code=booking.code,
            customer=booking.customer,
            seats=", ".join(ticket.seat for ticket in booking.tickets),
            total=money(booking.total),
        )
        self.query_one("#code", Input).value = ""
        self.post_message(self.BookingPickedUp(booking))

    def _printed(self, message: object) -> None:
        self.query_one("#print-result", Words).update(self.pos.printer_line)

    def action_back(self) -> None:
        self.dismiss()
