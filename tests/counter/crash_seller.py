"""A cashier who never stops: sells in a loop until killed. Run as a child process by the
crash-safety test, which SIGKILLs it at random moments."""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
from pathlib import Path

from contract.models import PaymentMethod
from pos.counter.errors import CounterError
from pos.counter.home import Home
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.counter.service import Counter


async def main(home: Path, seed: int) -> None:
    rng = random.Random(seed)
    async with Counter(Home(home)) as counter:
        counter.start_background(probe_every=0.2, sync_every=0.3, refresh_every=3600)
        showtimes = [s for s, n in counter.status().leases.items() if n > 0]
        for _ in range(100_000):
            order = Order(
                showtime_id=rng.choice(showtimes),
                cashier_id="c01",
                ticket_types=["adult"],
                tenders=[Tender(PaymentMethod.CASH, 100_000)],
                count=rng.randint(1, 2),
            )
            with contextlib.suppress(CounterError):  # lease used up, seat taken: next customer
                await counter.sell(order)
            await asyncio.sleep(rng.uniform(0.01, 0.05))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
