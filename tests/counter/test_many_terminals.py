"""Several terminals selling the same showtimes while the central goes down and comes back:
no seat is ever in two customers' hands, and every sale reconciles on the central."""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
from collections import Counter as Tally
from pathlib import Path

import pytest

from central.server import CentralThread
from contract.models import PaymentMethod
from offline import outbox, sales
from pos.counter.errors import CounterError
from pos.counter.home import Home
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.counter.service import Counter
from tests.kit import enroll_home

SHOWTIMES = ["st-002", "st-003", "st-005"]


async def cashier(counter: Counter, rng: random.Random, stop: asyncio.Event) -> None:
    while not stop.is_set():
        order = Order(
            showtime_id=rng.choice(SHOWTIMES),
            cashier_id="c01",
            ticket_types=["adult"],
            tenders=[Tender(PaymentMethod.CASH, 100_000)],
            count=rng.randint(1, 3),
        )
        with contextlib.suppress(CounterError):  # seats just taken, lease used up: next customer
            await counter.sell(order)
        await asyncio.sleep(rng.uniform(0.02, 0.08))


@pytest.fixture
def homes(live_central: CentralThread, tmp_path: Path) -> list[Home]:
    return [enroll_home(live_central, tmp_path / f"t{i}", i, lease_seats=6) for i in range(3)]


async def test_three_terminals_through_an_outage(
    live_central: CentralThread, central_db: Path, homes: list[Home]
) -> None:
    counters = [await Counter(h).open() for h in homes]
    for c in counters:
        c.start_background(probe_every=0.2, sync_every=0.3, refresh_every=3600)
    stop = asyncio.Event()
    back: CentralThread | None = None
    sellers = [
        asyncio.create_task(cashier(c, random.Random(i), stop)) for i, c in enumerate(counters)
    ]
    try:
        await asyncio.sleep(1.5)
        live_central.stop()
        await asyncio.sleep(2.0)
        back = CentralThread(
            central_db, live_central.seeds_dir, drill=True, port=live_central.port
        ).start()
        await asyncio.sleep(1.5)
        stop.set()
        await asyncio.gather(*sellers)
        for _ in range(50):
            if all(outbox.depth(c.store) == 0 for c in counters):
                break
            await asyncio.sleep(0.2)
        held = [
            (s.idempotency_key, t.id, s.showtime_id, t.seat, s.mode, c.settings.terminal_id)
            for c in counters
            for s in sales.list_sales(c.store)
            if s.state in ("paid", "printed", "synced")
            for t in s.tickets
        ]
        assert all(outbox.depth(c.store) == 0 for c in counters)
        assert not any(outbox.items(c.store, "failed") for c in counters)
    finally:
        for c in counters:
            await c.close()
        if back is not None:
            back.stop()

    modes = Tally(mode for *_, mode, _ in held)
    assert modes["online"] and modes["offline"], modes
    per_seat = Tally((showtime, seat) for _, _, showtime, seat, _, _ in held)
    assert max(per_seat.values()) == 1, "a seat was handed to two customers"
    with sqlite3.connect(central_db) as conn:
        live = {
            ticket_id: (showtime, seat)
            for ticket_id, showtime, seat in conn.execute(
                "SELECT t.id, t.showtime_id, t.seat FROM tickets t JOIN sales s"
                " ON s.id = t.sale_id WHERE s.terminal_id IS NOT NULL AND t.refunded = 0"
            )
        }
    assert {tid: (st, seat) for _, tid, st, seat, _, _ in held} == live
