"""The festival drill in CI: a short drill per outage kind finds every invariant holding, and
the same drill run on a deliberately broken build finds seats sold twice (so the check can
fail). Each drill is real: a central process, two counter processes and an online rush."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from devtools.drill.festival import run_festival
from devtools.drill.plan import DrillPlan
from pos.cli import main as pos_main

pytestmark = pytest.mark.slow
SHORT = ("--terminals", "2", "--online-clients", "2", "--duration", "9", "--outage", "3:3")


def drill(*args: str) -> tuple[int, dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = pos_main(["drill", "festival", *args, "--json"])
    return code, json.loads(out.getvalue())


@pytest.mark.parametrize("fault", ["hang", "reset", "5xx", "kill"])
def test_invariants_hold_through_an_outage(fault: str, tmp_path: Path) -> None:
    code, report = drill(*SHORT, "--fault", fault, "--out", str(tmp_path))
    assert report["failures"] == []
    assert code == 0
    assert (report["double_sold"], report["missing"], report["duplicates"]) == (0, 0, 0)
    assert report["drain_seconds"] is not None
    sold = report["counter_sales"]
    assert sold["offline"] + sold["failover"] > 0, "the counters never noticed the outage"
    assert set(report["counter_sales_per_min"]) == {"before", "during", "after"}
    assert json.loads((tmp_path / "drill.json").read_text()) == report
    assert (tmp_path / "drill.png").read_bytes().startswith(b"\x89PNG")


def test_a_broken_build_is_caught_selling_seats_twice(tmp_path: Path) -> None:
    plan = DrillPlan(
        terminals=2,
        online_clients=2,
        duration=9,
        outage_start=3,
        outage_length=3,
        out=tmp_path,
        unprotected_leases=True,
    )
    report = run_festival(plan, Console(file=io.StringIO()))
    assert not report["passed"]
    assert report["double_sold"] > 0
    assert report["conflicts"] > 0
