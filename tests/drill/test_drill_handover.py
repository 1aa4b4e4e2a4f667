"""A handover drill: two counters, the first one's queue four times the second's, all wanting
the hot showtime, the central killed for most of the drill. The busy counter runs its lease
dry and asks the quiet one over loopback; every seat is still sold once and reaches the
central."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from pathlib import Path

import pytest

from central.seeds import load_seeds
from devtools.drill.plan import DrillPlan
from devtools.drill.seeds import copy_seeds
from pos.cli import main as pos_main
from pos.cli.drill import register


def test_the_first_counter_has_four_times_the_last_ones_queue() -> None:
    plan = DrillPlan(terminals=3, pace=0.5, queue_skew=4.0)
    assert [round(plan.pace_of(i), 3) for i in range(3)] == [0.5, 1.0, 2.0]
    with pytest.raises(ValueError, match="queue-skew"):
        DrillPlan(queue_skew=0.5).check()


def test_the_drill_may_set_the_cinemas_counter_allotment(tmp_path: Path) -> None:
    seeds = copy_seeds(tmp_path / "seeds", ["D01"], counter_share=0.6)
    allotment = load_seeds(seeds).cinema.counter_allotment
    assert allotment.share == 0.6
    # every house: the largest (aud1, 0.3 in the demo seeds) does not keep its own
    assert allotment.share_for("st-001", "aud1") == 0.6
    with pytest.raises(ValueError, match="counter-share"):
        DrillPlan(counter_share=1.5).check()


def test_the_festival_drill_opens_every_house_to_the_counters_unless_told() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    share = [
        parser.parse_args(["drill", "festival", *more]).counter_share
        for more in ([], ["--counter-share", "seeds"], ["--counter-share", "0.4"])
    ]
    assert share == [1.0, None, 0.4]


@pytest.mark.slow
def test_an_uneven_queue_is_served_with_seats_handed_over(tmp_path: Path) -> None:
    out = io.StringIO()
    args = ["--terminals", "2", "--online-clients", "1", "--duration", "30", "--outage", "4:22"]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = pos_main(
            ["drill", "festival", *args, "--demand", "hot", "--fault", "kill",
             "--queue-skew", "4", "--out", str(tmp_path), "--json"]
        )  # fmt: skip
    report = json.loads(out.getvalue())
    assert report["failures"] == [] and code == 0
    assert (report["double_sold"], report["missing"], report["duplicates"]) == (0, 0, 0)
    assert report["conflicts"] == 0 and report["outbox_left"] == 0
    assert report["handovers"] >= 1
    assert report["plan"]["queue_skew"] == 4.0 and report["plan"]["handover"] is True
