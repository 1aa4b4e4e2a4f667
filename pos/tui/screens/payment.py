"""Payment: cash with change due, card with a reference, a scanned payment code (Alipay,
WeChat Pay), or cash with either (split). Amounts are typed in yuan (`100` or `100.50`); the
counter settles in fen and sells. A barcode scanner types the customer's code and Enter, like a
keyboard: the code pays what cash does not, and while the customer confirms in the app the
screen says so.

Two questions before money is taken: cash that leaves a ¥100 note or more in change (a typing
slip such as 2000 for 200, or a note too many) is confirmed first; and if the central fails
mid-sale and the chosen seats are not this terminal's leased ones, the cashier sees the seats
the lease can give instead and confirms them (or goes back to the seat map) — seats never
change behind the customer's back. Esc gives the held seats back at once.

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
from contract.seating import sorted_seats
from pos.tui.i18n import error_text, money, t
from pos.tui.messages import HoldAbandoned, SaleCompleted, SeatsTaken
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import ConfirmDialog, Field, Words

if TYPE_CHECKING:
    from pos.counter.payments import Tender
    from pos.counter.selling import Order

CONFIRM_CHANGE_FROM = 10_000
"""Change of ¥100 or more: the customer handed over at least one ¥100 note too many, which
happens less often than a slip of the finger. Ask before selling."""


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
        Binding("enter", "enter", "key.pay", show=False, priority=True),
        Binding("f6", "card_all", "key.card_all"),
        Binding("f7", "cash_exact", "key.cash_exact"),
        Binding("f8", "scan", "key.scan"),
        Binding("f9", "pay", "key.pay"),
        Binding("escape", "back", "key.back"),
    ]

    def __init__(
        self,
        showtime_id: str,
        seats: list[str],
        types: list[str],
        hold_id: str | None = None,
        discounts: list[str | None] | None = None,
    ):
        super().__init__()
        self.showtime_id = showtime_id
        self.seats = seats
        self.hold_id = hold_id
        self.types = types
        self.discounts = discounts
        self.total = self.counter.quote(showtime_id, types, discounts)

    def compose_body(self) -> ComposeResult:
        with Vertical(id="payment-box"):
            yield Words("payment.due", classes="total", amount=money(self.total))
            yield Words("payment.cash")
            yield Field(placeholder="0.00", id="cash")
            yield Words("payment.card")
            yield Field(placeholder="0.00", id="card")
            yield Field(placeholder=t("payment.reference"), id="reference")
            yield Words("payment.code")
            yield Field(placeholder=t("payment.code_placeholder"), id="code", password=True)
            yield Words(id="change", classes="total")
            yield Words(id="payment-message", classes="message")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#cash", Input).focus()
        self.recalculate()

    def relabel(self) -> None:
        self.query_one("#reference", Input).placeholder = t("payment.reference")
        self.query_one("#code", Input).placeholder = t("payment.code_placeholder")

    def tenders(self) -> list[Tender]:
        from contract.models import PaymentMethod  # lazy, for start-up speed
        from pos.counter.payments import Tender, code_tender  # lazy, for start-up speed

        cash = yuan(self.query_one("#cash", Input).value)
        card = yuan(self.query_one("#card", Input).value)
        reference = self.query_one("#reference", Input).value.strip() or None
        code = self.query_one("#code", Input).value.strip()
        tenders = [Tender(PaymentMethod.CASH, cash)]
        if card:
            tenders.append(Tender(PaymentMethod.CARD, card, reference))
        if code:
            tenders.append(code_tender(max(self.total - cash - card, 0), code))
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
            by_code = [x for x in settlement.payments if x.method in ("alipay", "wechat")]
            if by_code:
                line.say(
                    "payment.code_pays",
                    amount=money(by_code[0].amount),
                    change=money(settlement.change),
                )
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

    def action_scan(self) -> None:
        """Ready for the scanner: the code pays whatever cash typed so far does not."""
        self.query_one("#code", Input).value = ""
        self.query_one("#code", Input).focus()

    def action_enter(self) -> None:
        """Enter after a card amount goes to its reference; anywhere else it pays (the
        scanner's Enter after a payment code too)."""
        card = self.query_one("#card", Input)
        if card.has_focus and card.value.strip():
            self.query_one("#reference", Input).focus()
        else:
            self.action_pay()

    def action_pay(self) -> None:
        if not self.query_one("#payment-box").disabled:  # not again while a sale is under way
            self.hold_keys()  # Enter for the next customer waits for the result
            self.sell()

    @work(exclusive=True, group="sale", exit_on_error=False)
    async def sell(self, *, confirmed: bool = False) -> None:
        """Check the tenders, then sell. A short or unreadable amount and a refused sale reach
        the cashier through the app's error handling; a seat taken meanwhile sends the cashier
        back to the seat map."""
        # lazy, for start-up speed
        from contract.models import PaymentMethod
        from pos.counter.payments import settle

        message = self.query_one("#payment-message", Words)
        try:
            tenders = self.tenders()
            settlement = settle(self.total, tenders)
        except BaseException:
            self.drop_keys()
            raise
        if any(x.method == PaymentMethod.CARD and not x.reference for x in tenders):
            self.drop_keys()
            message.say("payment.need_reference")
            self.query_one("#reference", Input).focus()
            return
        if settlement.change >= CONFIRM_CHANGE_FROM and not confirmed:
            self._confirm_cash(settlement.tendered, settlement.change)
            return
        by_code = any(x.method in (PaymentMethod.ALIPAY, PaymentMethod.WECHAT) for x in tenders)
        message.say("payment.charging" if by_code else "payment.selling")
        box = self.query_one("#payment-box")
        box.disabled = True
        order = self._order(tenders)
        try:
            outcome = await self.counter.sell(
                order, on_waiting=lambda: message.say("payment.waiting_customer")
            )
        except BoxOfficeError as exc:
            box.disabled = False
            message.say("")
            self.query_one("#code", Input).value = ""  # a payment code is good for one try
            self.drop_keys()
            if await self._seats_changed(exc):
                return
            if _is_unavailable(exc):
                self.post_message(SeatsTaken(self.showtime_id))
            raise
        except BaseException:
            self.drop_keys()
            raise
        self.post_message(SaleCompleted(outcome))

    def _order(self, tenders: list[Tender]) -> Order:
        """The sale as the counter takes it. `repick=False` keeps the chosen seats on a
        failover: the counter refuses instead of choosing others, and the cashier is asked
        here (`_seats_changed`)."""
        from pos.counter.selling import Order  # lazy, for start-up speed

        return Order(
            showtime_id=self.showtime_id,
            cashier_id=self.cashier_id,
            ticket_types=self.types,
            discounts=self.discounts,
            tenders=tenders,
            seats=self.seats,
            hold_id=self.hold_id,
            repick=False,
        )

    def _confirm_cash(self, tendered: int, change: int) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.hold_keys()
                self.sell(confirmed=True)
            else:
                self.query_one("#cash", Input).focus()

        self.app.push_screen(
            ConfirmDialog(
                "payment.big_cash_title",
                "payment.big_cash",
                yes="key.sell",
                tendered=money(tendered),
                total=money(self.total),
                change=money(change),
            ),
            answered,
        )

    async def _seats_changed(self, exc: BoxOfficeError) -> bool:
        """The central failed mid-sale and the chosen seats are not in this terminal's lease:
        offer the lease's best seats instead. True if the cashier is being asked."""
        if exc.code != "SEAT_NOT_LEASED":
            return False
        offer = await self._lease_offer(len(self.seats))
        if not offer:
            return False
        self.hold_id = None  # the central is away: the offline sale needs no hold

        def answered(yes: bool | None) -> None:
            if yes:
                self.seats = offer
                self.hold_keys()
                self.sell(confirmed=True)
            else:
                self.post_message(SeatsTaken(self.showtime_id))

        self.app.push_screen(
            ConfirmDialog(
                "payment.seats_changed_title",
                "payment.seats_changed",
                yes="key.sell_these",
                chosen=", ".join(self.seats),
                offered=", ".join(offer),
            ),
            answered,
        )
        return True

    async def _lease_offer(self, count: int) -> list[str]:
        """The best `count` seats together among this terminal's leased ones (now offline)."""
        from pos.counter.seat_picking import best_together  # lazy, for start-up speed

        view = await self.counter.seat_view(self.showtime_id)
        chosen = best_together(view.seat_map.auditorium, view.selectable, count)
        return sorted_seats(chosen) if len(chosen) == count else []

    def action_back(self) -> None:
        self.post_message(HoldAbandoned(self.showtime_id, self.hold_id))
        self.dismiss()


def _is_unavailable(exc: BoxOfficeError) -> bool:
    from pos.counter.errors import SeatUnavailable  # lazy, for start-up speed

    return isinstance(exc, SeatUnavailable)
