"""Payment: cash with change due, card with a reference, or both (split). Amounts are typed in
yuan (`100` or `100.50`); the counter settles in fen and sells.

The counter's names are imported inside the functions that use them, for start-up speed: the app
imports every screen before the login's first paint (see pos/tui/app.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input

from contract.errors import BoxOfficeError
from pos.tui.i18n import error_text, money, t
from pos.tui.messages import SaleCompleted, SeatsTaken
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import Field, Words

if TYPE_CHECKING:
    from pos.counter.payments import Tender


def yuan(text: str) -> int:
    """What the cashier typed, in fen: at the counter `100` means ¥100, not 100 fen."""
    from pos.counter.payments import parse_amount  # lazy, for start-up speed

    text = text.strip()
    if not text:
        return 0
    return parse_amount(text, whole_is_yuan=True)


class PaymentScreen(CounterScreen):
    TITLE_KEY = "payment.title"
    BINDINGS = [
        Binding("f6", "card_all", "key.card_all"),
        Binding("f7", "cash_exact", "key.cash_exact"),
        Binding("f9", "pay", "key.pay"),
        Binding("escape", "back", "key.back"),
    ]

    def __init__(
        self, showtime_id: str, seats: list[str], types: list[str], hold_id: str | None = None
    ):
        super().__init__()
        self.showtime_id = showtime_id
        self.seats = seats
        self.hold_id = hold_id
        self.types = types
        self.total = self.counter.quote(showtime_id, types)

    def compose_body(self) -> ComposeResult:
        with Vertical(id="payment-box"):
            yield Words("payment.due", classes="total", amount=money(self.total))
            yield Words("payment.cash")
            yield Field(placeholder="0.00", id="cash")
            yield Words("payment.card")
            yield Field(placeholder="0.00", id="card")
            yield Field(placeholder=t("payment.reference"), id="reference")
            yield Words(id="change", classes="total")
            yield Words(id="payment-message", classes="message")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#cash", Input).focus()
        self.recalculate()

    def relabel(self) -> None:
        self.query_one("#reference", Input).placeholder = t("payment.reference")

    def tenders(self) -> list[Tender]:
        from contract.models import PaymentMethod  # lazy, for start-up speed
        from pos.counter.payments import Tender  # lazy, for start-up speed

        cash = yuan(self.query_one("#cash", Input).value)
        card = yuan(self.query_one("#card", Input).value)
        reference = self.query_one("#reference", Input).value.strip() or None
        tenders = [Tender(PaymentMethod.CASH, cash)]
        if card:
            tenders.append(Tender(PaymentMethod.CARD, card, reference))
        return tenders

    @on(Input.Changed)
    def recalculate(self) -> None:
        """Change due, or what is still to pay, as the cashier types."""
        from pos.counter.errors import NotPaid  # lazy, for start-up speed
        from pos.counter.payments import settle  # lazy, for start-up speed

        line = self.query_one("#change", Words)
        try:
            tenders = self.tenders()
            settlement = settle(self.total, tenders)
        except NotPaid:
            paid = sum(tender.amount for tender in tenders)
            line.say("payment.short", amount=money(self.total - paid))
        except BoxOfficeError as exc:  # an amount that is not one yet, while typing
            line.update(error_text(exc))
        else:
            line.say("payment.change", amount=money(settlement.change))

    def action_card_all(self) -> None:
        self.query_one("#cash", Input).value = ""
        self.query_one("#card", Input).value = money(self.total).lstrip("¥")
        self.query_one("#reference", Input).focus()

    def action_cash_exact(self) -> None:
        self.query_one("#card", Input).value = ""
        self.query_one("#cash", Input).value = money(self.total).lstrip("¥")
        self.query_one("#cash", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "card" and event.value.strip():
            self.query_one("#reference", Input).focus()
        else:
            self.action_pay()

    def action_pay(self) -> None:
        if not self.query_one("#payment-box").disabled:  # not again while a sale is under way
            self.sell()

    @work(exclusive=True, group="sale", exit_on_error=False)
    async def sell(self) -> None:
        """Check the tenders, then sell. A short or unreadable amount and a refused sale reach
        the cashier through the app's error handling; a seat taken meanwhile sends the cashier
        back to the seat map."""
        # lazy, for start-up speed
        from contract.models import PaymentMethod
        from pos.counter.errors import SeatUnavailable
        from pos.counter.payments import settle
        from pos.counter.selling import Order

        message = self.query_one("#payment-message", Words)
        tenders = self.tenders()
        settle(self.total, tenders)
        if any(x.method == PaymentMethod.CARD and not x.reference for x in tenders):
            message.say("payment.need_reference")
            self.query_one("#reference", Input).focus()
            return
        message.say("payment.selling")
        box = self.query_one("#payment-box")
        box.disabled = True
        order = Order(
            showtime_id=self.showtime_id,
            cashier_id=self.cashier_id,
            ticket_types=self.types,
            tenders=tenders,
            seats=self.seats,
            hold_id=self.hold_id,
        )
        try:
            outcome = await self.counter.sell(order)
        except SeatUnavailable:
            self.post_message(SeatsTaken(self.showtime_id))
            raise
        except BoxOfficeError:
            box.disabled = False
            message.say("")
            raise
        self.post_message(SaleCompleted(outcome))

    def action_back(self) -> None:
        self.dismiss()
