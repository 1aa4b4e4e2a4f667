"""Choosing "N seats together": the counter's `auto:N`, the seat map's number-then-b.

Seats are together when they sit in one row at neighbouring positions with no aisle between.
Among such runs the best is the one nearest the sweet spot (centre, two thirds back); when no
run is long enough, the best seats one by one, so the cashier can still sell."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from contract.models import Auditorium, Seat, SeatKind
from contract.seating import desirability

SINGLE_SEAT_KINDS = {SeatKind.STANDARD, SeatKind.VIP}


def runs(seats: Iterable[Seat]) -> list[list[Seat]]:
    """Maximal runs of seats at consecutive x in one row."""
    by_row: dict[int, list[Seat]] = defaultdict(list)
    for seat in seats:
        by_row[seat.y].append(seat)
    found: list[list[Seat]] = []
    for row in by_row.values():
        row.sort(key=lambda s: s.x)
        current = [row[0]]
        for seat in row[1:]:
            if seat.x == current[-1].x + 1:
                current.append(seat)
            else:
                found.append(current)
                current = [seat]
        found.append(current)
    return found


def best_together(layout: Auditorium, available: Iterable[str], count: int) -> list[str]:
    """Labels of `count` seats, together if at all possible; [] if fewer are available."""
    free = set(available)
    candidates = [s for s in layout.seats if s.label in free and s.kind in SINGLE_SEAT_KINDS]
    if count <= 0 or len(candidates) < count:
        return []
    score = desirability(layout)
    best: tuple[float, list[str]] | None = None
    for run in runs(candidates):
        for i in range(len(run) - count + 1):
            block = run[i : i + count]
            total = sum(score[s.label] for s in block)
            if best is None or total < best[0]:
                best = (total, [s.label for s in block])
    if best is not None:
        return best[1]
    return sorted((s.label for s in candidates), key=score.__getitem__)[:count]


def best_free_first(
    layout: Auditorium, free: Iterable[str], mine: Iterable[str], count: int
) -> list[str]:
    """Online: the best seats among the free ones, and only when those cannot seat the party,
    among the free ones and this counter's own lease (kept for an outage while the house has
    others to sell); [] if even that is too few."""
    free = list(free)
    chosen = best_together(layout, free, count)
    if len(chosen) < count:
        chosen = best_together(layout, [*free, *mine], count)
    return chosen
