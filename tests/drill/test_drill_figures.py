"""The drill's arithmetic and its double-sale rule, on hand-made records and databases (fast)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from devtools.drill.checks import TerminalState, judge
from devtools.drill.figures import Windows, counter_figures, percentile, settled_at
from devtools.drill.plan import DrillPlan, parse_outage

WINDOWS = Windows(start=0.0, outage_from=60.0, outage_until=120.0, sell_until=180.0)


def sale(t: float, mode: str = "online", failover: bool = False, took: float = 0.1) -> dict:
    return {"type": "sale", "t0": t - took, "t1": t, "mode": mode, "failover": failover}


def test_sales_per_minute_by_window_and_the_outage_ratio() -> None:
    sales = [sale(t) for t in range(0, 60, 2)] + [sale(t, "offline") for t in range(60, 120, 3)]
    figures = counter_figures(sales, [], WINDOWS)
    assert figures["counter_sales_per_min"] == {"before": 30.0, "during": 20.0, "after": 0.0}
    assert figures["outage_throughput_ratio"] == pytest.approx(2 / 3, abs=0.001)
    assert figures["counter_sale_seconds"]["offline"]["n"] == 20


def test_percentile_is_nearest_rank() -> None:
    assert percentile(range(1, 101), 50) == 50
    assert percentile(range(1, 101), 99) == 99
    assert percentile([], 50) is None


def test_drained_means_empty_for_good() -> None:
    statuses = [
        {"t": t, "outbox": n} for t, n in [(100, 3), (121, 2), (124, 0), (126, 1), (130, 0)]
    ]
    assert settled_at(statuses, 120.0, lambda s: s["outbox"] == 0) == 130
    assert settled_at(statuses[:-1], 120.0, lambda s: s["outbox"] == 0) is None
    assert settled_at([{"t": 100, "outbox": 0}], 120.0, lambda s: s["outbox"] == 0) == 120.0


def test_outage_and_plan_are_checked() -> None:
    assert parse_outage("20:15") == (20.0, 15.0)
    with pytest.raises(ValueError):
        parse_outage("20")
    with pytest.raises(ValueError):
        DrillPlan(duration=30, outage_start=20, outage_length=15).check()


def central_db(path: Path, live: list[tuple[str, str, str, str, str]]) -> Path:
    """(ticket id, showtime, seat, terminal, sale key) as live tickets of paid sales."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE sales (id, terminal_id, idempotency_key, status)")
        conn.execute("CREATE TABLE tickets (id, sale_id, showtime_id, seat, refunded)")
        for ticket_id, showtime_id, seat, terminal_id, key in live:
            conn.execute("INSERT INTO sales VALUES (?, ?, ?, 'paid')", (key, terminal_id, key))
            conn.execute(
                "INSERT INTO tickets VALUES (?, ?, ?, ?, 0)", (ticket_id, key, showtime_id, seat)
            )
    return path


def test_a_seat_two_customers_hold_is_double_sold(tmp_path: Path) -> None:
    db = central_db(tmp_path / "c.db", [("W1", "st-1", "A1", "W01", "web-1")])
    counter = TerminalState("D01", [("k1", "D1", "st-1", "A1")], [], 0)
    verdict = judge(db, [counter])
    assert verdict.double_sold == 1
    assert verdict.missing == 1  # the central does not have the counter's sale either


def test_a_refused_offline_sale_counts_as_double_sold(tmp_path: Path) -> None:
    db = central_db(tmp_path / "c.db", [])
    counter = TerminalState("D01", [], [("k1", "st-1", ["A1", "A2"], "conflict: sold")], 0)
    assert judge(db, [counter]).double_sold == 2


def test_a_sale_the_central_has_without_a_customer_is_a_duplicate(tmp_path: Path) -> None:
    db = central_db(
        tmp_path / "c.db", [("D1", "st-1", "A1", "D01", "k1"), ("D2", "st-1", "A2", "D01", "k2")]
    )
    counter = TerminalState("D01", [("k1", "D1", "st-1", "A1")], [], 0)
    verdict = judge(db, [counter])
    assert (verdict.double_sold, verdict.missing, verdict.duplicates) == (0, 0, 1)
    assert verdict.failures == ["1 sales the central counts twice or without a customer"]
