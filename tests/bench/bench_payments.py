"""Benchmark: a payment-code sale, from the scan to the printed ticket, against a cash sale of
the same two seats' worth timed in the same run, interleaved, on the same machine. On demand,
not in CI: `python tests/bench/bench_payments.py`, or with the rest via run_all.py.

- provider answers at once (alipay.trade.pay → 10000, RSA2 both ways): goal ≤ 2× the cash sale
- one user-paying answer, then one query (micropay → USERPAYING, orderquery → SUCCESS): goal
  ≤ 2× (cash sale + one poll interval), the interval being the wait the provider imposes

The reference central and the reference payment gateway each run in their own process
(`pos central serve`, `pos gateway serve`), as in a drill; the terminal prints to a file."""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from contract.models import PaymentMethod  # noqa: E402
from devtools.drill.central_process import CentralProcess  # noqa: E402
from devtools.drill.festival import business_day  # noqa: E402
from devtools.drill.seeds import copy_seeds, drill_code  # noqa: E402
from devtools.gateway.join import join_gateway  # noqa: E402
from pos.counter.home import Home  # noqa: E402
from pos.counter.payments import Tender, code_tender  # noqa: E402
from pos.counter.selling import Order  # noqa: E402
from pos.counter.service import Counter  # noqa: E402
from tests.bench.rows import row  # noqa: E402
from tests.kit import pos  # noqa: E402

ROUNDS = 20
POLL = 0.2
"""Seconds between the till's queries while the customer confirms."""
CODES = {"alipay": "286012345678901234", "wechat": "134567890123456789"}


class GatewayProcess:
    """`pos gateway serve --port 0 --ready-file F` in its own process."""

    def __init__(self, folder: Path) -> None:
        ready = folder / "gateway.ready.json"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pos.cli", "gateway", "serve", "--port", "0",
             "--ready-file", str(ready)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not ready.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the payment gateway did not start")
            time.sleep(0.05)
        self.url = json.loads(ready.read_text())["url"]

    def drill(self, mode: str) -> None:
        httpx.put(f"{self.url}/dev/drill", json={"mode": mode}, timeout=5).raise_for_status()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def enrolled(central: CentralProcess, gateway: GatewayProcess, folder: Path) -> Home:
    home = Home(folder / "t")
    printer = (folder / "tickets.bin").as_uri()
    code, _, err = pos("enroll", "--central", central.url, "--code", drill_code("B01"),
                       "--home", str(home.path), "--printer", printer, "--json")  # fmt: skip
    assert code == 0, err
    code, _, err = pos("shift", "open", "--cashier", "c01", "--pin", "1111", "--float", "100x1",
                       "--home", str(home.path), "--json")  # fmt: skip
    assert code == 0, err
    join_gateway(home, gateway.url, wait_seconds=10, poll_seconds=POLL)
    return home


async def timed_sale(counter: Counter, showtime: str, tender: Tender) -> float:
    """Seconds from the scan (or the cash typed) to the tickets out of the printer."""
    started = time.perf_counter()
    order = Order(showtime, "c01", ["adult"], [tender], count=2)
    await counter.sell(order)
    run = counter.print_pending()
    took = time.perf_counter() - started
    assert run is not None
    return took


async def figures(home: Home, gateway: GatewayProcess) -> dict[str, float]:
    cash, instant, paying = [], [], []
    async with Counter(home) as counter:
        showtime = next(s.id for s in counter.schedule().showtimes if s.free > 200)
        due = counter.quote(showtime, ["adult", "adult"])
        for i in range(ROUNDS + 2):
            kind = "alipay" if i % 2 else "wechat"
            gateway.drill("instant")
            c = await timed_sale(counter, showtime, Tender(PaymentMethod.CASH, due))
            a = await timed_sale(counter, showtime, code_tender(due, CODES[kind]))
            gateway.drill("user-paying")
            p = await timed_sale(counter, showtime, code_tender(due, CODES[kind]))
            if i >= 2:  # the first rounds warm the connections up
                cash.append(c)
                instant.append(a)
                paying.append(p)
    return {
        "cash": statistics.median(cash) * 1000,
        "instant": statistics.median(instant) * 1000,
        "paying": statistics.median(paying) * 1000,
    }


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-pay-") as tmp:
        folder = Path(tmp)
        seeds = copy_seeds(folder / "seeds", ["B01"])
        central = CentralProcess(folder / "central.db", seeds, business_day(), folder / "c.log")
        central.start()
        gateway = GatewayProcess(folder)
        try:
            home = enrolled(central, gateway, folder)
            ms = asyncio.run(figures(home, gateway))
        finally:
            gateway.stop()
            central.stop()
    with_poll = ms["cash"] + POLL * 1000
    return [
        row("scan to printed ticket, provider at once (ms)", ms["instant"], ms["cash"],
            "≤ 2× a cash sale", ms["instant"] <= 2 * ms["cash"]),
        row("scan to printed ticket, one user-paying poll (ms)", ms["paying"], with_poll,
            f"≤ 2× (cash sale + {POLL * 1000:.0f} ms poll)", ms["paying"] <= 2 * with_poll),
    ]  # fmt: skip


if __name__ == "__main__":
    for line in run():
        print(line)
