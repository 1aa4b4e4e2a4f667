"""A cashier who takes only payment codes and never stops: sells in a loop until killed. Run as
a child process by the payment-code crash test, which SIGKILLs it at random moments."""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
from pathlib import Path

from pos.counter.errors import CounterError
from pos.counter.home import Home
from pos.counter.payments import code_tender
from pos.counter.selling import Order
from pos.counter.service import Counter

CODES = ("286012345678901234", "134567890123456789")


async def main(home: Path, seed: int) -> None:
    rng = random.Random(seed)
    async with Counter(Home(home)) as counter:
        showtimes = [s for s, n in counter.status().leases.items() if n > 0]
        for _ in range(100_000):
            showtime = rng.choice(showtimes)
            count = rng.randint(1, 2)
            due = counter.quote(showtime, ["adult"] * count)
            order = Order(
                showtime_id=showtime,
                cashier_id="c01",
                ticket_types=["adult"],
                tenders=[code_tender(due, rng.choice(CODES))],
                count=count,
            )
            with contextlib.suppress(CounterError):  # declined, timed out: next customer
                await counter.sell(order)
            await asyncio.sleep(rng.uniform(0.0, 0.03))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
