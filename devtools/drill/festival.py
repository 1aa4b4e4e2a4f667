"""The festival drill, start to finish: set the stage, sell through an outage, wait for the
terminals to drain, stop everything, then judge and measure from what is left on disk."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console

from central.server import DEFAULT_SEEDS
from contract.business_day import tomorrow
from devtools.drill.central_process import CentralProcess, DrillError
from devtools.drill.chart import draw
from devtools.drill.checks import (
    CentralRecord,
    SeatingRecord,
    judge,
    showtime_sales,
    terminal_state,
)
from devtools.drill.figures import (
    Windows,
    counter_figures,
    customer_figures,
    hot_unsold,
    mark_lost,
    online_figures,
    recovery_figures,
)
from devtools.drill.live import LiveView
from devtools.drill.monitor import Monitor
from devtools.drill.plan import FAULTS, DrillPlan, Timeline
from devtools.drill.pretix_central import EVENT as PRETIX_EVENT
from devtools.drill.pretix_central import PretixCentral
from devtools.drill.processes import spawn, stop
from devtools.drill.seeds import copy_seeds, drill_code

WEB_ID = "W01"
TICK = 0.5
READY_TIMEOUT = 90.0
GRACE = 10.0
"""Seconds past the timeline's deadline before the drill stops waiting for its children."""
THROUGHPUT_GOAL = 0.9
CASHIERS = ("c01", "c02", "c03", "c04")


