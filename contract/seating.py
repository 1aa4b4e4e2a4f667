"""Which seats are better: one rule shared by the central (which leases the worst first) and
the counter (which offers the best first)."""

from __future__ import annotations

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
