"""Benchmark: ticket layout to ESC/POS bytes (with a native QR code). On demand, not in CI.

Run `python tests/bench/bench_printing.py`. The baseline prints the same fields as plain text
through python-escpos's Dummy in the same run, so the ratio says what our layer costs.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from escpos.printer import Dummy

from contract.business_day import format_clock, format_date
from contract.money import format_money
from printer.demo import demo_ticket
from printer.layout import TicketFace
from printer.render import render_layout
from printer.settings import PrintSettings

GOAL_MS = 5.0
IMAGE_GOAL_MS = 50.0
"""Drawing Chinese as dots is bound by the printer (~0.5 s a ticket), not by this budget."""
ROUNDS = 100


def plain_text(ticket: TicketFace) -> bytes:
    """The baseline: the same fields, one per line, through python-escpos's own text()."""
    out = Dummy()
    for value in (
        ticket.cinema,
        ticket.film_title,
        ticket.auditorium,
        f"{ticket.row} {ticket.seat}",
        format_date(ticket.starts_at, ticket.timezone),
        format_clock(ticket.starts_at, ticket.timezone),
        ticket.ticket_type,
        format_money(ticket.price, ticket.currency),
        ticket.ticket_id,
        ticket.code,
    ):
        out.textln(value)
    out.cut()
    return out.output


def per_call_ms(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    action()  # warm caches (fonts, zoneinfo) once, as a running terminal has
    start = time.perf_counter()
    for _ in range(rounds):
        action()
    return (time.perf_counter() - start) * 1000 / rounds


def run() -> list[dict]:
    cases = [
        ("ticket en, 80 mm, QR", demo_ticket("en"), PrintSettings(), GOAL_MS),
        ("ticket zh, GB18030 printer, QR", demo_ticket("zh"), PrintSettings(lang="zh"), GOAL_MS),
        (
            "ticket zh, no Chinese font: image lines, QR",
            demo_ticket("zh"),
            PrintSettings(lang="zh", cjk=None),
            IMAGE_GOAL_MS,
        ),
    ]
    results = []
    for figure, ticket, settings, goal in cases:
        ours = per_call_ms(lambda t=ticket, s=settings: render_layout(t, s))
        baseline = per_call_ms(lambda t=ticket: plain_text(t))
        results.append(
            {
                "figure": f"{figure} (ms per ticket)",
                "value": round(ours, 3),
                "baseline": round(baseline, 3),
                "ratio": round(ours / baseline, 2),
                "goal": f"<= {goal} ms",
                "passed": ours <= goal,
            }
        )
    return results


if __name__ == "__main__":
    rows = run()
    for row in rows:
        print(
            f"{row['figure']}: {row['value']} ms (baseline {row['baseline']} ms, "
            f"x{row['ratio']}) goal {row['goal']}: {'PASS' if row['passed'] else 'FAIL'}"
        )
    sys.exit(0 if all(row["passed"] for row in rows) else 1)
