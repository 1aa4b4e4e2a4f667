"""What a drill does and when: the plan from the command line, and the shared timeline.

All processes of a drill run on one machine, so they share the wall clock: the timeline is a
handful of `time.time()` instants written to a file every child reads ("go")."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from contract.models import FaultKind
from devtools.drill.demand import DEMANDS

FAULTS: dict[str, FaultKind | None] = {
    "hang": FaultKind.HANG,
    "reset": FaultKind.RESET,
    "5xx": FaultKind.ERROR,
    "kill": None,
}
"""Outage kinds; `kill` is a SIGKILL of the central's process and a restart, not a drill mode."""
CENTRALS = ("reference", "pretix")
PRETIX_FAULTS = ("kill", "hang")
"""pretix has no drill mode: its web processes are killed, or frozen (SIGSTOP), by hand."""


@dataclass(frozen=True)
class DrillPlan:
    terminals: int = 4
    online_clients: int = 8
    duration: float = 60.0
    """Seconds of selling; the outage falls inside, the drain may run past it."""
    outage_start: float = 20.0
    outage_length: float = 20.0
    fault: str = "hang"
    seed: int = 2016
    out: Path = Path("drill-out")
    pace: float = 1.0
    """Mean seconds a cashier spends on a customer besides waiting for the system: a festival
    queue served at ten times the real pace, so a short drill sees enough sales to measure."""
    buy_ratio: float = 0.5
    """Share of online holds that are bought; the rest are let go, as on a swamped website."""
    lease_seats: int = 8
    drain_cap: float = 30.0
    """How long after selling ends the drill waits for every outbox to empty."""
    unprotected_leases: bool = False
    """Test only: run the terminals as a deliberately broken build (see Settings)."""
    demand: str = "hot"
    """What the counters' customers want: `hot` (the opening showtimes of the largest house
    draw the queue) or `uniform` (devtools/drill/demand.py)."""
    queue_skew: float = 1.0
    """How many times longer the first counter's queue is than the last one's (the counters
    between in geometric steps): uneven queues are what handover is for."""
    counter_share: float | None = None
    """The cinema's counter allotment for the drill (share of every house the counters may
    hold leased and unsold); None: the demo seeds' (0.25, the largest house 0.3). The command
    line's default is the festival morning's, 1.0 (`pos.cli.drill.FESTIVAL_COUNTER_SHARE`): on
    the opening morning the box office is the festival's main channel and its queue wants the
    opening film, so the cinema lets the counters lease any seat of any house. That does not
    hand the houses to the counters: each lease is what its counter will likely sell before
    the central could come back (contract/leasing.py), split between counters by demand,
    released before the start, and recallable for online sale. With the demo seeds' quarter
    the four counters held 161 seats of the opening showtime when the central died and their
    queues wanted about 1200 (tests/bench/RESULTS.md)."""
    handover: bool = True
    """The counters ask each other for seats over loopback when a lease runs out while the
    central is away (peer handover); False: leases alone."""
    central: str = "reference"
    """`reference`: our central (devtools/drill/central_process.py); `pretix`: a pretix on
    PostgreSQL behind gunicorn (devtools/drill/pretix_central.py)."""
    showtimes: int = 6
    """On pretix: how many of the day's opening showtimes are seeded (pretix makes one row
    per seat per showtime, so the whole day would take minutes to seed)."""
    time_scale: float = 10.0
    """How much faster than real the drill runs (see `pace`): leases are sized for an outage
    and from a window of sales that much shorter, so `--outage 30:432` is the 72 minutes."""

    def check(self) -> None:
        if self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}; choose from {', '.join(FAULTS)}")
        if self.central not in CENTRALS:
            raise ValueError(f"unknown central {self.central!r}; choose from {', '.join(CENTRALS)}")
        if self.central == "pretix" and self.fault not in PRETIX_FAULTS:
            raise ValueError(f"on pretix the outage is {' or '.join(PRETIX_FAULTS)}")
        if not 1 <= self.showtimes <= 60:
            raise ValueError("--showtimes must be between 1 and 60")
        if self.demand not in DEMANDS:
            raise ValueError(f"unknown demand {self.demand!r}; choose from {', '.join(DEMANDS)}")
        if not 1 <= self.time_scale <= 1000:
            raise ValueError("the time scale must be between 1 and 1000")
        if self.counter_share is not None and not 0 < self.counter_share <= 1:
            raise ValueError("--counter-share must be above 0 and at most 1")
        if not 1 <= self.queue_skew <= 100:
            raise ValueError("--queue-skew must be between 1 and 100")
        if not 1 <= self.terminals <= 50:
            raise ValueError("--terminals must be between 1 and 50")
        if not 0 <= self.online_clients <= 200:
            raise ValueError("--online-clients must be between 0 and 200")
        if self.outage_start <= 0 or self.outage_length <= 0:
            raise ValueError("the outage must start after selling does and last a while")
        if self.outage_start + self.outage_length >= self.duration:
            raise ValueError("the outage must end before selling does, so recovery is measured")

    def pace_of(self, index: int) -> float:
        """Counter `index`'s mean seconds per customer: `pace` for the first, `queue_skew`
        times that for the last, so the first serves that many times more customers."""
        if self.terminals == 1:
            return self.pace
        return self.pace * self.queue_skew ** (index / (self.terminals - 1))


def parse_outage(text: str) -> tuple[float, float]:
    """`20:20` → starts 20 s into selling, lasts 20 s."""
    start, sep, length = text.partition(":")
    try:
        if not sep:
            raise ValueError
        return float(start), float(length)
    except ValueError as exc:
        raise ValueError(f"--outage {text!r}: write START:LENGTH in seconds, e.g. 20:20") from exc


@dataclass(frozen=True)
class Timeline:
    """Wall-clock instants (seconds since the epoch) every process of the drill works to."""

    start: float
    outage_from: float
    outage_until: float
    sell_until: float
    deadline: float
    """Every child has stopped on its own by then, drained or not."""

    @classmethod
    def of(cls, plan: DrillPlan, lead: float = 1.0) -> Timeline:
        start = time.time() + lead
        return cls(
            start=start,
            outage_from=start + plan.outage_start,
            outage_until=start + plan.outage_start + plan.outage_length,
            sell_until=start + plan.duration,
            deadline=start + plan.duration + plan.drain_cap,
        )

    def write(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self)))
        tmp.replace(path)

    @classmethod
    def wait_for(cls, path: Path, timeout: float) -> Timeline:
        """For a child: block until the drill says go (bounded: a drill that died never does)."""
        give_up = time.monotonic() + timeout
        while not path.exists():
            if time.monotonic() > give_up:
                raise TimeoutError(f"no go from the drill within {timeout:.0f} s")
            time.sleep(0.05)
        return cls(**json.loads(path.read_text()))
