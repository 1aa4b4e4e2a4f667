"""The reference central sizes leases by the lease policy, keeps them within the counter
allotment, protects leased seats exactly as long as the lessee may sell them, and recalls
unsold leased seats for online sale without ever taking one a terminal sold."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from centralkit import (
    SHOWTIME,
    EnrolledTerminal,
    enroll,
    error_of,
    new_key,
    offline_sale,
    ok,
    sale_body,
    showtime,
    starts_at,
    states,
    upload,
)

from central.server import CentralThread
from contract.leasing import sales_close
from contract.models import SALES_CLOSE_AFTER_START
from tests.kit import MovableClock

HOT = "st-001"
"""The opening showtime of the 738-seat house (allotment 0.3: 221 seats)."""
SMALL = "st-004"
"""A showtime of the 40-seat VIP auditorium (default allotment 0.25: 10 seats)."""


def lease(
    term: EnrolledTerminal,
    showtime_id: str,
    count: int,
    rate: float | None = None,
    floor: int = 8,
    **more: object,
) -> dict[str, Any]:
    body: dict[str, Any] = {"showtime_id": showtime_id, "count": count}
    if rate is not None:
        body["demand"] = {"seats_per_hour": rate, "floor": floor, **more}
    return ok(term.post("/v1/leases", body))


def test_a_grant_follows_the_reported_demand(central, terminal) -> None:
    assert len(lease(terminal, SHOWTIME, 50, rate=0)["seats"]) == 8  # cold: the floor
    assert len(lease(terminal, SHOWTIME, 50, rate=0, floor=3)["seats"]) == 8  # never shrinks
    sizes = [len(lease(terminal, HOT, 50, rate=60)["seats"]) for _ in range(4)]
    # 60 seats an hour for 75 minutes, half again: 113 seats, asked for 50 at a time.
    assert sizes == [50, 100, 113, 113]
    # A terminal that sold offline says so: it gets back to its target, not past it.
    assert len(lease(terminal, HOT, 50, rate=60, available=103)["seats"]) == 123
    # Bracing for an outage sizes for the worse case.
    assert len(lease(terminal, HOT, 50, rate=60, bracing=True)["seats"]) == 150


def test_the_allotment_caps_all_counters_together(central, terminal, terminal2) -> None:
    st = showtime(terminal, SMALL)
    assert st["counter_allotment"] == 10 and st["capacity"] == 40
    assert showtime(terminal, HOT)["counter_allotment"] == 221
    assert len(lease(terminal, SMALL, 8)["seats"]) == 8  # as asked, within the allotment
    assert len(lease(terminal2, SMALL, 8, rate=0)["seats"]) == 2  # what is left of it
    assert len(lease(terminal2, SMALL, 8)["seats"]) == 2
    assert showtime(terminal, SMALL)["free"] == st["free"] - 10


def test_the_allotment_is_shared_by_demand(central, terminal, terminal2) -> None:
    # T02 told the central it sells 60 an hour; T01 sells twice as fast and gets twice the share.
    assert len(lease(terminal2, SHOWTIME, 1, rate=60)["seats"]) == 1
    grown = [len(lease(terminal, SHOWTIME, 50, rate=120)["seats"]) for _ in range(4)]
    assert grown == [50, 100, 148, 148]  # ceil(221 x 120 / 180)


def test_a_recall_asks_unsold_seats_back_and_lowers_the_allotment(
    central, terminal, terminal2
) -> None:
    mine = lease(terminal, SHOWTIME, 21)
    other = lease(terminal2, SHOWTIME, 10)
    sold = mine["seats"][0]  # sold by its lessee online: never recalled
    ok(terminal.post("/v1/sales", sale_body(terminal, [sold])))
    web = enroll(central, 2)
    key = new_key()
    body = {"count": 12}
    path = f"/v1/showtimes/{SHOWTIME}/lease-recalls"
    answer = ok(web.post(path, body, key=key))
    assert answer == {
        "showtime_id": SHOWTIME,
        "requested": 12,
        "recalled": 12,
        "terminals": {terminal.id: 11, terminal2.id: 1},
        "counter_allotment": 30 - 12,
    }
    assert ok(web.post(path, body, key=key)) == answer  # a repeat acts once

    listed = ok(terminal.client.get("/v1/leases"))[0]
    recalled = listed["recalled"]
    assert len(recalled) == 11 and set(recalled) <= set(listed["seats"]) and sold not in recalled
    assert len(ok(terminal2.client.get("/v1/leases"))[0]["recalled"]) == 1
    # Until the terminal gives them back they are still its own: nobody else may take one.
    now = states(terminal)
    assert all(now[s]["state"] == "leased" for s in recalled)
    error_of(web.post("/v1/sales", sale_body(web, recalled[:1])), 409, "SEAT_TAKEN")

    # The terminal gives them back; they are free for online sale and asked for no more.
    back = ok(terminal.post(f"/v1/leases/{mine['id']}/releases", {"seats": recalled}))
    assert back["recalled"] == [] and len(back["seats"]) == 9
    now = states(terminal)
    assert all(now[s]["state"] == "free" for s in recalled)
    ok(web.post("/v1/sales", sale_body(web, recalled[:2])))
    # The allotment went down with the recall: no lease takes them back.
    assert showtime(terminal, SHOWTIME)["counter_allotment"] == 18
    assert len(lease(terminal, SHOWTIME, 20)["seats"]) == 9
    assert len(lease(terminal, SHOWTIME, 20, rate=200)["seats"]) == 9
    assert len(lease(terminal2, SHOWTIME, 5)["seats"]) == 10
    assert other["id"] == ok(terminal2.client.get("/v1/leases"))[0]["id"]


def test_a_recall_of_a_showtime_nobody_leases_asks_nothing(central, terminal) -> None:
    answer = ok(terminal.post(f"/v1/showtimes/{HOT}/lease-recalls", {"count": 5}))
    assert (answer["recalled"], answer["terminals"], answer["counter_allotment"]) == (0, {}, 0)
    error_of(terminal.post("/v1/showtimes/st-999/lease-recalls", {"count": 5}), 404)
    error_of(terminal.post(f"/v1/showtimes/{HOT}/lease-recalls", {"count": 0}), 422)


def test_a_short_counter_gets_seats_from_a_counter_over_its_share(
    central, terminal, terminal2
) -> None:
    # T01 leased early for 100 seats an hour; T02's queue is now three times as long, and
    # the allotment (221 seats) has 33 left for it.
    sizes = [len((early := lease(terminal, HOT, 50, rate=100))["seats"]) for _ in range(4)]
    assert sizes == [50, 100, 150, 188]  # 100/h x 75 min x 1.5
    assert len(lease(terminal2, HOT, 50, rate=300)["seats"]) == 33
    # Shares by demand of the 221 seats: T01 56, T02 166: T01 is asked for 132 back.
    (listed,) = ok(terminal.client.get("/v1/leases"))
    recalled = listed["recalled"]
    assert len(recalled) == 132 and set(recalled) <= set(early["seats"])
    # Asked back, they are still T01's until it gives them back: nobody else takes one.
    now = states(terminal, HOT)
    assert all(now[s]["leased_to"] == terminal.id for s in recalled)
    web = enroll(central, 2)
    error_of(web.post("/v1/sales", sale_body(web, recalled[:1], HOT)), 409, "SEAT_TAKEN")
    # Asked again meanwhile, T02 is owed nothing more: the 132 are on their way.
    lease(terminal2, HOT, 50, rate=300)
    assert len(ok(terminal.client.get("/v1/leases"))[0]["recalled"]) == 132

    # T01 sells one of them offline before it sees the recall, then gives back the rest.
    sold = recalled[0]
    ok(terminal.post("/v1/sales", sale_body(terminal, [sold], HOT)))
    back = ok(terminal.post(f"/v1/leases/{early['id']}/releases", {"seats": recalled[1:]}))
    assert back["recalled"] == [] and len(back["seats"]) == 187 - 131
    (theirs,) = ok(terminal2.client.get("/v1/leases"))
    assert set(recalled[1:]) <= set(theirs["seats"]) and len(theirs["seats"]) == 33 + 131
    now = states(terminal, HOT)
    assert all(now[s]["leased_to"] == terminal2.id for s in recalled[1:])
    assert now[sold]["state"] == "sold"
    error_of(web.post("/v1/sales", sale_body(web, recalled[1:2], HOT)), 409, "SEAT_TAKEN")


def test_no_rebalance_while_seats_are_free_or_without_demand(central, terminal, terminal2) -> None:
    lease(terminal, HOT, 50, rate=100)
    assert len(lease(terminal2, HOT, 20, rate=300)["seats"]) == 20  # granted in full
    for _ in range(4):
        lease(terminal, HOT, 50)  # the allotment reached, without demand
    assert len(lease(terminal2, HOT, 50)["seats"]) == 20  # short, but no demand with it
    assert ok(terminal.client.get("/v1/leases"))[0]["recalled"] == []


# --- the late-sale window --------------------------------------------------------------------


def test_a_lease_protects_its_seats_until_sales_close_not_until_the_start(
    timed_central: CentralThread, clock: MovableClock
) -> None:
    t1, t2 = enroll(timed_central, 0), enroll(timed_central, 1)
    held = lease(t1, SHOWTIME, 4)
    seat = held["seats"][0]
    start = datetime.fromisoformat(showtime(t1)["start"])
    taken_before = showtime(t1)["capacity"] - showtime(t1)["free"]

    clock.at = start + timedelta(minutes=5)  # started, still on sale for late-comers
    assert states(t2)[seat]["state"] == "leased"
    assert showtime(t1)["capacity"] - showtime(t1)["free"] == taken_before
    error_of(t2.post("/v1/holds", {"showtime_id": SHOWTIME, "seats": [seat]}), 409, "SEAT_TAKEN")
    error_of(t2.post("/v1/sales", sale_body(t2, [seat])), 409, "SEAT_TAKEN")
    price = showtime(t1)["prices"]["adult"]
    sale = offline_sale(t1, held, [seat], starts_at=starts_at(t1), price=price, sold_at=clock.at)
    assert upload(t1, sale)[0]["result"] == "accepted"
    error_of(t1.post("/v1/leases", {"showtime_id": SHOWTIME, "count": 1}), 409)

    clock.at = sales_close(start)  # closed: the lease protects nothing any more
    assert start + SALES_CLOSE_AFTER_START == clock.at
    other = held["seats"][1]
    assert states(t2)[other]["state"] == "free"
    # The sold seat stays taken; the three unsold ones count as free again.
    assert showtime(t1)["capacity"] - showtime(t1)["free"] == taken_before - 3
    for t in (t1, t2):
        t.client.close()
