"""Two counters of one cinema for the handover tests: a giver with a big lease of the hot
showtime and a receiver with a small one, both refreshed while the central is up (each then
holds the other's key, from the central's key ring), then the central stopped."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from central.server import CentralThread
from contract.models import PaymentMethod
from pos.counter.home import Home
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.counter.service import Counter
from tests.conftest import SEEDS
from tests.kit import enroll_home

HOT = "st-001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def set_config(home: Home, **changes: object) -> None:
    config = json.loads(home.config_path.read_text())
    config.update(changes)
    home.config_path.write_text(json.dumps(config))


def pair(central: CentralThread, tmp: Path, giver_port: int) -> tuple[Home, Home]:
    """(giver, receiver): enrolled, the receiver's only peer the giver at `giver_port`."""
    giver = enroll_home(central, tmp / "giver", 0, lease_seats=8)
    receiver = enroll_home(central, tmp / "receiver", 1, lease_seats=4)
    set_config(giver, peer_listen=f"127.0.0.1:{giver_port}")
    set_config(
        receiver,
        peer_listen="127.0.0.1:0",
        peers=[{"terminal_id": giver.load().terminal_id, "url": f"http://127.0.0.1:{giver_port}"}],
    )
    return giver, receiver


async def refreshed(home: Home) -> Counter:
    """Open and refresh (schedule, key ring, leases), with no recall polling."""
    counter = await Counter(home).open()
    counter.lease_keeper.recall_every = timedelta(days=1)
    await counter.refresh()
    return counter


@contextlib.asynccontextmanager
async def opened(homes: tuple[Home, Home]) -> AsyncIterator[tuple[Counter, Counter]]:
    """The giver and the receiver, opened and refreshed, and closed whatever the test did."""
    giver = await refreshed(homes[0])
    try:
        receiver = await refreshed(homes[1])
        try:
            yield giver, receiver
        finally:
            await receiver.close()
    finally:
        await giver.close()


def party(count: int = 2) -> Order:
    return Order(HOT, "c01", ["adult"], [Tender(PaymentMethod.CASH, 10**6)], count=count)


async def sell_out_own_lease(counter: Counter) -> int:
    """Offline parties of two until the counter's own lease cannot seat one; returns sales."""
    sold = 0
    while len(lease_seats(counter)) >= 2:
        await counter.sell(party())
        sold += 1
    return sold


def lease_seats(counter: Counter) -> list[str]:
    return next((v.seats for v in counter.leases() if v.showtime_id == HOT), [])


def restart(central: CentralThread) -> CentralThread:
    return CentralThread(
        central.db_path,
        SEEDS,
        drill=True,
        business_date=central.business_date,
        port=central.port,
    ).start()
