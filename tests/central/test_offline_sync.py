"""Offline batch sync: sales a terminal made from its lease, signed with its own key, uploaded
later; each one accepted, a duplicate, or a conflict with the reason."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from centralkit import (
    SHOWTIME,
    free_standard_seats,
    key_ring,
    new_key,
    offline_sale,
    ok,
    sale_body,
    showtime,
    starts_at,
    states,
    upload,
)

from central.context import iso
from contract.models import OfflineSale, OfflineTicket, Payment, PaymentMethod
from contract.ticket_code import (
    TicketClaim,
    Verdict,
    b64e,
    check_ticket_code,
    new_private_key,
    offline_sale_signing_bytes,
    sign_ticket,
)


def _lease(term, count: int = 10) -> dict:
    return ok(term.post("/v1/leases", {"showtime_id": SHOWTIME, "count": count}))


def test_accepted_then_duplicate(terminal) -> None:
    lease = _lease(terminal)
    price = showtime(terminal)["prices"]["adult"]
    at = starts_at(terminal)
    # sold_at in the cinema's own zone: the signature must survive the central's re-dump.
    local = datetime.now(ZoneInfo("Asia/Shanghai"))
    one = offline_sale(terminal, lease, lease["seats"][:2], starts_at=at, price=price)
    two = offline_sale(
        terminal, lease, lease["seats"][2:3], starts_at=at, price=price, sold_at=local
    )
    results = upload(terminal, one, two)
    assert [r["result"] for r in results] == ["accepted", "accepted"], results
    assert all(r["sale_id"] for r in results)

    now = states(terminal)
    assert all(now[s]["state"] == "sold" for s in lease["seats"][:3])
    assert all(now[s]["state"] == "leased" for s in lease["seats"][3:])
    listed = ok(terminal.client.get("/v1/leases"))[0]
    assert set(listed["seats"]) == set(lease["seats"][3:])

    sale = ok(terminal.client.get(f"/v1/sales/{results[0]['sale_id']}"))
    assert sale["channel"] == "offline" and sale["status"] == "paid"
    assert sale["idempotency_key"] == one.idempotency_key
    assert sale["total"] == 2 * price
    # The tickets keep the terminal-signed codes, which a door verifies with the key ring.
    ring = key_ring(terminal)
    for ticket in sale["tickets"]:
        check = check_ticket_code(ticket["code"], ring)
        assert check.verdict == Verdict.VALID and check.claim is not None
        assert check.claim.key_id == terminal.id and check.claim.channel == "offline"
    assert {t["code"] for t in sale["tickets"]} == {t.code for t in one.tickets}

    # Re-uploading the same batch (an answer lost on the way back) changes nothing.
    again = upload(terminal, one, two)
    assert [r["result"] for r in again] == ["duplicate", "duplicate"]
    assert [r["sale_id"] for r in again] == [r["sale_id"] for r in results]
    # Another terminal cannot take the sold seats; a refund through the online path works.
    ok(terminal.post(f"/v1/sales/{sale['id']}/refunds", {}))
    assert states(terminal)[lease["seats"][0]]["state"] == "free"


def test_conflicts_do_not_block_the_batch(terminal, terminal2) -> None:
    lease = _lease(terminal)
    other_lease = _lease(terminal2, 3)
    price = showtime(terminal)["prices"]["adult"]
    at = starts_at(terminal)
    seats = lease["seats"]
    never_leased = free_standard_seats(terminal, 1, skip=0)[0]
    assert never_leased not in seats and never_leased not in other_lease["seats"]
    sold_online = seats[5]
    ok(terminal.post("/v1/sales", sale_body(terminal, [sold_online])))

    good = offline_sale(terminal, lease, seats[:1], starts_at=at, price=price)
    not_in_lease = offline_sale(terminal, lease, [never_leased], starts_at=at, price=price)
    in_other_lease = offline_sale(
        terminal, lease, other_lease["seats"][:1], starts_at=at, price=price
    )
    stranger = new_private_key()
    bad_signature = offline_sale(
        terminal, lease, seats[1:2], starts_at=at, price=price, sale_signer=stranger
    )
    tampered = offline_sale(terminal, lease, seats[1:2], starts_at=at, price=price)
    tampered = tampered.model_copy(update={"cashier_id": "c02"})
    forged_ticket = offline_sale(
        terminal, lease, seats[1:2], starts_at=at, price=price, ticket_signer=stranger
    )
    cheap = offline_sale(terminal, lease, seats[2:3], starts_at=at, price=price - 1)
    foreign_lease = offline_sale(
        terminal, other_lease, other_lease["seats"][1:2], starts_at=at, price=price
    )
    already_sold = offline_sale(terminal, lease, [sold_online], starts_at=at, price=price)
    wrong_showtime = offline_sale(
        terminal, lease, seats[3:4], starts_at=at, price=price, showtime_id="st-038"
    )
    also_good = offline_sale(terminal, lease, seats[4:5], starts_at=at, price=price)
    batch = [
        good,
        not_in_lease,
        in_other_lease,
        bad_signature,
        tampered,
        forged_ticket,
        cheap,
        foreign_lease,
        already_sold,
        wrong_showtime,
        also_good,
    ]
    results = upload(terminal, *batch)
    outcome = [r["result"] for r in results]
    assert outcome == ["accepted"] + ["conflict"] * 9 + ["accepted"], results
    for r in results[1:-1]:
        assert r["reason"] and r["sale_id"] is None, r
    reasons = [r["reason"] for r in results]
    assert "lease" in reasons[1] and "lease" in reasons[2]
    assert "signature" in reasons[3] and "signature" in reasons[4]
    assert "unknown key" in reasons[5] or "signature" in reasons[5]
    assert "Price" in reasons[6] or "price" in reasons[6]
    assert "not this terminal" in reasons[7]
    assert "sold" in reasons[8]
    assert "showtime" in reasons[9]

    # Conflicts took nothing: their seats are as they were.
    now = states(terminal)
    assert now[never_leased]["state"] == "free"
    assert now[other_lease["seats"][0]]["leased_to"] == terminal2.id
    assert now[seats[1]]["state"] == now[seats[2]]["state"] == "leased"
    assert now[seats[0]]["state"] == now[seats[4]]["state"] == "sold"
    # A conflict is judged afresh when sent again, and stays a conflict.
    assert upload(terminal, cheap)[0]["result"] == "conflict"


def test_a_cancelled_key_is_refused(terminal) -> None:
    lease = _lease(terminal, 2)
    price = showtime(terminal)["prices"]["adult"]
    sale = offline_sale(
        terminal, lease, lease["seats"][:1], starts_at=starts_at(terminal), price=price
    )
    ok(terminal.post("/v1/sales/cancellations", {"idempotency_key": sale.idempotency_key}))
    result = upload(terminal, sale)[0]
    assert result["result"] == "conflict" and "cancel" in result["reason"]
    assert states(terminal)[lease["seats"][0]]["state"] == "leased"


def test_an_offline_sale_counts_at_its_own_time(terminal, tmp_path) -> None:
    """sold_at is when the customer paid, not when the sale reached the central: a shift report
    for the hours the terminal was offline must include it."""
    lease = _lease(terminal, 2)
    price = showtime(terminal)["prices"]["adult"]
    earlier = datetime.now(UTC) - timedelta(hours=5)
    with sqlite3.connect(tmp_path / "central.db") as db:  # the lease was taken that morning
        db.execute(
            "UPDATE leases SET created_at = ? WHERE id = ?",
            (iso(earlier - timedelta(hours=1)), lease["id"]),
        )
    sale = offline_sale(
        terminal,
        lease,
        lease["seats"][:1],
        starts_at=starts_at(terminal),
        price=price,
        sold_at=earlier,
    )
    assert upload(terminal, sale)[0]["result"] == "accepted"
    report = {
        "kind": "shift",
        "report_id": new_key(),
        "business_date": earlier.date().isoformat(),
        "opened_at": (earlier - timedelta(minutes=1)).isoformat(),
        "closed_at": (earlier + timedelta(minutes=1)).isoformat(),
        "sales_count": 1,
        "gross": price,
        "refunds": 0,
        "by_payment": {"cash": price},
        "sales": [{"idempotency_key": sale.idempotency_key, "total": price, "status": "paid"}],
    }
    answer = ok(terminal.post("/v1/reconciliations", report))
    assert answer["central_sales_count"] == 1 and answer["central_gross"] == price
    assert answer["differences"] == []


def _signed(term, sale: OfflineSale, tickets: list[tuple[str, str]]) -> OfflineSale:
    """`sale` with tickets (id, seat) of its own choosing, every code and the sale re-signed
    with the terminal's key: a sale only a buggy terminal would make."""
    claims = [
        TicketClaim(
            ticket_id=ticket_id,
            showtime_id=sale.showtime_id,
            seat=seat,
            ticket_type=sale.tickets[0].ticket_type,
            starts_at=starts_at(term),
            key_id=term.id,
            channel="offline",
        )
        for ticket_id, seat in tickets
    ]
    price = sale.tickets[0].price
    unsigned = sale.model_copy(
        update={
            "tickets": [
                OfflineTicket(
                    id=c.ticket_id,
                    seat=c.seat,
                    ticket_type=c.ticket_type,
                    price=price,
                    code=sign_ticket(c, term.key),
                )
                for c in claims
            ],
            "payments": [Payment(method=PaymentMethod.CASH, amount=price * len(claims))],
            "signature": "",
        }
    )
    signing = offline_sale_signing_bytes(unsigned.model_dump(mode="json"))
    return unsigned.model_copy(update={"signature": b64e(term.key.sign(signing))})


