"""Twenty counters fight for the same ten seats: every seat goes to exactly one of them, and
every loser is told so with a clear 409 SEAT_TAKEN."""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import Any

import httpx
from centralkit import (
    SHOWTIME,
    enroll,
    error_of,
    free_standard_seats,
    ok,
    sale_body,
    showtime,
    states,
)

CLIENTS = 20
TERMINALS = 4
SEATS = 10
ROUNDS = 3


def _fight(
    url: str,
    token: str,
    attempts: list[tuple[str, list[str]]],
    price: int,
    barrier: threading.Barrier,
) -> list[tuple[str, list[str], httpx.Response]]:
    """One counter with its own connection: tries each (hold|sale, seats) in order."""
    out = []
    with httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        barrier.wait()
        for how, seats in attempts:
            headers = {"Idempotency-Key": uuid.uuid4().hex}
            if how == "hold":
                body: dict[str, Any] = {"showtime_id": SHOWTIME, "seats": seats}
                resp = client.post("/v1/holds", json=body, headers=headers)
            else:
                body = {
                    "showtime_id": SHOWTIME,
                    "cashier_id": "c01",
                    "lines": [{"seat": s, "ticket_type": "adult", "price": price} for s in seats],
                    "payments": [{"method": "card", "amount": price * len(seats)}],
                }
                resp = client.post("/v1/sales", json=body, headers=headers)
            out.append((how, seats, resp))
    return out


def test_exactly_one_winner_per_seat(central) -> None:
    terminals = [enroll(central, i) for i in range(TERMINALS)]
    price = showtime(terminals[0])["prices"]["adult"]
    by_id = {t.id: t for t in terminals}
    rng = random.Random(20160611)
    try:
        for round_no in range(ROUNDS):
            seats = free_standard_seats(terminals[0], SEATS)
            pairs = round_no == ROUNDS - 1
            # Single seats in a random order, or (last round) overlapping pairs, which must be
            # all-or-nothing: a pair whose second seat is gone takes neither.
            units = [[a, b] for a, b in pairwise(seats)] if pairs else [[s] for s in seats]
            plans = []
            for _ in range(CLIENTS):
                mine = units[:]
                rng.shuffle(mine)
                plans.append([(rng.choice(("hold", "sale")), u) for u in mine])
            barrier = threading.Barrier(CLIENTS)
            with ThreadPoolExecutor(CLIENTS) as pool:
                futures = [
                    pool.submit(
                        _fight,
                        central.url,
                        terminals[i % TERMINALS].token,
                        plans[i],
                        price,
                        barrier,
                    )
                    for i in range(CLIENTS)
                ]
                tries = [t for f in futures for t in f.result()]

            wins = [(how, units_, r) for how, units_, r in tries if r.status_code == 200]
            winners = Counter(s for _, units_, _ in wins for s in units_)
            assert all(n == 1 for n in winners.values()), winners
            if not pairs:
                assert set(winners) == set(seats), "every seat must go to someone"
            else:
                # Disjoint pairs won; a seat left over has both neighbours' pairs taken.
                for s in set(seats) - set(winners):
                    i = seats.index(s)
                    assert (i == 0 or seats[i - 1] in winners) and (
                        i == len(seats) - 1 or seats[i + 1] in winners
                    )
            for _, units_, r in tries:
                if r.status_code == 200:
                    continue
                body = error_of(r, 409, "SEAT_TAKEN")
                taken = body["detail"]["seats"]
                assert taken and set(taken) <= set(units_) and set(taken) & set(winners)

            # The seat map and the sales agree with the winners, seat by seat.
            now = states(terminals[0])
            for how, units_, r in wins:
                answer = r.json()
                if how == "hold":
                    assert answer["seats"] == units_
                    assert all(now[s]["state"] == "held" for s in units_)
                else:
                    seller = by_id[answer["terminal_id"]]
                    sale = ok(seller.client.get(f"/v1/sales/{answer['id']}"))
                    assert sorted(t["seat"] for t in sale["tickets"]) == sorted(units_)
                    assert sale["status"] == "paid"
                    assert all(now[s]["state"] == "sold" for s in units_)
            assert all(now[s]["state"] == "free" for s in set(seats) - set(winners))
            # A latecomer loses too.
            late = terminals[1].post("/v1/sales", sale_body(terminals[1], [seats[0]]))
            if seats[0] in winners:
                error_of(late, 409, "SEAT_TAKEN")
    finally:
        for t in terminals:
            t.client.close()
