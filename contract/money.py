"""Money as the whole system keeps it: integer minor units (fen). One place turns fen into text
and text into fen, by integer arithmetic only, so no amount is ever a cent off."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from contract.errors import BoxOfficeError

CURRENCY_SYMBOLS = {"CNY": "¥"}


class BadAmount(BoxOfficeError):
    code = "BAD_AMOUNT"

    def __init__(self, text: str) -> None:
        super().__init__(None, f"{text!r} is not an amount (fen, or yuan like 60.00).")


def decimal_text(fen: int) -> str:
    """`6000` as `60.00`: the form price boards and other systems' APIs (pretix) use."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError(f"money must be integer minor units, got {fen!r}")
    sign = "-" if fen < 0 else ""
    units, cents = divmod(abs(fen), 100)
    return f"{sign}{units}.{cents:02d}"


def format_money(fen: int, currency: str = "CNY") -> str:
    """`6000` as `¥60.00` (or `USD 60.00` for a currency without a symbol we know)."""
    amount = decimal_text(fen)
    sign, digits = ("-", amount[1:]) if amount.startswith("-") else ("", amount)
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{currency} {digits}"


def parse_amount(text: str, *, whole_is_yuan: bool = False) -> int:
    """Fen from what a person typed: `6000` is fen and `60.00` (with a point) is yuan, as on a
    price board. At the till's keypad (`whole_is_yuan`) a bare `100` means ¥100."""
    text = text.strip()
    try:
        if "." in text or whole_is_yuan:
            fen = Decimal(text) * 100
            if fen != fen.to_integral_value():
                raise InvalidOperation
            return int(fen)
        return int(text)
    except (InvalidOperation, ValueError) as exc:
        raise BadAmount(text) from exc


def cash_back(amount: int, cash_paid: int, cash_given_back: int) -> int:
    """Of `amount` given back, the part paid out in cash: money goes back cash first, up to
    the cash the sale took less what earlier refunds already paid out in cash. The rest goes
    back the way the sale was paid otherwise (card). The till and the Z report share it."""
    return min(amount, max(cash_paid - cash_given_back, 0))
