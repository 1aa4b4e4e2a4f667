"""A giver killed (SIGKILL) between committing a handover and answering it: the receiver's ask
stays open, is asked again under the same request id once the giver is back, and gets the same
handover; no seat is ever sellable at both counters, and none is lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from central.server import CentralThread
from offline import handovers
from offline.store import Store
from pos.counter.errors import SeatUnavailable
from pos.counter.home import Home
from pos.counter.service import Counter
from tests.counter.handover_kit import (
    HOT,
    free_port,
    lease_seats,
    pair,
    party,
    refreshed,
    sell_out_own_lease,
)

CRASH_GIVER = Path(__file__).with_name("crash_giver.py")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def homes(live_central: CentralThread, tmp_path: Path) -> tuple[Home, Home]:
    return pair(live_central, tmp_path, free_port())


def serve(*argv: str) -> subprocess.Popen[str]:
    """A giver's endpoint in a child process, once it says it is listening."""
    child = subprocess.Popen([sys.executable, *argv], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    line = child.stderr.readline()
    assert "answering peers" in line, line
    return child


def given(home: Home) -> list[tuple[str, str]]:
    store = Store.open(home.store_path, check=False)
    try:
        return store.db.execute(
            "SELECT id, request_id FROM handovers WHERE role = 'given'"
        ).fetchall()
    finally:
        store.close()


async def test_a_giver_killed_before_its_answer_hands_the_same_seats_again(
    live_central: CentralThread, homes: tuple[Home, Home]
) -> None:
    giver_home, receiver_home = homes
    giver = await refreshed(giver_home)
    giver_seats = lease_seats(giver)
    await giver.close()
    receiver = await refreshed(receiver_home)
    try:
        live_central.stop()
        receiver.breaker.trip()
        await sell_out_own_lease(receiver)

        child = serve(str(CRASH_GIVER), str(giver_home.path))
        with pytest.raises(SeatUnavailable):
            await receiver.sell(party())  # the giver commits, then dies before answering
        assert child.wait(10) == -9
        [(handover_id, request_id)] = given(giver_home)
        [ask] = handovers.open_asks(receiver.store, HOT)
        assert ask.request_id == request_id  # the receiver did not learn of it, and keeps asking

        child = serve("-m", "pos.cli", "peer", "serve", "--home", str(giver_home.path))
        try:
            receiver.asker._down_until.clear()  # the peer is back: do not wait out the pause
            outcome = await receiver.sell(party())
        finally:
            child.terminate()
            child.wait(10)
        assert outcome.sale.lease_id == handover_id  # the same handover, answered again
        assert given(giver_home) == [(handover_id, request_id)]  # and no second one
        assert handovers.open_asks(receiver.store, HOT) == []

        giver = await Counter(giver_home).open()
        try:
            left = set(lease_seats(giver))
        finally:
            await giver.close()
        [received] = handovers.pending_uploads(receiver.store)
        assert left == set(giver_seats) - set(received.seats)
        assert not left & set(received.seats)
    finally:
        await receiver.close()
