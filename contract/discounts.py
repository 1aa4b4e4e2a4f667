"""What a ticket costs with one of the cinema's discounts: one rule for the counter (which
quotes and sells) and the central (which refuses a line priced otherwise), so the two cannot
disagree by a fen.

Example::

    rules = schedule.cinema.discounts
    price_of(showtime.prices, "adult", "MEMBER", rules)   # 6000 fen, 20% off: 4800
    price_of(showtime.prices, "adult", None, rules)       # the list price: 6000
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from contract.errors import BoxOfficeError
from contract.models import Discount


class PricingError(BoxOfficeError):
    """A line that cannot be priced: an unknown ticket type or discount, or a discount that
    does not apply to that ticket type."""


def normalized(code: str) -> str:
    """Discount codes are matched without regard to case or spaces (a coupon read out loud)."""
    return code.strip().upper()


def find(code: str, rules: Sequence[Discount]) -> Discount:
    wanted = normalized(code)
    for rule in rules:
        if normalized(rule.code) == wanted:
            return rule
    raise PricingError("UNKNOWN_DISCOUNT", f"No discount or coupon {code!r} here.", {"code": code})


def applies(rule: Discount, ticket_type: str) -> bool:
    return not rule.ticket_types or ticket_type in rule.ticket_types


def discounted(list_price: int, rule: Discount) -> int:
    """The rule applied to one ticket, in integer fen: a percentage rounds to the fen in the
    customer's favour (down), an amount off stops at zero, a fixed price never raises it."""
    if rule.percent_off is not None:
        return list_price * (100 - rule.percent_off) // 100
    if rule.amount_off is not None:
        return max(0, list_price - rule.amount_off)
    if rule.price is not None:
        return min(list_price, rule.price)
    raise PricingError("BAD_DISCOUNT", f"Discount {rule.code} has no rule.", {"code": rule.code})


def list_price(prices: Mapping[str, int], ticket_type: str) -> int:
    if ticket_type not in prices:
        raise PricingError(
            "UNKNOWN_TICKET_TYPE", f"No ticket type {ticket_type!r} here.", {"type": ticket_type}
        )
    return prices[ticket_type]


def price_of(
    prices: Mapping[str, int],
    ticket_type: str,
    discount: str | None,
    rules: Sequence[Discount],
) -> int:
    """A ticket's price at a showtime (`prices` by ticket type), with `discount` if one."""
    full = list_price(prices, ticket_type)
    if discount is None:
        return full
    rule = find(discount, rules)
    if not applies(rule, ticket_type):
        raise PricingError(
            "DISCOUNT_NOT_FOR_TYPE",
            f"{rule.code} is not for {ticket_type} tickets.",
            {"code": rule.code, "type": ticket_type},
        )
    return discounted(full, rule)
