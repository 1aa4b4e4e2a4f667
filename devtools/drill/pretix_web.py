"""The online rush on a pretix: M web-shop customers looking at a showtime's free seats and
ordering some on pretix's web channel (never the counters' channel, so never a leased seat), as
fast as pretix answers. Records the same `web.jsonl` as the rush on our central
(devtools/drill/web.py). Run by the drill as `python -m devtools.drill.pretix_web ...`."""

from __future__ import annotations

import argparse
import asyncio
import random

import httpx

from devtools.drill.records import Recorder
from devtools.drill.web import Rush, run_web, rush_when_told


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
        await rush_when_told(rush, args, recorder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pretix", required=True, help="pretix base URL")
    parser.add_argument("--token", required=True)
    parser.add_argument("--organizer", required=True)
    parser.add_argument("--event", required=True)
    run_web(parser, session)


if __name__ == "__main__":
    main()
