"""A seat exchange under way in the TUI: which sale's tickets go back, while the cashier picks
the new showtime and seats (the app holds it; the schedule shows it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SeatExchange:
    sale_id: str
    what: str
    """The sale as the cashier knows it (film and start)."""
    tickets: int
    """How many tickets go back: as many seats must be chosen."""