def test_a_batch_sees_its_own_earlier_sales(terminal) -> None:
    lease = _lease(terminal, 4)
    price = showtime(terminal)["prices"]["adult"]
    at = starts_at(terminal)
    seats = lease["seats"]
    first = offline_sale(terminal, lease, seats[:1], starts_at=at, price=price)
    same_seat = offline_sale(terminal, lease, seats[:1], starts_at=at, price=price)
    other = offline_sale(terminal, lease, seats[1:2], starts_at=at, price=price)
    results = upload(terminal, first, first, same_seat, other)
    assert [r["result"] for r in results] == ["accepted", "duplicate", "conflict", "accepted"]
    assert results[1]["sale_id"] == results[0]["sale_id"]
    assert results[2]["reason"] == f"seat {seats[0]} is already sold"
    now = states(terminal)
    assert now[seats[0]]["state"] == now[seats[1]]["state"] == "sold"
    assert now[seats[2]]["state"] == "leased"


def test_a_row_the_database_refuses_is_that_sales_conflict_only(terminal) -> None:
    lease = _lease(terminal, 6)
    price = showtime(terminal)["prices"]["adult"]
    at = starts_at(terminal)
    seats = lease["seats"]
    taken = offline_sale(terminal, lease, seats[:1], starts_at=at, price=price)
    assert upload(terminal, taken)[0]["result"] == "accepted"

    good = offline_sale(terminal, lease, seats[1:2], starts_at=at, price=price)
    base = offline_sale(terminal, lease, seats[2:3], starts_at=at, price=price)
    seat_twice = _signed(terminal, base, [("OTTWICE0001", seats[2]), ("OTTWICE0002", seats[2])])
    base = offline_sale(terminal, lease, seats[3:4], starts_at=at, price=price)
    reused_id = _signed(terminal, base, [(taken.tickets[0].id, seats[3])])
    also_good = offline_sale(terminal, lease, seats[4:5], starts_at=at, price=price)
    results = upload(terminal, good, seat_twice, reused_id, also_good)
    assert [r["result"] for r in results] == ["accepted", "conflict", "conflict", "accepted"]
    assert results[1]["reason"] == "UNIQUE constraint failed: tickets.showtime_id, tickets.seat"
    assert results[2]["reason"] == "UNIQUE constraint failed: tickets.id"
    now = states(terminal)
    assert now[seats[1]]["state"] == now[seats[4]]["state"] == "sold"
    assert now[seats[2]]["state"] == now[seats[3]]["state"] == "leased"
    # The batch again: what was taken is a duplicate, what was refused is refused again.
    again = upload(terminal, good, seat_twice, reused_id, also_good)
    assert [r["result"] for r in again] == ["duplicate", "conflict", "conflict", "duplicate"]
    assert [r["reason"] for r in again[1:3]] == [r["reason"] for r in results[1:3]]


