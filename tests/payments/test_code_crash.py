"""A code-taking seller SIGKILLed at random points of its payments, under every drill of the
gateway in turn. After a restart (which settles what each kill left open), every charge the
gateway kept money for is exactly one sale with its tickets; every other one was declined,
cancelled or reversed."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from devtools.gateway.ledger import Drill
from devtools.gateway.server import GatewayThread
from pos.counter.home import Home
from tests.payments.paykit import assert_books_match, books, reopen

ROUNDS = 10
SELLER = Path(__file__).with_name("crash_code_seller.py")
DRILLS = [
    Drill.INSTANT,
    Drill.USER_PAYING,
    Drill.RESET_AFTER_CHARGE,
    Drill.SLOW,
    Drill.USER_PAYING_TIMEOUT,
]


def test_sigkill_at_random_points_of_code_payments(home: Home, gateway: GatewayThread) -> None:
    rng = random.Random(20160611)
    mid_payment = 0
    """Kills that left a charge open (the next start settles it): the test must hit some."""
    for round_ in range(ROUNDS):
        gateway.set_drill(DRILLS[round_ % len(DRILLS)], slow_seconds=1.0)
        child = subprocess.Popen(
            [sys.executable, str(SELLER), str(home.path), str(round_)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(1.5, 3.0))
        assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        mid_payment += any(r[4] in ("charging", "paid", "reversing") for r in books(home)[0])
    assert mid_payment >= ROUNDS // 3, f"only {mid_payment} kills landed mid-payment"
    gateway.set_drill(Drill.INSTANT)
    assert reopen(home) == 0  # the next start settles what the last kill left open
    assert_books_match(home, gateway)
    rows, _ = books(home)
    states = {r[4] for r in rows}
    assert "captured" in states and states <= {"captured", "declined", "reversed"}, states
    assert sum(1 for t in gateway.statement() if t["kept"] > 0) >= ROUNDS // 2