def free_port() -> int:
    """A loopback port free now, for a terminal's peer endpoint (its peers must know it before
    it starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def business_day() -> date:
    """Tomorrow in Shanghai: no showtime has started, whatever the hour of the drill."""
    return tomorrow(ZoneInfo("Asia/Shanghai"))


class Stage:
    """The processes of one drill and where they keep their files."""

    def __init__(self, plan: DrillPlan):
        self.plan = plan
        self.out = plan.out.resolve()
        self.work = self.out / "work"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.ids = [f"D{i:02d}" for i in range(1, plan.terminals + 1)]
        self.central: CentralProcess | PretixCentral
        if plan.central == "pretix":
            self.central = PretixCentral(
                folder=self.work / "pretix",
                seeds=DEFAULT_SEEDS,
                business_date=business_day(),
                showtimes=plan.showtimes,
            )
        else:
            self.central = CentralProcess(
                db=self.work / "central.db",
                seeds=copy_seeds(self.work / "seeds", [*self.ids, WEB_ID], plan.counter_share),
                business_date=business_day(),
                log=self.work / "logs" / "central.log",
            )
        self.cashiers: dict[str, subprocess.Popen[bytes]] = {}
        self.web: subprocess.Popen[bytes] | None = None
        self.go = self.work / "go.json"
        self.peer_ports = {tid: free_port() for tid in self.ids} if plan.handover else {}

    def home(self, terminal_id: str) -> Path:
        return self.work / "terminals" / terminal_id

    def children(self) -> list[subprocess.Popen[bytes]]:
        return [*self.cashiers.values(), *([self.web] if self.web else [])]

    def where(self, terminal_id: str) -> list[str]:
        """How a child reaches the central as `terminal_id`."""
        central = self.central
        if isinstance(central, PretixCentral):
            return [
                "--pretix", central.url, "--token", central.token,
                "--organizer", central.organizer, "--event", PRETIX_EVENT,
            ]  # fmt: skip
        return ["--central", central.url, "--code", drill_code(terminal_id)]

    def start_children(self) -> None:
        plan = self.plan
        pretix = isinstance(self.central, PretixCentral)
        for i, tid in enumerate(self.ids):
            args = [
                "-m", "devtools.drill.cashier", *self.where(tid),
                *(["--terminal", tid] if pretix else []),
                "--home", str(self.home(tid)), "--go", str(self.go),
                "--cashier", CASHIERS[i % len(CASHIERS)], "--seed", str(plan.seed * 1000 + i),
                "--pace", str(plan.pace_of(i)), "--lease-seats", str(plan.lease_seats),
                "--demand", plan.demand, "--time-scale", str(plan.time_scale),
            ]  # fmt: skip
            if plan.unprotected_leases:
                args.append("--unprotected-leases")
            if tid in self.peer_ports:
                others = [
                    f"{other}=http://127.0.0.1:{port}"
                    for other, port in self.peer_ports.items()
                    if other != tid
                ]
                args += ["--peer-port", str(self.peer_ports[tid]), "--peers", ",".join(others)]
            self.cashiers[tid] = spawn(args, self.work / "logs" / f"{tid}.log")
        if plan.online_clients:
            self.web = spawn(
                [
                    "-m", "devtools.drill.pretix_web" if pretix else "devtools.drill.web",
                    *self.where(WEB_ID),
                    "--go", str(self.go), "--log", str(self.work / "web.jsonl"),
                    "--clients", str(plan.online_clients), "--buy-ratio", str(plan.buy_ratio),
                    "--seed", str(plan.seed),
                ],
                self.work / "logs" / "web.log",
            )  # fmt: skip

    def monitor(self) -> Monitor:
        return Monitor(
            {tid: self.home(tid) / "drill.jsonl" for tid in self.ids},
            self.work / "web.jsonl" if self.web else None,
        )

    def stop_children(self) -> None:
        for child in self.children():
            stop(child)


def wait_ready(stage: Stage, monitor: Monitor, view: LiveView) -> None:
    wanted = {*stage.ids, "web"}
    give_up = time.monotonic() + READY_TIMEOUT
    while monitor.ready() != wanted:
        for name, child in [*stage.cashiers.items(), ("web", stage.web)]:
            if child is not None and child.poll() is not None:
                raise DrillError(f"{name} exited during setup; see {stage.work / 'logs'}")
        if time.monotonic() > give_up:
            raise DrillError(f"not every process was ready within {READY_TIMEOUT:.0f} s")
        time.sleep(0.1)
        monitor.poll()
        view.show("setting up: enrolling terminals, leasing seats", monitor, None)


def phase(plan: DrillPlan, timeline: Timeline, now: float, back: bool) -> str:
    if now < timeline.start:
        return "about to open"
    if now < timeline.outage_from:
        return "selling, central healthy"
    if not back:
        return f"OUTAGE ({plan.fault})"
    if now < timeline.sell_until:
        return "central back, recovering"
    return "selling over, draining outboxes"


def watch(stage: Stage, timeline: Timeline, monitor: Monitor, view: LiveView) -> float:
    """Run the clock: the kill fault by hand, health probes, the live view. Returns when the
    central was really back (for `kill`, when the restarted process listened)."""
    plan, central = stage.plan, stage.central
    began = False
    back_at: float | None = None
    http, health = central.health()
    with http:
        while time.time() < timeline.deadline + GRACE:
            now = time.time()
            if not began and now >= timeline.outage_from:
                central.begin_outage(plan.fault)
                began = True
            if back_at is None and now >= timeline.outage_until:
                back_at = central.end_outage(plan.fault) or timeline.outage_until
            monitor.probe(http, health)
            monitor.poll()
            view.show(phase(plan, timeline, now, back_at is not None), monitor, timeline.start)
            if now >= timeline.sell_until and all(c.poll() is not None for c in stage.children()):
                break
            time.sleep(max(0.0, TICK - (time.time() - now)))
    return back_at if back_at is not None else timeline.outage_until


def run_festival(plan: DrillPlan, console: Console | None = None) -> dict[str, Any]:
    """Run one drill; returns the report (also written to OUT/drill.json, chart to drill.png)."""
    plan.check()
    stage = Stage(plan)
    view = LiveView(console or Console(stderr=True))
    finished = False
    try:
        with view:
            stage.central.start()
            stage.start_children()
            monitor = stage.monitor()
            wait_ready(stage, monitor, view)
            timeline = Timeline.of(plan)
            kind = FAULTS[plan.fault]
            if kind is not None and isinstance(stage.central, CentralProcess):
                stage.central.schedule_outage(
                    timeline.outage_from - time.time(), plan.outage_length, kind
                )
            timeline.write(stage.go)
            back_at = watch(stage, timeline, monitor, view)
            view.show("checking", monitor, timeline.start)
        finished = True
    finally:
        stage.stop_children()
        if not finished:
            stage.central.stop()
    record, seating = stage.central.finish()
    monitor.poll()
    return report(stage, timeline, back_at, monitor, record, seating)


def report(
    stage: Stage,
    timeline: Timeline,
    back_at: float,
    monitor: Monitor,
    record: CentralRecord,
    seating: SeatingRecord,
) -> dict[str, Any]:
    plan = stage.plan
    windows = Windows(timeline.start, timeline.outage_from, back_at, timeline.sell_until)
    terminals = [terminal_state(t, stage.home(t) / "store.db") for t in stage.ids]
    verdict = judge(record, terminals)
    sales = [r for t in stage.ids for r in monitor.of(t, "sale")]
    refusals = [r for t in stage.ids for r in monitor.of(t, "error")]
    statuses = {t: monitor.of(t, "status") for t in stage.ids}
    recovery = recovery_figures(statuses, back_at)
    failures = verdict.failures
    if recovery["drain_seconds"] is None:
        failures.append("some outbox never emptied after the outage")
    failures += [
        f"{name} exited with code {child.returncode}"
        for name, child in [*stage.cashiers.items(), ("web", stage.web)]
        if child is not None and child.returncode not in (0, None)
    ]
    counter = counter_figures(sales, refusals, windows)
    seats = showtime_sales(seating, timeline.outage_from)
    customers = mark_lost([r for t in stage.ids for r in monitor.of(t, "customer")], seats)
    demand = customer_figures(customers, windows)
    ratio = counter["outage_throughput_ratio"]
    result: dict[str, Any] = {
        "passed": not failures,
        "failures": failures,
        "double_sold": verdict.double_sold,
        "conflicts": verdict.conflicts,
        "missing": verdict.missing,
        "duplicates": verdict.duplicates,
        "outbox_left": verdict.outbox_left,
        **recovery,
        **counter,
        "demand": plan.demand,
        **demand,
        "hot_unsold_at_outage": hot_unsold(seats),
        "handovers": sum(t.handovers for t in terminals),
        "throughput_goal": {
            "ratio": THROUGHPUT_GOAL,
            "met": ratio is not None and ratio >= THROUGHPUT_GOAL,
        },
        **online_figures(monitor.requests(), windows),
        "outage": {
            "kind": plan.fault,
            "from_s": plan.outage_start,
            "until_s": round(back_at - timeline.start, 2),
        },
        "examples": verdict.examples,
        "plan": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(plan).items()},
    }
    out = stage.out
    title = (
        f"Festival drill on {plan.central}: {plan.terminals} counters, "
        f"{plan.online_clients} online clients, "
        f"outage {plan.fault} {plan.outage_start:g}+{plan.outage_length:g} s, "
        f"{plan.demand} demand"
    )
    chart = draw(out / "drill.png", monitor, windows, title, customers)
    result["files"] = {
        "report": str(out / "drill.json"),
        "chart": str(chart),
        "work": str(stage.work),
    }
    (out / "drill.json").write_text(json.dumps(result, indent=2))
    return result