def test_a_sale_outside_the_lease_life_or_by_a_stranger_is_a_conflict(terminal) -> None:
    """sold_at before the lease was granted, after the showtime's sales closed, or a cashier
    the cinema does not have: each is a conflict with its reason, never counted silently."""
    lease = _lease(terminal, 4)
    price = showtime(terminal)["prices"]["adult"]
    at = starts_at(terminal)
    start = datetime.fromtimestamp(at, UTC)
    seats = lease["seats"]
    early = offline_sale(
        terminal,
        lease,
        seats[:1],
        starts_at=at,
        price=price,
        sold_at=datetime.now(UTC) - timedelta(hours=2),
    )
    late = offline_sale(
        terminal,
        lease,
        seats[1:2],
        starts_at=at,
        price=price,
        sold_at=start + timedelta(minutes=40),
    )
    stranger = offline_sale(
        terminal, lease, seats[2:3], starts_at=at, price=price, cashier_id="x99"
    )
    fine = offline_sale(terminal, lease, seats[3:4], starts_at=at, price=price)
    results = upload(terminal, early, late, stranger, fine)  # fmt: skip
    assert [r["result"] for r in results] == ["conflict", "conflict", "conflict", "accepted"]
    assert [r["reason"] for r in results[:3]] == [
        "sold before the lease was granted",
        "sold after sales for the showtime had closed",
        "cashier x99 is not on the staff list",
    ]
