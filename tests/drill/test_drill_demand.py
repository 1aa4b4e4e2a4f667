"""The drill tells the truth about demand: customers want one showtime (the hottest drawn most
under hot demand), a refused one may take another or leave, and the report counts who arrived,
was served, turned away and lost in each phase. The arithmetic is checked on hand-made records
(fast); a short hot-demand drill runs for real (slow)."""

from __future__ import annotations

import contextlib
import io
import json
import random
import sqlite3
from collections import Counter as Tally
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from central.db import Database
from central.seeding import seed
from central.seeds import load_seeds
from contract.models import Showtime
from devtools.drill.checks import ShowtimeSales, seating_record
from devtools.drill.demand import SWITCH_PROBABILITY, Customers, popularity
from devtools.drill.figures import Windows, customer_figures, hot_unsold, mark_lost
from devtools.drill.plan import DrillPlan
from pos.cli import main as pos_main
from tests.conftest import SEEDS

WINDOWS = Windows(start=0.0, outage_from=60.0, outage_until=120.0, sell_until=180.0)
DAY = datetime(2026, 6, 12, 1, 0, tzinfo=UTC)


def showtime(sid: str, capacity: int, minutes: int) -> Showtime:
    start = DAY + timedelta(minutes=minutes)
    return Showtime(
        id=sid,
        film_id="f",
        auditorium_id="a",
        start=start,
        end=start + timedelta(hours=2),
        business_date=DAY.date(),
        prices={"adult": 6000},
        capacity=capacity,
        free=capacity,
    )


SHOWTIMES = [
    showtime("small-early", 100, 0),
    showtime("big-late", 700, 120),
    showtime("big-early", 700, 10),
    showtime("mid", 250, 30),
]


def test_hot_demand_draws_the_largest_houses_first_showtime_most() -> None:
    weights = dict(zip([s.id for s in SHOWTIMES], popularity(SHOWTIMES, "hot"), strict=True))
    assert max(weights, key=weights.__getitem__) == "big-early"
    assert weights["big-early"] > weights["big-late"] > weights["mid"] > weights["small-early"]
    assert set(popularity(SHOWTIMES, "uniform")) == {1.0}
    with pytest.raises(ValueError, match="unknown demand"):
        popularity(SHOWTIMES, "lukewarm")

    customers = Customers(random.Random(7), SHOWTIMES, "hot")
    drawn = Tally(customers.arrive()[0].id for _ in range(4000))
    assert drawn.most_common(1)[0][0] == "big-early" and drawn["big-early"] > 1500
    parties = {customers.arrive()[1] for _ in range(200)}
    assert parties == {1, 2, 3, 4}


def test_a_refused_customer_takes_another_showtime_sometimes() -> None:
    customers = Customers(random.Random(11), SHOWTIMES, "hot")
    tried = {"big-early"}
    second = [customers.instead(tried) for _ in range(4000)]
    switched = [s for s in second if s is not None]
    assert len(switched) / len(second) == pytest.approx(SWITCH_PROBABILITY, abs=0.03)
    assert "big-early" not in {s.id for s in switched}
    assert customers.instead({s.id for s in SHOWTIMES}) is None


def customer(t: float, wanted: str, party: int, served: bool) -> dict:
    return {"type": "customer", "t0": t, "t1": t + 1, "wanted": wanted, "party": party,
            "served": served}  # fmt: skip


def test_arrived_served_turned_away_and_lost_by_phase() -> None:
    seats = {
        "hot": ShowtimeSales(capacity=100, start="2026-06-12T01:00:00+00:00", sold=97,
                             sold_before=40),
        "cold": ShowtimeSales(capacity=50, start="2026-06-12T02:00:00+00:00", sold=50,
                              sold_before=0),
    }  # fmt: skip
    records = [
        customer(10, "hot", 2, True),
        customer(70, "hot", 3, False),  # lost: 3 seats were still unsold at the end
        customer(80, "hot", 4, False),  # not lost: only 3 left
        customer(90, "cold", 1, False),  # not lost: sold out
        customer(95, "hot", 1, True),
        customer(130, "hot", 1, False),  # lost, after the outage
        customer(500, "hot", 1, False),  # after selling ended: not counted
    ]
    marked = mark_lost(records, seats)
    figures = customer_figures(marked, WINDOWS)
    assert figures["customers"] == {
        "before": {"arrived": 1, "served": 1, "turned_away": 0, "lost": 0},
        "during": {"arrived": 4, "served": 1, "turned_away": 3, "lost": 1},
        "after": {"arrived": 1, "served": 0, "turned_away": 1, "lost": 1},
    }
    assert figures["lost_share_during"] == 0.25
    assert customer_figures([], WINDOWS)["lost_share_during"] is None
    assert hot_unsold(seats) == 0.6  # the larger house is the hotter one
    assert hot_unsold({}) is None


def test_seats_no_counter_customer_could_have_are_not_counted_as_lost(tmp_path: Path) -> None:
    """The opening house sold out but for its wheelchair spaces, companion seats and love
    seats, which a party sold by count never gets: its refused customers were not lost."""
    at = "2026-06-12T01:00:00+00:00"
    seats = {"hot": ShowtimeSales(capacity=100, start=at, sold=90, sold_before=40, set_aside=8)}
    records = [customer(70, "hot", 2, False), customer(75, "hot", 3, False)]
    assert [c["lost"] for c in mark_lost(records, seats)] == [True, False]  # 2 left to sell

    central = tmp_path / "central.db"
    db = Database(central)
    seed(db, load_seeds(SEEDS), None, datetime.now(UTC))
    with contextlib.closing(sqlite3.connect(central)) as conn:
        (body,) = conn.execute("SELECT body FROM auditoriums WHERE id = 'aud1'").fetchone()
    kinds = [seat["kind"] for seat in json.loads(body)["seats"]]
    kept = sum(kind not in ("standard", "vip") for kind in kinds)
    record = seating_record(central)
    assert kept and record.set_aside["st-001"] == kept  # nothing sold yet: all of them


def test_the_plan_refuses_an_unknown_demand() -> None:
    with pytest.raises(ValueError, match="unknown demand"):
        DrillPlan(demand="lukewarm").check()
    DrillPlan(demand="uniform").check()


@pytest.mark.slow
def test_a_short_hot_demand_drill_reports_every_customer(tmp_path: Path) -> None:
    out = io.StringIO()
    args = ["--terminals", "2", "--online-clients", "2", "--duration", "12", "--outage", "4:4"]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = pos_main(
            ["drill", "festival", *args, "--demand", "hot", "--fault", "kill",
             "--out", str(tmp_path), "--json"]
        )  # fmt: skip
    report = json.loads(out.getvalue())
    assert report["failures"] == [] and code == 0
    assert (report["double_sold"], report["missing"], report["duplicates"]) == (0, 0, 0)
    assert report["demand"] == "hot"
    phases = report["customers"]
    for figures in phases.values():
        assert figures["arrived"] == figures["served"] + figures["turned_away"]
        assert 0 <= figures["lost"] <= figures["turned_away"]
    assert phases["during"]["arrived"] > 0 and phases["during"]["served"] > 0
    during = phases["during"]
    assert report["lost_share_during"] == round(during["lost"] / during["arrived"], 4)
    assert report["hot_unsold_at_outage"] >= 0.3  # the outage tests something
    assert (tmp_path / "drill.png").read_bytes().startswith(b"\x89PNG")
