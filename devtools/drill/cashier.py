"""One counter terminal of a drill, in its own process and home: enroll, then sell at a
cashier's pace until told to stop, with the probe and sync loops of a real counter running.

Every sale (or refusal) and, four times a second, the terminal's mode and outbox depth go to
`drill.jsonl` in its home. Run by the drill as `python -m devtools.drill.cashier ...`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import time
from pathlib import Path

from contract.models import PaymentMethod, Showtime
from devtools.drill.broken import UnprotectedLeases
from devtools.drill.plan import Timeline
from devtools.drill.records import Recorder
from offline import outbox
from offline.errors import StoreError
from pos.counter.enrollment import enroll as enroll_terminal
from pos.counter.errors import CounterError
from pos.counter.home import Home
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.counter.service import Counter
from pos.ports import client_for

STATUS_EVERY = 0.25
SETUP_TIMEOUT = 120.0


def enroll(central: str, code: str, home: Path, lease_seats: int = 8) -> Home:
    """What `pos enroll` does, without building the whole CLI."""
    asyncio.run(enroll_terminal(Home(home), central, code, lease_seats=lease_seats))
    return Home(home)


def tender_for(rng: random.Random, total: int) -> Tender:
    """Half pay by card; the others hand over enough 100-yuan notes."""
    if rng.random() < 0.5:
        return Tender(PaymentMethod.CARD, total, f"drill-{rng.randrange(10**6)}")
    return Tender(PaymentMethod.CASH, -(-total // 10_000) * 10_000)


class Cashier:
    def __init__(self, counter: Counter, recorder: Recorder, rng: random.Random, cashier_id: str):
        self.counter = counter
        self.recorder = recorder
        self.rng = rng
        self.cashier_id = cashier_id

    def next_order(self, showtimes: list[Showtime]) -> Order | None:
        """A party of 1-4 for a random showtime this terminal can sell them now."""
        party = self.rng.randint(1, 4)
        if self.counter.breaker.is_open:
            leased = self.counter.status().leases
            choices = [st for st in showtimes if leased.get(st.id, 0) >= party]
        else:
            choices = [st for st in showtimes if st.free >= party]
        if not choices:
            return None
        st = self.rng.choice(choices)
        types = [self.rng.choice(sorted(st.prices)) for _ in range(party)]
        total = sum(st.prices[t] for t in types)
        return Order(
            showtime_id=st.id,
            cashier_id=self.cashier_id,
            ticket_types=types,
            tenders=[tender_for(self.rng, total)],
            count=party,
        )

    async def serve_one(self, showtimes: list[Showtime]) -> None:
        order = self.next_order(showtimes)
        started = time.time()
        if order is None:
            self.recorder.write("error", t0=started, t1=started, code="NOTHING_TO_SELL")
            return
        try:
            outcome = await self.counter.sell(order)
        except (CounterError, StoreError) as exc:
            code = getattr(exc, "code", type(exc).__name__)
            self.recorder.write("error", t0=started, t1=time.time(), code=code)
            return
        self.recorder.write(
            "sale",
            t0=started,
            t1=time.time(),
            mode=outcome.mode,
            failover=outcome.failover is not None,
            seats=len(outcome.sale.tickets),
            showtime=order.showtime_id,
        )

    async def sell_until(self, until: float, pace: float) -> None:
        showtimes = list(self.counter.schedule().showtimes)
        while time.time() < until:
            await self.serve_one(showtimes)
            think = pace * self.rng.uniform(0.5, 1.5)
            await asyncio.sleep(max(0.0, min(think, until - time.time())))

    def write_status(self) -> None:
        self.recorder.write(
            "status",
            t=time.time(),
            mode=self.counter.breaker.mode.value,
            outbox=outbox.depth(self.counter.store),
        )

    async def report_status(self) -> None:
        while True:
            self.write_status()
            await asyncio.sleep(STATUS_EVERY)

    async def wait_drained(self, deadline: float) -> None:
        while time.time() < deadline:
            if not self.counter.breaker.is_open and outbox.depth(self.counter.store) == 0:
                return
            await asyncio.sleep(STATUS_EVERY)


async def session(home: Home, args: argparse.Namespace, recorder: Recorder) -> None:
    port = client_for(home.load())
    if args.unprotected_leases:
        port = UnprotectedLeases(port)
    counter = await Counter(home, client=port).open()
    status: asyncio.Task[None] | None = None
    try:
        if args.unprotected_leases:
            await counter.refresh()  # enrollment leased before the port was broken
        recorder.write("ready", t=time.time(), terminal=counter.settings.terminal_id)
        timeline = await asyncio.to_thread(Timeline.wait_for, args.go, SETUP_TIMEOUT)
        await asyncio.sleep(max(0.0, timeline.start - time.time()))
        cashier = Cashier(counter, recorder, random.Random(args.seed), args.cashier)
        status = asyncio.create_task(cashier.report_status())
        counter.start_background()
        await cashier.sell_until(timeline.sell_until, args.pace)
        await cashier.wait_drained(timeline.deadline)
        cashier.write_status()
        recorder.write("done", t=time.time())
    finally:
        if status is not None:
            status.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await status
        await counter.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--central", required=True)
    parser.add_argument("--code", required=True)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--go", type=Path, required=True, help="the drill's timeline file")
    parser.add_argument("--cashier", default="c01")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pace", type=float, default=1.0)
    parser.add_argument("--lease-seats", type=int, default=8)
    parser.add_argument("--unprotected-leases", action="store_true")
    args = parser.parse_args()
    home = enroll(args.central, args.code, args.home, args.lease_seats)
    recorder = Recorder(args.home / "drill.jsonl")
    try:
        asyncio.run(session(home, args, recorder))
    except KeyboardInterrupt:
        pass
    finally:
        recorder.close()


if __name__ == "__main__":
    main()
