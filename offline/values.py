"""Money and time as the store keeps them: integer fen, and UTC ISO-8601 text.

Stored times use one fixed width (microseconds, `+00:00`) so that comparing the text in SQL
orders the instants correctly; outbox `next_attempt_at <= now` depends on it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from offline.errors import InvalidMoney


def fen(value: object, what: str, *, signed: bool = False) -> int:
    """Return `value` if it is a whole number of fen; a float, bool or stray negative raises."""
    if type(value) is not int:
        raise InvalidMoney(f"{what} must be whole fen (int), got {type(value).__name__} {value!r}")
    if value < 0 and not signed:
        raise InvalidMoney(f"{what} must not be negative, got {value}")
    return value


def utc_iso(moment: datetime) -> str:
    """Aware datetime → stored text; a naive one raises, since its zone would be a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: the store keeps aware UTC times only")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(text: str) -> datetime:
    """Stored text → aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


def system_clock() -> datetime:
    return datetime.now(UTC)
