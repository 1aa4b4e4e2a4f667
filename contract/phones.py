"""Customers' mobile numbers, as bookings carry them: one rule for the seeds (what a number
looks like), the counter (finding a booking by it) and the screen (showing it masked)."""

from __future__ import annotations

MOBILE = r"^1[3-9]\d{9}$"
"""A mainland China mobile number: 11 digits starting 13-19."""

TAIL = 4
"""Customers at a counter give the last four digits (尾号) as often as the whole number."""


def digits_of(query: str) -> str | None:
    """The digits of what the cashier typed, if it is a phone number or its tail: digits, with
    spaces or dashes between them, at least `TAIL` of them; None for anything else (a name)."""
    kept = query.replace(" ", "").replace("-", "")
    if len(kept) < TAIL or not kept.isdigit():
        return None
    return kept


def phone_matches(phone: str | None, query: str) -> bool:
    """The whole number, or its last digits (four or more)."""
    digits = digits_of(query)
    return phone is not None and digits is not None and phone.endswith(digits)


def masked(phone: str | None) -> str:
    """`138****5678`: enough for the customer to recognise, not enough to copy off a screen."""
    if not phone:
        return "—"
    return f"{phone[:3]}{'*' * (len(phone) - 3 - TAIL)}{phone[-TAIL:]}"
