"""One Idempotency-Key, one effect: repeats (one after another or all at once) return the first
result; the same key on a different request is refused."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from centralkit import (
    SHOWTIME,
    enroll,
    error_of,
    free_standard_seats,
    new_key,
    ok,
    sale_body,
    showtime,
    states,
)


def _sales_count(term) -> int:
    """The central's own count of this terminal's live sales in the last hours."""
    report = {
        "kind": "shift",
        "report_id": new_key(),
        "business_date": "2000-01-01",
        "opened_at": "2000-01-01T00:00:00Z",
        "closed_at": "2100-01-01T00:00:00Z",
        "sales_count": 0,
        "gross": 0,
        "refunds": 0,
        "by_payment": {},
        "sales": [],
    }
    return ok(term.post("/v1/reconciliations", report))["central_sales_count"]


def test_same_sale_five_times_in_a_row_and_at_once(central, terminal) -> None:
    before = showtime(terminal)["free"]
    seats = free_standard_seats(terminal, 2)
    body = sale_body(terminal, seats)
    key = new_key()
    answers = [ok(terminal.post("/v1/sales", body, key=key)) for _ in range(5)]
    assert len({a["id"] for a in answers}) == 1
    assert all(a == answers[0] for a in answers)

    seats2 = free_standard_seats(terminal, 3)
    body2 = sale_body(terminal, seats2)
    key2 = new_key()
    barrier = threading.Barrier(5)

    def send() -> httpx.Response:
        with httpx.Client(
            base_url=central.url, headers={"Authorization": f"Bearer {terminal.token}"}
        ) as client:
            barrier.wait()
            return client.post("/v1/sales", json=body2, headers={"Idempotency-Key": key2})

    with ThreadPoolExecutor(5) as pool:
        concurrent = [ok(f.result()) for f in [pool.submit(send) for _ in range(5)]]
    assert len({a["id"] for a in concurrent}) == 1
    assert concurrent[0]["id"] != answers[0]["id"]

    # Seats sold once: five fewer free seats, two sales in all, no second ticket anywhere.
    now = states(terminal)
    assert all(now[s]["state"] == "sold" for s in seats + seats2)
    assert showtime(terminal)["free"] == before - 5
    assert _sales_count(terminal) == 2
    by_key = ok(terminal.client.get(f"/v1/sales/by-key/{key2}"))
    assert by_key["id"] == concurrent[0]["id"] and len(by_key["tickets"]) == 3


def test_same_key_different_request_is_refused(terminal, terminal2) -> None:
    seats = free_standard_seats(terminal, 2)
    key = new_key()
    first = ok(terminal.post("/v1/sales", sale_body(terminal, seats[:1]), key=key))
    error_of(
        terminal.post("/v1/sales", sale_body(terminal, seats[1:]), key=key),
        422,
        "IDEMPOTENCY_KEY_REUSED",
    )
    error_of(
        terminal.post("/v1/holds", {"showtime_id": SHOWTIME, "seats": seats[1:]}, key=key),
        422,
        "IDEMPOTENCY_KEY_REUSED",
    )
    assert states(terminal)[seats[1]]["state"] == "free"
    # Keys belong to their terminal: another terminal may use the same text for its own sale.
    other = ok(terminal2.post("/v1/sales", sale_body(terminal2, seats[1:]), key=key))
    assert other["id"] != first["id"]
    assert ok(terminal.client.get(f"/v1/sales/by-key/{key}"))["id"] == first["id"]


def test_failed_attempts_are_not_remembered(terminal, terminal2) -> None:
    """A refused request changed nothing, so the same key may be tried again and judged afresh."""
    seats = free_standard_seats(terminal, 1)
    hold = ok(terminal2.post("/v1/holds", {"showtime_id": SHOWTIME, "seats": seats}))
    key = new_key()
    error_of(terminal.post("/v1/sales", sale_body(terminal, seats), key=key), 409, "SEAT_TAKEN")
    terminal2.client.delete(f"/v1/holds/{hold['id']}").raise_for_status()
    assert ok(terminal.post("/v1/sales", sale_body(terminal, seats), key=key))["status"] == "paid"


def test_holds_leases_refunds_pickups_replay(central, terminal) -> None:
    seats = free_standard_seats(terminal, 2)
    key = new_key()
    hold = {"showtime_id": SHOWTIME, "seats": seats}
    assert ok(terminal.post("/v1/holds", hold, key=key)) == ok(
        terminal.post("/v1/holds", hold, key=key)
    )
    key = new_key()
    lease = ok(terminal.post("/v1/leases", {"showtime_id": SHOWTIME, "count": 3}, key=key))
    again = ok(terminal.post("/v1/leases", {"showtime_id": SHOWTIME, "count": 3}, key=key))
    assert again["id"] == lease["id"] and len(again["seats"]) == 3
    key = new_key()
    top = ok(terminal.post(f"/v1/leases/{lease['id']}/top-ups", {"count": 2}, key=key))
    top2 = ok(terminal.post(f"/v1/leases/{lease['id']}/top-ups", {"count": 2}, key=key))
    assert len(top["seats"]) == len(top2["seats"]) == 5

    other = enroll(central, 1)
    try:
        sale = ok(other.post("/v1/sales", sale_body(other, free_standard_seats(other, 2))))
        key = new_key()
        refund = other.post(f"/v1/sales/{sale['id']}/refunds", {}, key=key)
        assert ok(refund) == ok(other.post(f"/v1/sales/{sale['id']}/refunds", {}, key=key))
    finally:
        other.client.close()
