"""Benchmark: the counter's core paths, each against a bare baseline measured in the same run
on the same machine. On demand, not in CI: `python tests/bench/bench_counter.py`, or all
benchmarks with `python tests/bench/run_all.py`.

- offline sale commit (`sales.record_offline_sale`, timed inside the Counter's offline path)
  vs one bare SQLite commit with fsync (WAL, synchronous=FULL) on the same disk: goal ≤ 2×
- online sale (seats chosen, as at the TUI) vs a bare GET /v1/health round trip: goal ≤ 3×
- central hangs mid-morning → the customer's sale completes offline: goal ≤ 2 s
- drain of 10,000 queued offline sales: goal ≤ 10 s

The central is the reference one in its own process (`pos central serve`), as in a drill."""

from __future__ import annotations

import asyncio
import contextlib
import io
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from contract.models import DrillSettings, Fault, FaultKind, LeaseRequest, PaymentMethod  # noqa: E402
from devtools.drill.cashier import enroll  # noqa: E402
from devtools.drill.central_process import CentralProcess  # noqa: E402
from devtools.drill.festival import business_day  # noqa: E402
from devtools.drill.seeds import copy_seeds, drill_code  # noqa: E402
from offline import leases, outbox, sales  # noqa: E402
from pos.counter import selling  # noqa: E402
from pos.counter.home import Home  # noqa: E402
from pos.counter.offline_tickets import Line, build_offline_sale  # noqa: E402
from pos.counter.payments import Tender, settle  # noqa: E402
from pos.counter.selling import Order  # noqa: E402
from pos.counter.service import Counter  # noqa: E402
from pos.counter.sync import BATCH, drain  # noqa: E402

ROUNDS = 30
HANG_ROUNDS = 3
QUEUED = 10_000
BIG = "st-bench"
"""A showtime in a 101 × 100 auditorium: 10,000 one-seat offline sales need 10,000 seats."""


def big_auditorium(seeds: Path) -> None:
    rows = [chr(65 + i) for i in range(26)] + [
        chr(65 + i) + chr(65 + j) for i in range(3) for j in range(26)
    ]
    lines = ["# id: audx", "# name: 大厅", "# name_en: Bench hall", "SCREEN"]
    lines += [f"{row}  {'S' * 100}" for row in rows[:101]]
    (seeds / "auditoriums" / "audx.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (seeds / "showtimes.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[[showtimes]]\nid = "{BIG}"\nfilm = "yellow-earth"\nauditorium = "audx"\n'
                'start = "10:00"\nfestival = false\n')  # fmt: skip


@contextlib.contextmanager
def timing(module: Any, name: str) -> Iterator[list[float]]:
    """Time every call of module.name made while inside (the function stays the same)."""
    original = getattr(module, name)
    took: list[float] = []

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            took.append(time.perf_counter() - started)

    setattr(module, name, timed)
    try:
        yield took
    finally:
        setattr(module, name, original)


