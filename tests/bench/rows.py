"""One row of a benchmark table, as every tests/bench/bench_*.py returns them to run_all.py:
the figure, its value, the baseline measured in the same run, their ratio, the goal, pass."""

from __future__ import annotations

from typing import Any


def row(figure: str, value: float, baseline: float, goal: str, passed: bool) -> dict[str, Any]:
    return {
        "figure": figure,
        "value": round(value, 3),
        "baseline": round(baseline, 3),
        "ratio": round(value / baseline, 2),
        "goal": goal,
        "passed": passed,
    }
