"""Which tickets of a sale go back, and why, with the money to hand back as tickets are ticked.

Space ticks or unticks the highlighted ticket (all are ticked at first), Tab goes to the reason,
Enter asks for the supervisor. Money goes back cash first, as the drawer and the Z report count
it: a sale paid partly by card gives back its cash part before anything goes to the card; a
payment code's part goes back to the customer's wallet through the provider, by the till."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from contract.seating import seat_order
from pos.tui.i18n import money, t
from pos.tui.typeahead import typeahead
from pos.tui.widgets.fields import Field
from pos.tui.widgets.table import Table
from pos.tui.widgets.words import Words

if TYPE_CHECKING:
    from offline.sales import Sale

TICKED = "✓"


@dataclass(frozen=True, slots=True)
class Refund:
    ticket_ids: list[str]
    reason: str


@dataclass(frozen=True, slots=True)
class GiveBack:
    cash: int
    card: int
    to: str = "card"
    """Where the non-cash part goes: the card, or the payment code's wallet (alipay, wechat),
    which the till refunds through the provider by itself."""

    def say(self, key: str, **words: str) -> tuple[str, dict[str, str]]:
        """The catalog key and words telling the cashier this: `key` for a card, `key_code`
        naming the provider for a payment code."""
        words |= {"cash": money(self.cash), "card": money(self.card)}
        if self.to == "card":
            return key, words
        return f"{key}_code", words | {"provider": t(f"provider.{self.to}")}


def give_back(sale: Sale, amount: int) -> GiveBack:
    """`amount` of `sale` handed back, cash first (after what earlier refunds took from it)."""
    from pos.counter.payments import cash_back_of  # lazy, for start-up speed

    cash = cash_back_of(sale, amount)
    to = next((p.method for p in sale.payments if p.method not in ("cash", "card")), "card")
    return GiveBack(cash=cash, card=amount - cash, to=to)


class RefundDialog(ModalScreen[Refund | None]):
    BINDINGS = [
        Binding("space", "tick", "key.tick"),
        Binding("enter", "done", "key.refund", priority=True),
        Binding("escape", "cancel", "key.cancel"),
    ]

    def __init__(self, sale: Sale, what: str, names: dict[str, str]):
        """`what` says which sale (film and time); `names` are ticket types' names."""
        super().__init__()
        self.sale = sale
        self.what = what
        self.names = names
        self.live = sorted(
            (ticket for ticket in sale.tickets if not ticket.refunded),
            key=lambda ticket: seat_order(ticket.seat),
        )
        self.ticked = {ticket.id for ticket in self.live}

    def compose(self) -> ComposeResult:
        with Vertical(id="refund-box", classes="dialog"):
            yield Words("refund.title", classes="dialog-title", what=self.what)
            yield Table(id="refund-tickets")
            yield Field(placeholder=t("refund.reason"), id="refund-reason")
            yield Words(id="refund-money", classes="total")
            yield Words(id="refund-message", classes="message")

    def on_mount(self) -> None:
        self.fill()
        self.query_one("#refund-tickets").focus()
        keys = typeahead(self.app)
        if keys is not None:
            keys.release()

    def fill(self) -> None:
        self.query_one("#refund-tickets", Table).show(
            [t("col.seat"), t("col.type"), t("col.price"), t("col.refund")],
            [
                (
                    ticket.id,
                    [
                        ticket.seat,
                        self.names.get(ticket.ticket_type, ticket.ticket_type),
                        money(ticket.price),
                        TICKED if ticket.id in self.ticked else "",
                    ],
                )
                for ticket in self.live
            ],
        )
        amount = sum(ticket.price for ticket in self.live if ticket.id in self.ticked)
        back = give_back(self.sale, amount)
        key, words = back.say("refund.money", amount=money(amount))
        self.query_one("#refund-money", Words).say(key, **words)

    def action_tick(self) -> None:
        table = self.query_one("#refund-tickets", Table)
        ticket_id = table.highlighted_key()
        if ticket_id is None or self.focused is not table:
            return
        self.ticked ^= {ticket_id}
        self.fill()

    def action_done(self) -> None:
        chosen = [ticket.id for ticket in self.live if ticket.id in self.ticked]
        if not chosen:
            self.query_one("#refund-message", Words).say("refund.choose")
            return
        reason = self.query_one("#refund-reason", Input).value.strip()
        self.dismiss(Refund(chosen, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)
