"""`pos drill festival`: replay the festival's opening morning on loopback and check that the
counters kept selling, sold no seat twice and lost no sale."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pos.cli.common import require_extra
from pos.counter.errors import CounterError

FESTIVAL_COUNTER_SHARE = 1.0
"""The festival drill's counter allotment (devtools/drill/plan.py says why)."""


def _share(text: str) -> float | None:
    """`--counter-share`: a share of each house, or `seeds` for the demo seeds' own."""
    return None if text == "seeds" else float(text)


PRETIX_DRAIN = 90.0
"""Seconds a drill on pretix waits after selling for every outbox to empty."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "drill", help="fault drills against a local reference central or pretix"
    )
    drills = parser.add_subparsers(dest="drill", metavar="DRILL", required=True)
    festival = drills.add_parser(
        "festival",
        help="counters, an online rush and an outage; exits 1 if an invariant fails",
    )
    festival.add_argument("--terminals", type=int, default=4, help="counter terminals (4)")
    festival.add_argument(
        "--online-clients", type=int, default=8, help="concurrent online buyers (8)"
    )
    festival.add_argument("--duration", type=float, default=60.0, help="seconds of selling (60)")
    festival.add_argument(
        "--outage", default="20:20", help="START:LENGTH in seconds into selling (20:20)"
    )
    festival.add_argument(
        "--fault",
        choices=("hang", "reset", "5xx", "kill"),
        help="the outage: hang (default), reset, 5xx, kill; on pretix kill (default) or hang",
    )
    festival.add_argument(
        "--central",
        choices=("reference", "pretix"),
        default="reference",
        help="our reference central, or a pretix on PostgreSQL behind gunicorn (see README)",
    )
    festival.add_argument(
        "--showtimes", type=int, default=6, help="opening showtimes seeded on pretix (6)"
    )
    festival.add_argument(
        "--demand",
        choices=("hot", "uniform"),
        default="hot",
        help="what the counters' customers want: the opening showtimes (hot) or any (uniform)",
    )
    festival.add_argument(
        "--queue-skew",
        type=float,
        default=1.0,
        help="the first counter's queue is this many times the last one's (1: even)",
    )
    festival.add_argument(
        "--counter-share",
        type=_share,
        default=FESTIVAL_COUNTER_SHARE,
        help="the cinema's counter allotment, a share of each house (default 1.0, the festival"
        " morning's; `seeds`: the demo seeds' 0.25, the largest house 0.3)",
    )
    festival.add_argument(
        "--no-handover",
        dest="handover",
        action="store_false",
        help="no peer handover between the counters: leases alone",
    )
    festival.add_argument("--seed", type=int, default=2016)
    festival.add_argument(
        "--out", type=Path, default=Path("drill-out"), help="report, chart and work files"
    )
    festival.add_argument("--json", action="store_true", help="print the report as JSON")
    festival.set_defaults(func=run_festival_command)


def run_festival_command(args: argparse.Namespace) -> int:
    require_extra("drill", "matplotlib", "fastapi")
    from rich.console import Console

    from devtools.drill.central_process import DrillError
    from devtools.drill.festival import run_festival
    from devtools.drill.plan import DrillPlan, parse_outage
    from devtools.drill.summary import summary_table

    try:
        start, length = parse_outage(args.outage)
        plan = DrillPlan(
            terminals=args.terminals,
            online_clients=args.online_clients,
            duration=args.duration,
            outage_start=start,
            outage_length=length,
            fault=args.fault or ("kill" if args.central == "pretix" else "hang"),
            central=args.central,
            showtimes=args.showtimes,
            # pretix restarts in seconds to tens of seconds (its import, its workers), and its
            # counters then upload through the same few workers
            drain_cap=PRETIX_DRAIN if args.central == "pretix" else DrillPlan.drain_cap,
            demand=args.demand,
            handover=args.handover,
            queue_skew=args.queue_skew,
            counter_share=args.counter_share,
            seed=args.seed,
            out=args.out,
        )
        plan.check()
    except ValueError as exc:
        raise CounterError("BAD_DRILL", str(exc)) from exc
    err = Console(stderr=True)
    try:
        report = run_festival(plan, err)
    except DrillError as exc:
        raise CounterError("DRILL_FAILED", str(exc)) from exc
    except KeyboardInterrupt:
        err.print("drill interrupted; every process it started has been stopped")
        return 130
    if args.json:
        err.print(summary_table(report))
        json.dump(report, sys.stdout)
        sys.stdout.write("\n")
    else:
        Console().print(summary_table(report))
        for failure in report["failures"]:
            print(f"FAILED: {failure}")
    return 0 if report["passed"] else 1
