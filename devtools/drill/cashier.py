"""One counter terminal of a drill, in its own process and home: enroll, then serve a queue
at a cashier's pace until told to stop, with the probe and sync loops of a real counter running.

Each customer wants one showtime (devtools/drill/demand.py); every sale, every refusal, every
customer (served or turned away) and, four times a second, the terminal's mode and outbox depth
go to `drill.jsonl` in its home. Run by the drill as `python -m devtools.drill.cashier ...`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import time
from pathlib import Path

from central.seeds import load_seeds
from central.server import DEFAULT_SEEDS
from contract.leasing import OUTAGE_HORIZON, RATE_WINDOW
from contract.models import PaymentMethod, Showtime
from devtools.drill.broken import UnprotectedLeases
from devtools.drill.demand import DEMANDS, Customers
from devtools.drill.plan import Timeline
from devtools.drill.records import Recorder
from devtools.pretix.seeding import seeded_staff
from offline.errors import StoreError
from pos.counter.connectivity import Mode
from pos.counter.enrollment import enroll as enroll_terminal
from pos.counter.enrollment import enroll_pretix as enroll_terminal_pretix
from pos.counter.errors import CounterError
from pos.counter.home import Home
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.counter.service import Counter
from pos.ports import client_for
from pos.ports.pretix.config import PretixSettings

STATUS_EVERY = 0.25
CASHIER_PINS = {"c01": "1111", "c02": "2222", "c03": "3333", "c04": "4444"}
"""The demo seeds' cashiers (seeds/cinema.toml keeps only their hashes)."""
SETUP_TIMEOUT = 120.0


def enroll(central: str, code: str, home: Path, lease_seats: int = 8) -> Home:
    """What `pos enroll` does, without building the whole CLI."""
    asyncio.run(enroll_terminal(Home(home), central, code, lease_seats=lease_seats))
    return Home(home)


def with_peers(home: Home, port: int, peers: str) -> None:
    """The settings cinema IT writes for handover: where this counter listens, whom it asks."""
    listed = [
        {"terminal_id": tid, "url": url}
        for tid, _, url in (item.partition("=") for item in peers.split(",") if item)
    ]
    home.save(home.load().updated(peer_listen=f"127.0.0.1:{port}", peers=listed))


def enroll_pretix(args: argparse.Namespace) -> Home:
    """What `pos enroll --pretix ...` does: the terminal sells through the drill's pretix."""
    home = Home(args.home)
    pretix = PretixSettings(
        organizer=args.organizer, event=args.event, staff=seeded_staff(load_seeds(DEFAULT_SEEDS))
    )
    asyncio.run(
        enroll_terminal_pretix(
            home, args.pretix, args.token, args.terminal, pretix, lease_seats=args.lease_seats
        )
    )
    return home


