"""Which seats are better: one rule shared by the central (which leases the worst first) and
the counter (which offers the best first)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from contract.models import Auditorium


def desirability(layout: Auditorium) -> dict[str, float]:
    """0 is the best seat in the house (centre, two thirds back); larger is worse."""
    xs = [s.x for s in layout.seats]
    ys = [s.y for s in layout.seats]
    cx = (min(xs) + max(xs)) / 2
    best_y = min(ys) + (max(ys) - min(ys)) * 2 / 3
    span_x = max(max(xs) - min(xs), 1)
    span_y = max(max(ys) - min(ys), 1)
    return {s.label: abs(s.x - cx) / span_x + abs(s.y - best_y) / span_y for s in layout.seats}


_LABEL = re.compile(r"^([A-Z]{1,2})(\d{1,3})$")


def seat_order(label: str) -> tuple[int, str, int]:
    """Seats in the order people read them: row (A … Z, then AA …), then number, so B10
    follows B9; a label of another shape goes last. The store, the screen and the paper agree."""
    match = _LABEL.match(label)
    if not match:
        return (9, label, 0)
    return (len(match[1]), match[1], int(match[2]))


def sorted_seats(labels: Iterable[str]) -> list[str]:
    return sorted(labels, key=seat_order)
