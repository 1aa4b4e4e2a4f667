"""The online rush: M clients of a festival website holding and buying seats as fast as the
central answers, through a terminal enrolled for the purpose (never a counter's token, so
never a counter's leases). Every request goes to `web.jsonl`: when it ended, what it was, how
long it took and how it went. Run by the drill as `python -m devtools.drill.web ...`."""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from contract.ticket_code import new_private_key, public_key_text
from devtools.drill.plan import Timeline
from devtools.drill.records import Recorder

SETUP_TIMEOUT = 120.0
BACKOFF = (0.1, 0.3)
"""A browser retrying after an error: soon, but not in a tight loop."""


class Rush:
    def __init__(
        self,
        http: httpx.AsyncClient,
        recorder: Recorder,
        rng: random.Random,
        showtimes: dict[str, dict[str, int]],
        buy_ratio: float,
    ):
        self.http = http
        self.recorder = recorder
        self.rng = rng
        self.showtimes = showtimes
        """Prices by showtime still believed to have seats."""
        self.buy_ratio = buy_ratio

    async def call(self, op: str, method: str, path: str, body: Any = None) -> Any | None:
        """One request, recorded; the answer's JSON on 2xx, else None."""
        headers = {"Idempotency-Key": uuid.uuid4().hex} if method != "GET" else None
        started = time.time()
        try:
            answer = await self.http.request(method, path, json=body, headers=headers)
            outcome = str(answer.status_code)
            data = answer.json() if answer.status_code < 300 and answer.content else None
        except httpx.TimeoutException:
            outcome, data = "timeout", None
        except (httpx.TransportError, ValueError):
            outcome, data = "broken", None
        ok = outcome.startswith("2")
        self.recorder.write(
            "request",
            t=time.time(),
            op=op,
            outcome=outcome,
            ok=ok,
            ms=(time.time() - started) * 1000,
        )
        if not ok and not outcome.startswith("4"):
            await asyncio.sleep(self.rng.uniform(*BACKOFF))
        return data if ok else None

    async def attempt(self) -> None:
        """A customer: look at a showtime's seats, hold some, buy them or give up."""
        if not self.showtimes:
            await asyncio.sleep(0.5)
            return
        showtime_id = self.rng.choice(sorted(self.showtimes))
        price = self.showtimes[showtime_id]["adult"]
        seat_map = await self.call("seats", "GET", f"/v1/showtimes/{showtime_id}/seats")
        if seat_map is None:
            return
        party = self.rng.randint(1, 4)
        standard = {s["label"] for s in seat_map["auditorium"]["seats"] if s["kind"] == "standard"}
        free = [
            s["label"] for s in seat_map["seats"] if s["state"] == "free" and s["label"] in standard
        ]
        if len(free) < party:
            self.showtimes.pop(showtime_id, None)
            return
        seats = self.rng.sample(free, party)
        hold = await self.call(
            "hold", "POST", "/v1/holds", {"showtime_id": showtime_id, "seats": seats}
        )
        if hold is None:
            return
        if self.rng.random() >= self.buy_ratio:
            await self.call("release", "DELETE", f"/v1/holds/{hold['id']}")
            return
        await self.call(
            "sale",
            "POST",
            "/v1/sales",
            {
                "showtime_id": showtime_id,
                "hold_id": hold["id"],
                "cashier_id": "web",
                "lines": [{"seat": s, "ticket_type": "adult", "price": price} for s in seats],
                "payments": [{"method": "card", "amount": price * len(seats)}],
            },
        )

    async def client(self, until: float) -> None:
        while time.time() < until:
            await self.attempt()


async def enroll(url: str, code: str) -> str:
    async with httpx.AsyncClient(base_url=url, timeout=10.0) as http:
        answer = await http.post(
            "/v1/enrollments", json={"code": code, "public_key": public_key_text(new_private_key())}
        )
        answer.raise_for_status()
        return str(answer.json()["token"])


async def session(args: argparse.Namespace, recorder: Recorder) -> None:
    token = await enroll(args.central, args.code)
    async with httpx.AsyncClient(
        base_url=args.central,
        headers={"Authorization": f"Bearer {token}"},
        timeout=httpx.Timeout(1.5, connect=1.0),
        limits=httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients),
    ) as http:
        schedule = (await http.get("/v1/schedule")).raise_for_status().json()
        showtimes = {st["id"]: st["prices"] for st in schedule["showtimes"]}
        rush = Rush(http, recorder, random.Random(args.seed), showtimes, args.buy_ratio)
        await rush_when_told(rush, args, recorder)


async def rush_when_told(rush: Rush, args: argparse.Namespace, recorder: Recorder) -> None:
    """Say ready, wait for the drill's go, and rush with every client until sales close."""
    recorder.write("ready", t=time.time())
    timeline = await asyncio.to_thread(Timeline.wait_for, args.go, SETUP_TIMEOUT)
    await asyncio.sleep(max(0.0, timeline.start - time.time()))
    await asyncio.gather(*(rush.client(timeline.sell_until) for _ in range(args.clients)))
    recorder.write("done", t=time.time())


def run_web(
    parser: argparse.ArgumentParser,
    session: Callable[[argparse.Namespace, Recorder], Awaitable[None]],
) -> None:
    """The web rush process: `parser` names where the buyers go, the rest is the drill's."""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--central", required=True)
    parser.add_argument("--code", required=True)
    run_web(parser, session)


if __name__ == "__main__":
    main()
