"""From what the customer hands over to what the sale records: cash tendered may exceed what
is due (the difference is change), a card is charged exactly. Integer fen throughout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from contract import money
from contract.models import Payment, PaymentMethod
from pos.counter.errors import CounterError, NotPaid
from pos.ports.payments.errors import BadPaymentCode
from pos.ports.payments.kinds import kind_of

if TYPE_CHECKING:
    from offline.sales import Sale

MAX_TENDER = 10_000_000
"""¥100,000: more than any till takes in one hand-over; a bigger figure is a typing slip."""
MAX_REFERENCE = 64
"""Characters of a card terminal's reference we keep (real ones are 6 to 32)."""


@dataclass(frozen=True, slots=True)
class Tender:
    method: PaymentMethod
    amount: int
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    payments: list[Payment]
    tendered: int
    change: int


def parse_amount(text: str, *, whole_is_yuan: bool = False) -> int:
    """An amount a person typed, in fen (contract.money's rule), refused when negative."""
    value = money.parse_amount(text, whole_is_yuan=whole_is_yuan)
    if value < 0:
        raise CounterError("BAD_AMOUNT", f"{text!r}: amounts cannot be negative.")
    if value > MAX_TENDER:
        raise CounterError(
            "BAD_AMOUNT", f"{text!r}: more than {money.format_money(MAX_TENDER)} in one payment."
        )
    return value


CODE_METHODS = frozenset({PaymentMethod.ALIPAY, PaymentMethod.WECHAT})
"""Payment codes scanned from the customer's phone, charged through the provider."""


def code_tender(amount: int, code: str) -> Tender:
    """A scanned payment code for `amount` fen; the provider is told from the code itself."""
    try:
        kind = kind_of(code)
    except BadPaymentCode as exc:
        raise CounterError(exc.code, exc.message) from exc
    return Tender(PaymentMethod(kind), amount, code.strip())


def parse_tenders(text: str) -> list[Tender]:
    """`cash=10000,card=3000:REF42,code=6000:28763443825664394` → tenders; the card's
    reference or the scanned payment code follows a colon."""
    tenders = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        method, sep, rest = part.partition("=")
        if not sep or method not in ("cash", "card", "code"):
            raise CounterError(
                "BAD_PAYMENT",
                f"{part!r}: write payments as cash=AMOUNT, card=AMOUNT[:REF] or code=AMOUNT:CODE.",
            )
        amount, _, reference = rest.partition(":")
        if method == "code":
            tenders.append(code_tender(parse_amount(amount), reference))
            continue
        tenders.append(Tender(PaymentMethod(method), parse_amount(amount), reference or None))
    if not tenders:
        raise CounterError("BAD_PAYMENT", "No payment given.")
    return tenders


def cash_back_of(sale: Sale, amount: int) -> int:
    """Of `amount` given back on `sale`, the part paid out in cash: cash first
    (contract.money.cash_back), after what earlier refunds already took from the cash. The rest
    goes back the other way the sale was paid (card, or the payment code's wallet)."""
    cash_paid = sum(p.amount for p in sale.payments if p.method == PaymentMethod.CASH)
    return money.cash_back(amount, cash_paid, min(sale.refunded, cash_paid))


def check_tender(tender: Tender) -> None:
    """Refuse what no till can take before anything is sent anywhere."""
    if not 0 <= tender.amount <= MAX_TENDER:
        raise CounterError(
            "BAD_AMOUNT", f"{tender.amount} fen: a payment is 0 to {MAX_TENDER} fen."
        )
    ref = tender.reference
    if ref is not None and (len(ref) > MAX_REFERENCE or not ref.isprintable()):
        raise CounterError(
            "BAD_REFERENCE",
            f"A card reference is at most {MAX_REFERENCE} printable characters.",
        )


def settle(total: int, tenders: list[Tender]) -> Settlement:
    for tender in tenders:
        check_tender(tender)
    if sum(t.amount for t in tenders) > MAX_TENDER:
        raise CounterError(
            "BAD_AMOUNT", f"More than {money.format_money(MAX_TENDER)} handed over for one sale."
        )
    codes = [t for t in tenders if t.method in CODE_METHODS]
    if codes and (len(codes) > 1 or any(t.method == PaymentMethod.CARD for t in tenders)):
        raise CounterError(
            "ONE_CODE_PAYMENT", "One payment code per sale, with cash for the rest if need be."
        )
    if any(t.amount == 0 for t in codes):
        raise CounterError("BAD_AMOUNT", "A payment code is charged more than 0.")
    card = sum(t.amount for t in tenders if t.method != PaymentMethod.CASH)
    cash = sum(t.amount for t in tenders if t.method == PaymentMethod.CASH)
    if card > total:
        what = "The payment code" if codes else "Card"
        raise CounterError("CARD_OVERPAID", f"{what} pays {card} fen but only {total} fen is due.")
    cash_due = total - card
    if cash < cash_due:
        raise NotPaid("UNPAID", f"{cash_due - cash} fen still to pay (total {total} fen).")
    # A payment code's reference becomes the merchant order number once the charge is made;
    # the scanned code itself is never stored.
    payments = [
        Payment(
            method=t.method,
            amount=t.amount,
            reference=t.reference if t.method == PaymentMethod.CARD else None,
        )
        for t in tenders
        if t.method != PaymentMethod.CASH and t.amount > 0
    ]
    if cash_due > 0:
        payments.append(Payment(method=PaymentMethod.CASH, amount=cash_due))
    if not payments:
        payments.append(Payment(method=PaymentMethod.CASH, amount=0))
    return Settlement(payments=payments, tendered=card + cash, change=cash - cash_due)