def tender_for(rng: random.Random, total: int) -> Tender:
    """Half pay by card; the others hand over enough 100-yuan notes."""
    if rng.random() < 0.5:
        return Tender(PaymentMethod.CARD, total, f"drill-{rng.randrange(10**6)}")
    return Tender(PaymentMethod.CASH, -(-total // 10_000) * 10_000)


class Cashier:
    def __init__(
        self,
        counter: Counter,
        recorder: Recorder,
        rng: random.Random,
        cashier_id: str,
        demand: str = "hot",
    ):
        self.counter = counter
        self.recorder = recorder
        self.rng = rng
        self.cashier_id = cashier_id
        self.customers = Customers(rng, counter.schedule().showtimes, demand)

    def order_for(self, st: Showtime, party: int) -> Order:
        types = [self.rng.choice(sorted(st.prices)) for _ in range(party)]
        total = sum(st.prices[t] for t in types)
        return Order(
            showtime_id=st.id,
            cashier_id=self.cashier_id,
            ticket_types=types,
            tenders=[tender_for(self.rng, total)],
            count=party,
        )

    async def try_sell(self, order: Order) -> bool:
        """One attempt for one showtime; the sale or the refusal is recorded."""
        started = time.time()
        try:
            outcome = await self.counter.sell(order)
        except (CounterError, StoreError) as exc:
            code = getattr(exc, "code", type(exc).__name__)
            self.recorder.write(
                "error", t0=started, t1=time.time(), code=code, showtime=order.showtime_id
            )
            return False
        self.recorder.write(
            "sale",
            t0=started,
            t1=time.time(),
            mode=outcome.mode,
            failover=outcome.failover is not None,
            seats=len(outcome.sale.tickets),
            showtime=order.showtime_id,
        )
        return True

    async def serve_one(self) -> None:
        """A customer: the showtime they want, then maybe another, then served or gone."""
        started = time.time()
        wanted, party = self.customers.arrive()
        tried: set[str] = set()
        st: Showtime | None = wanted
        served = False
        while st is not None:
            tried.add(st.id)
            if await self.try_sell(self.order_for(st, party)):
                served = True
                break
            st = self.customers.instead(tried)
        self.recorder.write(
            "customer",
            t0=started,
            t1=time.time(),
            wanted=wanted.id,
            party=party,
            served=served,
            showtime=st.id if served and st is not None else None,
            tries=len(tried),
        )

    async def sell_until(self, until: float, pace: float) -> None:
        while time.time() < until:
            await self.serve_one()
            think = pace * self.rng.uniform(0.5, 1.5)
            await asyncio.sleep(max(0.0, min(think, until - time.time())))

    def write_status(self) -> None:
        self.recorder.write(
            "status",
            t=time.time(),
            mode=self.counter.breaker.mode.value,
            outbox=self.counter.status().outbox,
        )

    async def report_status(self) -> None:
        while True:
            self.write_status()
            await asyncio.sleep(STATUS_EVERY)

    async def wait_drained(self, deadline: float) -> None:
        while time.time() < deadline:
            if not self.counter.breaker.is_open and self.counter.status().outbox == 0:
                return
            await asyncio.sleep(STATUS_EVERY)


async def session(home: Home, args: argparse.Namespace, recorder: Recorder) -> None:
    port = client_for(home.load())
    if args.unprotected_leases:
        port = UnprotectedLeases(port)
    counter = await Counter(home, client=port).open()
    # no sale without an open shift: the drill's cashier opens one, as at a real till
    counter.shifts.open_shift(args.cashier, CASHIER_PINS[args.cashier], {10000: 1})
    # The drill's queue moves at `time_scale` times the real pace, so leases are sized for a
    # correspondingly shorter outage from a correspondingly shorter window of sales.
    keeper = counter.lease_keeper
    keeper.horizon = OUTAGE_HORIZON / args.time_scale
    keeper.rate_window = RATE_WINDOW / args.time_scale
    keeper.recall_every = keeper.recall_every / args.time_scale
    keeper.reask_after = keeper.reask_after / args.time_scale
    # What Counter will do on its first DEGRADED transition (one line in pos/counter/service.py).
    counter.breaker.listeners.append(
        lambda mode: keeper.on_degraded() if mode == Mode.DEGRADED else None
    )
    status: asyncio.Task[None] | None = None
    try:
        if args.unprotected_leases:
            await counter.refresh()  # enrollment leased before the port was broken
        recorder.write("ready", t=time.time(), terminal=counter.settings.terminal_id)
        timeline = await asyncio.to_thread(Timeline.wait_for, args.go, SETUP_TIMEOUT)
        if args.peer_port:
            # Every terminal is enrolled by now: the key ring names all of them, so each
            # counter can check its peers' signed asks and handovers.
            await counter.refresh_if_online()
        await asyncio.sleep(max(0.0, timeline.start - time.time()))
        cashier = Cashier(counter, recorder, random.Random(args.seed), args.cashier, args.demand)
        status = asyncio.create_task(cashier.report_status())
        counter.start_background(peers=bool(args.peer_port))
        if counter.peer_error is not None:
            raise counter.peer_error
        await cashier.sell_until(timeline.sell_until, args.pace)
        await cashier.wait_drained(timeline.deadline)
        cashier.write_status()
        recorder.write("done", t=time.time())
    finally:
        if status is not None:
            status.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await status
        await keeper.aclose()
        await counter.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--central", help="our central's URL (with --code)")
    parser.add_argument("--code")
    parser.add_argument("--pretix", help="a pretix's URL instead (with the four below)")
    parser.add_argument("--token")
    parser.add_argument("--organizer")
    parser.add_argument("--event")
    parser.add_argument("--terminal")
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--go", type=Path, required=True, help="the drill's timeline file")
    parser.add_argument("--cashier", default="c01")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pace", type=float, default=1.0)
    parser.add_argument("--lease-seats", type=int, default=8)
    parser.add_argument("--unprotected-leases", action="store_true")
    parser.add_argument("--demand", choices=DEMANDS, default="hot")
    parser.add_argument("--time-scale", type=float, default=10.0)
    parser.add_argument("--peer-port", type=int, default=0, help="0: no peer endpoint")
    parser.add_argument("--peers", default="", help="ID=URL,...: the peers to ask for seats")
    args = parser.parse_args()
    if args.pretix:
        home = enroll_pretix(args)
    else:
        home = enroll(args.central, args.code, args.home, args.lease_seats)
    if args.peer_port:
        with_peers(home, args.peer_port, args.peers)
    recorder = Recorder(args.home / "drill.jsonl")
    try:
        asyncio.run(session(home, args, recorder))
    except KeyboardInterrupt:
        pass
    finally:
        recorder.close()


if __name__ == "__main__":
    main()
