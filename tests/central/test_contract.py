"""The central contract end to end, over real HTTP: enrollment, schedule, seat maps, holds, sales
with signed tickets, refunds, cancellation by idempotency key, leases, bookings, reconciliation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from centralkit import (
    SHOWTIME,
    error_of,
    free_standard_seats,
    key_ring,
    kinds,
    new_key,
    ok,
    sale_body,
    showtime,
    states,
    tomorrow_in_shanghai,
)

from contract.models import Enrollment, Schedule, SeatMap
from contract.ticket_code import Verdict, check_ticket_code, public_key_from_text


def test_enroll_schedule_seats_hold_sale_refund(central, terminal) -> None:
    # Enrollment answered with the central's key; the key ring agrees with it.
    ring = key_ring(terminal)
    assert set(ring) >= {"central", terminal.id}
    assert public_key_from_text(terminal.central_public_key).public_bytes_raw() == (
        ring["central"].public_bytes_raw()
    )

    # Schedule with an ETag; revalidation answers 304 with no body.
    first = terminal.client.get("/v1/schedule")
    sched = Schedule.model_validate(ok(first))
    assert sched.business_date == tomorrow_in_shanghai()
    etag = first.headers["etag"]
    assert etag == f'"{sched.version}"'
    again = terminal.client.get("/v1/schedule", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert terminal.client.get("/v1/schedule", headers={"If-None-Match": '"x"'}).status_code == 200
    assert {s.id for s in sched.showtimes} >= {SHOWTIME}
    assert {t.code for t in sched.ticket_types} >= {"adult", "student"}
    st = next(s for s in sched.showtimes if s.id == SHOWTIME)

    # Seat map: layout and state, consistent with the schedule's capacity.
    layout = SeatMap.model_validate(ok(terminal.client.get(f"/v1/showtimes/{SHOWTIME}/seats")))
    assert len(layout.auditorium.seats) == st.capacity == len(layout.seats)
    assert {s.kind for s in layout.auditorium.seats} >= {"standard", "wheelchair", "vip"}

    # Hold two seats; they show as held and the schedule's availability drops.
    seats = free_standard_seats(terminal, 2)
    hold = ok(terminal.post("/v1/holds", {"showtime_id": SHOWTIME, "seats": seats}))
    assert hold["seats"] == seats
    assert all(states(terminal)[s]["state"] == "held" for s in seats)
    assert showtime(terminal)["free"] == st.free - 2
    revalidated = terminal.client.get("/v1/schedule", headers={"If-None-Match": etag})
    assert revalidated.status_code == 200, "a changed schedule must not answer 304"

    # Sell the hold: tickets with codes signed by the central, valid at a door.
    sale = ok(terminal.post("/v1/sales", sale_body(terminal, seats, hold_id=hold["id"])))
    assert sale["status"] == "paid" and sale["channel"] == "counter"
    assert sale["terminal_id"] == terminal.id
    assert sorted(t["seat"] for t in sale["tickets"]) == sorted(seats)
    assert sale["total"] == sum(t["price"] for t in sale["tickets"]) == 2 * st.prices["adult"]
    for ticket in sale["tickets"]:
        check = check_ticket_code(ticket["code"], ring)
        assert check.verdict == Verdict.VALID, check.reason
        assert check.claim is not None
        assert (check.claim.ticket_id, check.claim.seat, check.claim.showtime_id) == (
            ticket["id"],
            ticket["seat"],
            SHOWTIME,
        )
        assert check.claim.key_id == "central"
        assert check.claim.starts_at == int(st.start.timestamp())
        # Altering one character of the payload breaks the signature.
        head, payload, sig = ticket["code"].split(".")
        forged = f"{head}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{sig}"
        assert check_ticket_code(forged, ring).verdict != Verdict.VALID
    assert all(states(terminal)[s]["state"] == "sold" for s in seats)
    assert ok(terminal.client.get(f"/v1/sales/{sale['id']}")) == sale
    assert (
        ok(terminal.client.get(f"/v1/sales/by-key/{sale['idempotency_key']}"))["id"] == sale["id"]
    )

    # Refund one ticket, then the rest; the seats come free; a second refund is 409.
    first_ticket, second_ticket = sale["tickets"]
    refund = ok(
        terminal.post(f"/v1/sales/{sale['id']}/refunds", {"ticket_ids": [first_ticket["id"]]})
    )
    assert refund["amount"] == first_ticket["price"]
    assert states(terminal)[first_ticket["seat"]]["state"] == "free"
    assert states(terminal)[second_ticket["seat"]]["state"] == "sold"
    assert ok(terminal.client.get(f"/v1/sales/{sale['id']}"))["status"] == "partly_refunded"
    rest = ok(terminal.post(f"/v1/sales/{sale['id']}/refunds", {}))
    assert rest["ticket_ids"] == [second_ticket["id"]]
    assert all(states(terminal)[s]["state"] == "free" for s in seats)
    after = ok(terminal.client.get(f"/v1/sales/{sale['id']}"))
    assert after["status"] == "refunded" and all(t["refunded"] for t in after["tickets"])
    again_refund = terminal.post(
        f"/v1/sales/{sale['id']}/refunds", {"ticket_ids": [first_ticket["id"]]}
    )
    error_of(again_refund, 409, "ALREADY_REFUNDED")
    error_of(terminal.post(f"/v1/sales/{sale['id']}/refunds", {}), 409, "ALREADY_REFUNDED")
    # The freed seats can be sold again.
    ok(terminal.post("/v1/sales", sale_body(terminal, seats)))


def test_refund_rejects_the_same_ticket_twice(terminal) -> None:
    seats = free_standard_seats(terminal, 2)
    sale = ok(terminal.post("/v1/sales", sale_body(terminal, seats)))
    tid = sale["tickets"][0]["id"]
    resp = terminal.post(f"/v1/sales/{sale['id']}/refunds", {"ticket_ids": [tid, tid]})
    error_of(resp, 422, "DUPLICATE_TICKET")  # not a double refund of one ticket
    again = ok(terminal.client.get(f"/v1/sales/{sale['id']}"))
    assert again["status"] == "paid" and not any(t["refunded"] for t in again["tickets"])


def test_cancel_committed_sale_and_unknown_key(terminal) -> None:
    seats = free_standard_seats(terminal, 3)
    sale_key = new_key()
    sale = ok(terminal.post("/v1/sales", sale_body(terminal, seats), key=sale_key))
    assert all(states(terminal)[s]["state"] == "sold" for s in seats)

    result = ok(terminal.post("/v1/sales/cancellations", {"idempotency_key": sale_key}))
    assert result == {"idempotency_key": sale_key, "outcome": "cancelled", "sale_id": sale["id"]}
    assert all(states(terminal)[s]["state"] == "free" for s in seats)
    cancelled = ok(terminal.client.get(f"/v1/sales/{sale['id']}"))
    assert cancelled["status"] == "cancelled"
    assert all(t["refunded"] for t in cancelled["tickets"])
    error_of(terminal.post(f"/v1/sales/{sale['id']}/refunds", {}), 409, "SALE_CANCELLED")

    # A key the central never saw: tombstoned, and a late sale with it is refused.
    ghost = new_key()
    result = ok(terminal.post("/v1/sales/cancellations", {"idempotency_key": ghost}))
    assert result["outcome"] == "tombstoned" and result["sale_id"] is None
    late = terminal.post("/v1/sales", sale_body(terminal, seats), key=ghost)
    error_of(late, 409, "SALE_CANCELLED")
    assert all(states(terminal)[s]["state"] == "free" for s in seats)
    error_of(terminal.client.get(f"/v1/sales/by-key/{ghost}"), 404)

    # The cancel itself is idempotent under its own key.
    cancel_key = new_key()
    one = ok(terminal.post("/v1/sales/cancellations", {"idempotency_key": ghost}, key=cancel_key))
    two = ok(terminal.post("/v1/sales/cancellations", {"idempotency_key": ghost}, key=cancel_key))
    assert one == two


def test_leases(central, terminal, terminal2) -> None:
    kind = kinds(terminal)
    lease = ok(terminal.post("/v1/leases", {"showtime_id": SHOWTIME, "count": 12}))
    assert lease["terminal_id"] == terminal.id and lease["showtime_id"] == SHOWTIME
    assert len(lease["seats"]) == 12 == len(set(lease["seats"]))
    assert all(kind[s] == "standard" for s in lease["seats"])
    now = states(terminal)
    assert all(
        now[s]["state"] == "leased" and now[s]["leased_to"] == terminal.id
        for s in now
        if s in lease["seats"]
    )
    assert sum(1 for s in now.values() if s["state"] == "leased") == 12

    # Another terminal can neither hold nor buy a leased seat.
    seat = lease["seats"][0]
    err = error_of(terminal2.post("/v1/holds", {"showtime_id": SHOWTIME, "seats": [seat]}), 409)
    assert err["code"] == "SEAT_TAKEN" and err["detail"]["seats"] == [seat]
    err = error_of(terminal2.post("/v1/sales", sale_body(terminal2, [seat])), 409, "SEAT_TAKEN")
    # A lease never hands out a seat someone sold or holds.
    sold = free_standard_seats(terminal2, 1)
    ok(terminal2.post("/v1/sales", sale_body(terminal2, sold)))
    other = ok(terminal2.post("/v1/leases", {"showtime_id": SHOWTIME, "count": 5}))
    assert not set(other["seats"]) & set(lease["seats"]) and sold[0] not in other["seats"]

    # The lessee can hold and sell its own leased seats online.
    hold = ok(terminal.post("/v1/holds", {"showtime_id": SHOWTIME, "seats": [seat]}))
    ok(terminal.post("/v1/sales", sale_body(terminal, [seat], hold_id=hold["id"])))
    second = lease["seats"][1]
    ok(terminal.post("/v1/sales", sale_body(terminal, [second])))
    listed = ok(terminal.client.get("/v1/leases"))
    assert [x["id"] for x in listed] == [lease["id"]]
    assert set(listed[0]["seats"]) == set(lease["seats"]) - {seat, second}

    # Top up: the same lease grows; leasing again also grows it (one live lease a showtime).
    topped = ok(terminal.post(f"/v1/leases/{lease['id']}/top-ups", {"count": 4}))
    assert topped["id"] == lease["id"] and len(topped["seats"]) == 14
    assert set(topped["seats"]) >= set(listed[0]["seats"])
    assert not set(topped["seats"]) & set(other["seats"])
    grown = ok(terminal.post("/v1/leases", {"showtime_id": SHOWTIME, "count": 1}))
    assert grown["id"] == lease["id"] and len(grown["seats"]) == 15

    # Release some: they come free, the rest stay leased.
    give_back = grown["seats"][:3]
    kept = ok(terminal.post(f"/v1/leases/{lease['id']}/releases", {"seats": give_back}))
    assert set(kept["seats"]) == set(grown["seats"]) - set(give_back)
    now = states(terminal)
    assert all(now[s]["state"] == "free" for s in give_back)
    ok(terminal2.post("/v1/holds", {"showtime_id": SHOWTIME, "seats": [give_back[0]]}))
    bad = terminal.post(f"/v1/leases/{lease['id']}/releases", {"seats": [give_back[1]]})
    error_of(bad, 422, "NOT_IN_LEASE")

    # Release all: nothing leased to this terminal remains; sold seats stay sold.
    done = ok(terminal.post(f"/v1/leases/{lease['id']}/releases", {}))
    assert done["seats"] == []
    now = states(terminal)
    assert not [s for s, v in now.items() if v["leased_to"] == terminal.id]
    assert now[seat]["state"] == now[second]["state"] == "sold"
    assert ok(terminal.client.get("/v1/leases")) == []
    error_of(
        terminal.post(f"/v1/leases/{lease['id']}/top-ups", {"count": 1}), 409, "LEASE_RELEASED"
    )
    # A fresh lease after a release is a new lease.
    fresh = ok(terminal.post("/v1/leases", {"showtime_id": SHOWTIME, "count": 2}))
    assert fresh["id"] != lease["id"]
    assert [x["id"] for x in ok(terminal2.client.get("/v1/leases"))] == [other["id"]]


def test_bookings_list_and_pickup(terminal, terminal2) -> None:
    bookings = ok(terminal.client.get("/v1/bookings"))
    assert len(bookings) >= 30
    assert len({b["code"] for b in bookings}) == len(bookings)
    ring = key_ring(terminal)
    for b in bookings:
        assert b["status"] == "paid" and b["tickets"]
        assert b["total"] == sum(t["price"] for t in b["tickets"])
        for t in b["tickets"]:
            assert check_ticket_code(t["code"], ring).verdict == Verdict.VALID
    # Their seats are sold on the seat map.
    b = bookings[0]
    seats_now = states(terminal, b["showtime_id"])
    assert all(seats_now[t["seat"]]["state"] == "sold" for t in b["tickets"])
    assert ok(terminal.client.get(f"/v1/bookings/{b['code']}")) == b
    error_of(terminal.client.get("/v1/bookings/NOPE00"), 404)

    key = new_key()
    first = ok(terminal.post(f"/v1/bookings/{b['code']}/pickups", {"cashier_id": "c01"}, key=key))
    assert first["status"] == "picked_up" and first["picked_up_by"] == "c01"
    again = ok(terminal.post(f"/v1/bookings/{b['code']}/pickups", {"cashier_id": "c01"}, key=key))
    assert again == first
    err = error_of(terminal2.post(f"/v1/bookings/{b['code']}/pickups", {"cashier_id": "c02"}), 409)
    assert err["code"] == "ALREADY_PICKED_UP" and err["detail"]["by"] == "c01"
    err = error_of(terminal.post(f"/v1/bookings/{b['code']}/pickups", {"cashier_id": "c01"}), 409)
    assert err["code"] == "ALREADY_PICKED_UP"
    listed = {x["code"]: x for x in ok(terminal.client.get("/v1/bookings"))}
    assert listed[b["code"]]["status"] == "picked_up"
    assert sum(1 for x in listed.values() if x["status"] == "picked_up") == 1
    # Another business day has no bookings.
    assert ok(terminal.client.get("/v1/bookings", params={"day": "2001-01-01"})) == []


def _report(terminal, sales, business_date: str, report_id: str, lines=None) -> dict:
    lines = (
        lines
        if lines is not None
        else [
            {
                "sale_id": s["id"],
                "idempotency_key": s["idempotency_key"],
                "total": s["total"],
                "refunded": sum(t["price"] for t in s["tickets"] if t["refunded"]),
                "status": s["status"],
            }
            for s in sales
        ]
    )
    live = [s for s in sales if s["status"] != "cancelled"]
    by_payment: dict[str, int] = {}
    for s in live:
        for p in s["payments"]:
            by_payment[p["method"]] = by_payment.get(p["method"], 0) + p["amount"]
    return {
        "kind": "day",
        "report_id": report_id,
        "business_date": business_date,
        "sales_count": len(live),
        "gross": sum(s["total"] for s in live),
        "refunds": sum(t["price"] for s in live for t in s["tickets"] if t["refunded"]),
        "by_payment": by_payment,
        "sales": lines,
    }


def test_reconciliation(terminal, terminal2) -> None:
    seats = free_standard_seats(terminal, 8)
    made = [
        ok(terminal.post("/v1/sales", sale_body(terminal, seats[0:2], method="cash"))),
        ok(terminal.post("/v1/sales", sale_body(terminal, seats[2:3], method="card"))),
        ok(terminal.post("/v1/sales", sale_body(terminal, seats[3:5], ticket_type="student"))),
        ok(terminal.post("/v1/sales", sale_body(terminal, seats[5:6], method="card"))),
    ]
    # One partly refunded, one cancelled; another terminal's sale must not count.
    ok(
        terminal.post(
            f"/v1/sales/{made[0]['id']}/refunds", {"ticket_ids": [made[0]["tickets"][0]["id"]]}
        )
    )
    ok(terminal.post("/v1/sales/cancellations", {"idempotency_key": made[3]["idempotency_key"]}))
    ok(terminal2.post("/v1/sales", sale_body(terminal2, seats[6:8])))
    made = [ok(terminal.client.get(f"/v1/sales/{s['id']}")) for s in made]
    live = [s for s in made if s["status"] != "cancelled"]
    # Sales are stamped with the real time, so they fall in today's business day (06:00 start),
    # whatever day their showtime is on.
    day = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(hours=6)).date().isoformat()

    report = _report(terminal, made, day, "r-match")
    answer = ok(terminal.post("/v1/reconciliations", report))
    assert answer["terminal_id"] == terminal.id
    assert answer["central_sales_count"] == len(live) == 3
    assert answer["central_gross"] == sum(s["total"] for s in live)
    assert answer["central_refunds"] == made[0]["tickets"][0]["price"]
    cash = sum(s["total"] for s in live if s["payments"][0]["method"] == "cash")
    card = sum(s["total"] for s in live if s["payments"][0]["method"] == "card")
    assert answer["central_by_payment"] == {
        k: v for k, v in {"cash": cash, "card": card}.items() if v
    }
    assert answer["differences"] == []
    # The same report id answers the same (first) answer.
    assert ok(terminal.post("/v1/reconciliations", report)) == answer

    # A wrong amount and a missing line both show up, sale by sale.
    lines = _report(terminal, made, day, "x")["sales"]
    wrong = lines[1] | {"total": lines[1]["total"] + 100}
    missing_key = lines[2]["idempotency_key"]
    phantom = {"idempotency_key": new_key(), "total": 4200, "status": "paid"}
    bad = _report(terminal, made, day, "r-diff", lines=[lines[0], wrong, lines[3], phantom])
    answer = ok(terminal.post("/v1/reconciliations", bad))
    diffs = {d["idempotency_key"]: d for d in answer["differences"]}
    assert set(diffs) == {wrong["idempotency_key"], missing_key, phantom["idempotency_key"]}
    assert diffs[wrong["idempotency_key"]]["why"] == "amounts differ"
    assert diffs[wrong["idempotency_key"]]["terminal_total"] == wrong["total"]
    assert diffs[wrong["idempotency_key"]]["central_total"] == made[1]["total"]
    assert diffs[missing_key]["why"] == "missing at the terminal"
    assert diffs[missing_key]["sale_id"] == made[2]["id"]
    assert diffs[phantom["idempotency_key"]]["why"] == "missing on the central"
    assert diffs[phantom["idempotency_key"]]["central_total"] is None
    # The central's own totals do not move with what the terminal claims.
    assert answer["central_gross"] == sum(s["total"] for s in live)

    # A shift report covers its own window: the same figures for a window around this test,
    # none for a window that ended before it.
    shift = _report(terminal, made, day, "r-shift") | {"kind": "shift"}
    error_of(terminal.post("/v1/reconciliations", shift), 422, "SHIFT_WINDOW")
    opened = min(s["created_at"] for s in made)
    window = {"opened_at": opened, "closed_at": datetime.now(UTC).isoformat()}
    answer = ok(terminal.post("/v1/reconciliations", shift | window))
    assert answer["central_sales_count"] == 3 and answer["differences"] == []
    past = {"opened_at": "2001-01-01T00:00:00Z", "closed_at": "2001-01-02T00:00:00Z"}
    answer = ok(
        terminal.post("/v1/reconciliations", shift | past | {"report_id": "r-old", "sales": []})
    )
    assert answer["central_sales_count"] == 0 and answer["differences"] == []


def test_enrollment_model(central) -> None:
    import httpx

    from contract.ticket_code import new_private_key, public_key_text

    info = central.info()["terminals"][2]
    key = new_private_key()
    resp = httpx.post(
        f"{central.url}/v1/enrollments",
        json={"code": info["enrollment_code"], "public_key": public_key_text(key)},
    )
    enrollment = Enrollment.model_validate(ok(resp))
    assert enrollment.terminal_id == info["id"]
    assert enrollment.cinema.timezone == "Asia/Shanghai"
    ring = httpx.get(
        f"{central.url}/v1/keys", headers={"Authorization": f"Bearer {enrollment.token}"}
    ).json()["keys"]
    assert {"key_id": info["id"], "public_key": public_key_text(key)} in ring