def bare_commit_ms(folder: Path, rounds: int = ROUNDS * 3) -> float:
    """One row, one commit, fsync'd as the store does it (WAL, synchronous=FULL)."""
    conn = sqlite3.connect(folder / "bare.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    took = []
    for i in range(rounds):
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (body) VALUES (?)", (f"row {i}",))
        conn.execute("COMMIT")
        took.append(time.perf_counter() - started)
    conn.close()
    return statistics.median(took) * 1000


async def health_ms(url: str, rounds: int = ROUNDS * 3) -> float:
    async with httpx.AsyncClient(base_url=url, timeout=5.0) as http:
        await http.get("/v1/health")
        took = []
        for _ in range(rounds):
            started = time.perf_counter()
            (await http.get("/v1/health")).raise_for_status()
            took.append(time.perf_counter() - started)
    return statistics.median(took) * 1000


def cash_order(showtime_id: str, seats: list[str] | None = None, count: int = 2) -> Order:
    return Order(
        showtime_id=showtime_id,
        cashier_id="c01",
        ticket_types=["adult"],
        tenders=[Tender(PaymentMethod.CASH, 100_000)],
        seats=seats,
        count=None if seats else count,
    )


async def free_pairs(counter: Counter, showtime_id: str, n: int) -> list[list[str]]:
    seat_map = await counter.client.seat_map(showtime_id)
    standard = {s.label for s in seat_map.auditorium.seats if s.kind == "standard"}
    free = [s.label for s in seat_map.seats if s.state == "free" and s.label in standard]
    return [free[i : i + 2] for i in range(0, 2 * n, 2)]


async def sale_figures(central: CentralProcess, home: Home) -> dict[str, float]:
    """Online and offline sales through one counter, and failover through a hang."""
    figures: dict[str, float] = {}
    async with Counter(home) as counter:
        showtime_id = "st-001"
        pairs = await free_pairs(counter, showtime_id, ROUNDS + HANG_ROUNDS + 1)
        await counter.sell(cash_order(showtime_id, pairs.pop()))  # warm connections and caches
        online = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            outcome = await counter.sell(cash_order(showtime_id, pairs.pop()))
            online.append(time.perf_counter() - started)
            assert outcome.mode == "online", outcome.failover
        figures["online_ms"] = statistics.median(online) * 1000

        hang = []
        for _ in range(HANG_ROUNDS):
            counter.breaker.close()
            central.drill(DrillSettings(faults=[Fault(kind=FaultKind.HANG, path_prefix="/v1/")]))
            started = time.perf_counter()
            outcome = await counter.sell(cash_order(showtime_id, pairs.pop()))
            hang.append(time.perf_counter() - started)
            central.drill(DrillSettings())
            assert outcome.mode == "offline"
        figures["hang_s"] = max(hang)

        counter.breaker.trip()
        leased = [s for s, n in counter.status().leases.items() if n >= 2]
        with timing(selling.sales, "record_offline_sale") as commits:
            offline = []
            for i in range(ROUNDS):
                started = time.perf_counter()
                outcome = await counter.sell(cash_order(leased[i % len(leased)]))
                offline.append(time.perf_counter() - started)
                assert outcome.mode == "offline"
        figures["offline_sale_ms"] = statistics.median(offline) * 1000
        figures["offline_commit_ms"] = statistics.median(commits) * 1000
    return figures


async def queue_offline_sales(counter: Counter, n: int) -> None:
    """Lease n seats of the big showtime and record n one-seat offline sales, fast: the
    commits share one transaction (savepoints), which a real counter never does."""
    lease = await counter.client.lease(LeaseRequest(showtime_id=BIG, count=1), uuid.uuid4().hex)
    for _ in range(n // 50 + 1):  # enrollment leased a few already; the lease only grows
        if len(lease.seats) >= n:
            break
        wanted = LeaseRequest(showtime_id=BIG, count=min(50, n - len(lease.seats)))
        lease = await counter.client.lease(wanted, key=uuid.uuid4().hex)
    assert len(lease.seats) >= n
    leases.put_lease(counter.store, lease)
    st = counter.showtime(BIG)
    price = st.prices["adult"]
    payment = settle(price, [Tender(PaymentMethod.CARD, price)]).payments
    with counter.store.atomic():
        for seat in lease.seats[:n]:
            sale = build_offline_sale(
                key=counter.key,
                terminal_id=counter.settings.terminal_id,
                idempotency_key=uuid.uuid4().hex,
                lease_id=lease.id,
                showtime_id=BIG,
                starts_at=st.start,
                cashier_id="c01",
                sold_at=counter.now(),
                lines=[Line(seat, "adult", price)],
                payments=payment,
            )
            sales.record_offline_sale(counter.store, sale)


async def drain_seconds(home: Home) -> float:
    async with Counter(home) as counter:
        await queue_offline_sales(counter, QUEUED)
        assert outbox.depth(counter.store) == QUEUED
        started = time.perf_counter()
        report = await drain(counter)
        took = time.perf_counter() - started
        assert report.remaining == 0 and report.accepted == QUEUED, report
    return took


def row(figure: str, value: float, baseline: float, goal: str, passed: bool) -> dict[str, Any]:
    return {
        "figure": figure,
        "value": round(value, 3),
        "baseline": round(baseline, 3),
        "ratio": round(value / baseline, 2) if baseline else None,
        "goal": goal,
        "passed": passed,
    }


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seeds = copy_seeds(folder / "seeds", ["B01", "B02"])
        big_auditorium(seeds)
        central = CentralProcess(folder / "central.db", seeds, business_day(), folder / "c.log")
        try:
            central.start()
            with contextlib.redirect_stdout(io.StringIO()):
                seller = enroll(central.url, drill_code("B01"), folder / "b01")
                drainer = enroll(central.url, drill_code("B02"), folder / "b02")
            bare_ms = bare_commit_ms(folder)
            round_trip_ms = asyncio.run(health_ms(central.url))
            figures = asyncio.run(sale_figures(central, seller))
            drained = asyncio.run(drain_seconds(drainer))
        finally:
            central.stop()
    commit, online, hang = figures["offline_commit_ms"], figures["online_ms"], figures["hang_s"]
    batches = -(-QUEUED // BATCH)
    return [
        row("offline sale commit, record_offline_sale (ms) vs bare fsync commit",
            commit, bare_ms, "≤ 2× baseline", commit <= 2 * bare_ms),
        row("offline sale, whole counter path incl. print queue (ms) vs bare fsync commit",
            figures["offline_sale_ms"], bare_ms, "informative", True),
        row("online sale, seats chosen (ms) vs GET /v1/health round trip",
            online, round_trip_ms, "≤ 3× baseline", online <= 3 * round_trip_ms),
        row("central hang → offline sale completed, worst of 3 (s) vs offline sale",
            hang, figures["offline_sale_ms"] / 1000, "≤ 2 s", hang <= 2.0),
        row(f"drain of {QUEUED:,} queued offline sales (s) vs {batches} bare round trips",
            drained, batches * round_trip_ms / 1000, "≤ 10 s", drained <= 10.0),
    ]  # fmt: skip


if __name__ == "__main__":
    for result in run():
        print(result)
