"""Crash safety: a seller SIGKILLed at random points, many times, on a flaky central. After a
restart and a sync, every paid sale is on the central exactly once, no seat is sold twice,
and the journal still verifies."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from central.server import CentralThread
from offline import journal, outbox, sales
from pos.counter.home import Home
from pos.counter.service import Counter
from tests.kit import set_faults

ROUNDS = 8
SELLER = Path(__file__).with_name("crash_seller.py")


def central_state(db: Path, terminal: str) -> tuple[dict[str, tuple[str, str]], set[str]]:
    with sqlite3.connect(db) as conn:
        by_key = {
            key: (sale_id, status)
            for sale_id, key, status in conn.execute(
                "SELECT id, idempotency_key, status FROM sales WHERE terminal_id = ?", (terminal,)
            )
        }
        live = {
            tid
            for (tid,) in conn.execute(
                "SELECT t.id FROM tickets t JOIN sales s ON s.id = t.sale_id"
                " WHERE s.terminal_id = ? AND t.refunded = 0",
                (terminal,),
            )
        }
    return by_key, live


async def test_sigkill_at_random_points(
    home: Home, live_central: CentralThread, central_db: Path
) -> None:
    rng = random.Random(20160611)
    # Faults hit selling and syncing, not health: probes bring each seller back online between
    # failures, so both paths (and the unwinding of failed online sales) get killed mid-way.
    faults = [
        {"kind": "reset", "path_prefix": "/v1/sales", "probability": 0.25},
        {"kind": "error", "path_prefix": "/v1/offline-sales", "probability": 0.2},
        {"kind": "error", "path_prefix": "/v1/showtimes", "probability": 0.1},
    ]
    set_faults(live_central, {"faults": faults})
    for round_ in range(ROUNDS):
        child = subprocess.Popen(
            [sys.executable, str(SELLER), str(home.path), str(round_)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(1.2, 2.5))
        assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
        child.send_signal(signal.SIGKILL)
        child.wait(10)

    set_faults(live_central, {"faults": []})
    async with Counter(home) as counter:
        await counter.recover_if_possible()
        await counter.sender.drain(now=True)
        assert outbox.depth(counter.store) == 0
        assert not outbox.items(counter.store, "failed")
        check = journal.verify(counter.store)
        assert check.ok, check.reason
        local = sales.list_sales(counter.store)
        terminal = counter.settings.terminal_id

    on_central, live_tickets = central_state(central_db, terminal)
    paid = [s for s in local if s.state in ("paid", "printed", "synced")]
    unwound = {s.idempotency_key for s in local if s.state == "cancelled"}
    assert len(paid) >= ROUNDS, "the seller should have sold something every round"
    assert {s.mode for s in paid} == {"online", "offline"}
    for sale in paid:
        central_id, status = on_central[sale.idempotency_key]
        assert status == "paid"
        assert sale.central_sale_id in (None, central_id)

    for key in unwound & on_central.keys():
        assert on_central[key][1] == "cancelled"
    local_tickets = {t.id for s in paid for t in s.tickets}
    assert local_tickets == live_tickets, "every ticket handed out is live on the central, once"
