"""Who comes to the counter: each customer wants one showtime and a party of 1-4 seats.

`hot` demand is the festival morning: popularity falls off steeply (Zipf) down a ranking that
puts the largest house's first showtimes first, so the opening film draws the queue. `uniform`
spreads customers evenly over the day. Either way the customer asks for the showtime they want,
whatever the counter happens to hold: if it cannot sell it, they take another (drawn the same
way) with `SWITCH_PROBABILITY`, or leave. (The drill once let offline customers choose only
among showtimes with leased seats left, which hid every refusal a real queue would see.)"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from contract.models import Showtime

DEMANDS = ("hot", "uniform")
HOT_SKEW = 1.2
"""Zipf exponent of hot demand: the hottest showtime draws about three in ten customers."""
SWITCH_PROBABILITY = 0.3
"""A refused customer takes another showtime this often; the others leave."""


def rank_key(capacity: int, start: datetime | str, showtime_id: str) -> tuple[int, str, str]:
    """Hottest first: the largest house, then the earliest start (ISO text sorts as time)."""
    at = start.isoformat() if isinstance(start, datetime) else start
    return (-capacity, at, showtime_id)


def popularity(showtimes: Sequence[Showtime], demand: str) -> list[float]:
    """A weight per showtime, in the order given."""
    if demand not in DEMANDS:
        raise ValueError(f"unknown demand {demand!r}; choose from {', '.join(DEMANDS)}")
    if demand == "uniform":
        return [1.0] * len(showtimes)
    ranked = sorted(showtimes, key=lambda st: rank_key(st.capacity, st.start, st.id))
    rank = {st.id: i for i, st in enumerate(ranked)}
    return [1.0 / (rank[st.id] + 1) ** HOT_SKEW for st in showtimes]


class Customers:
    """Draws what each customer wants, and what a refused one does next."""

    def __init__(self, rng: random.Random, showtimes: Sequence[Showtime], demand: str):
        self.rng = rng
        self.showtimes = list(showtimes)
        self.weights = popularity(self.showtimes, demand)

    def _draw(self, skip: set[str]) -> Showtime | None:
        both = zip(self.showtimes, self.weights, strict=True)
        pool = [(st, w) for st, w in both if st.id not in skip]
        if not pool:
            return None
        return self.rng.choices([st for st, _ in pool], [w for _, w in pool])[0]

    def arrive(self) -> tuple[Showtime, int]:
        """The showtime a new customer wants, and their party."""
        wanted = self._draw(set())
        assert wanted is not None, "a drill needs showtimes"
        return wanted, self.rng.randint(1, 4)

    def instead(self, tried: set[str]) -> Showtime | None:
        """After a refusal: another showtime, or None when the customer leaves."""
        if self.rng.random() >= SWITCH_PROBABILITY:
            return None
        return self._draw(tried)
