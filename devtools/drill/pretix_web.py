"""The online rush on a pretix: M web-shop customers looking at a showtime's free seats and
ordering some on pretix's web channel (never the counters' channel, so never a leased seat), as
fast as pretix answers. Records the same `web.jsonl` as the rush on our central
(devtools/drill/web.py). Run by the drill as `python -m devtools.drill.pretix_web ...`."""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from pathlib import Path

import httpx

from devtools.drill.plan import Timeline
from devtools.drill.records import Recorder
from devtools.drill.web import SETUP_TIMEOUT, Rush


class PretixRush(Rush):
    def __init__(
        self,
        http: httpx.AsyncClient,
        recorder: Recorder,
        rng: random.Random,
        event: str,
        variations: dict[int, int],
        subevents: list[int],
        buy_ratio: float,
    ):
        super().__init__(http, recorder, rng, {str(s): {} for s in subevents}, buy_ratio)
        self.event = event
        self.variations = variations
        """product id → the variation a web customer buys (the first: adult)."""

    async def attempt(self) -> None:
        """A customer: a page of a showtime's free seats, then an order for some, or not."""
        if not self.showtimes:
            await asyncio.sleep(0.5)
            return
        sid = int(self.rng.choice(sorted(self.showtimes)))
        page = await self.call(
            "seats",
            "GET",
            f"{self.event}/subevents/{sid}/seats/?is_available=true&blocked=false&page_size=50",
        )
        if page is None:
            return
        free = page["results"]
        party = self.rng.randint(1, 4)
        if len(free) < party:
            if page["next"] is None:
                self.showtimes.pop(str(sid), None)
            return
        if self.rng.random() >= self.buy_ratio:
            return
        await self.call(
            "sale",
            "POST",
            f"{self.event}/orders/",
            {
                "status": "p",
                "sales_channel": "web",
                "payment_provider": "manual",
                "send_email": False,
                "positions": [
                    {
                        "item": s["product"],
                        "variation": self.variations[s["product"]],
                        "subevent": sid,
                        "seat": s["seat_guid"],
                    }
                    for s in self.rng.sample(free, party)
                ],
            },
        )


async def session(args: argparse.Namespace, recorder: Recorder) -> None:
    event = f"/organizers/{args.organizer}/events/{args.event}"
    async with httpx.AsyncClient(
        base_url=f"{args.pretix.rstrip('/')}/api/v1",
        headers={"Authorization": f"Token {args.token}"},
        timeout=httpx.Timeout(3.0, connect=1.0),
        limits=httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients),
    ) as http:
        items = (await http.get(f"{event}/items/")).raise_for_status().json()["results"]
        variations = {i["id"]: i["variations"][0]["id"] for i in items if i["variations"]}
        subs = (await http.get(f"{event}/subevents/")).raise_for_status().json()["results"]
        rush = PretixRush(
            http,
            recorder,
            random.Random(args.seed),
            event,
            variations,
            [s["id"] for s in subs],
            args.buy_ratio,
        )
        recorder.write("ready", t=time.time())
        timeline = await asyncio.to_thread(Timeline.wait_for, args.go, SETUP_TIMEOUT)
        await asyncio.sleep(max(0.0, timeline.start - time.time()))
        await asyncio.gather(*(rush.client(timeline.sell_until) for _ in range(args.clients)))
        recorder.write("done", t=time.time())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pretix", required=True, help="pretix base URL")
    parser.add_argument("--token", required=True)
    parser.add_argument("--organizer", required=True)
    parser.add_argument("--event", required=True)
    parser.add_argument("--go", type=Path, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--buy-ratio", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    recorder = Recorder(args.log)
    try:
        asyncio.run(session(args, recorder))
    except KeyboardInterrupt:
        pass
    finally:
        recorder.close()


if __name__ == "__main__":
    main()
