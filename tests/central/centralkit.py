"""Helpers for the reference central's tests (imported as `centralkit`: tests/ is not a
package): seat maps, sale and offline-sale bodies built from what the central itself publishes
(prices, layouts, keys), never hard-coded."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from contract.models import OfflineSale, OfflineTicket, Payment, PaymentMethod
from contract.ticket_code import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
    TicketClaim,
    b64e,
    offline_sale_signing_bytes,
    public_key_from_text,
    sign_ticket,
)


def _root_conftest() -> Any:
    """tests/ is not a package, so `conftest` is ambiguous here; load the root one by path to
    share its `enroll` and `EnrolledTerminal` rather than copy them."""
    spec = importlib.util.spec_from_file_location(
        "_tests_root_conftest", Path(__file__).resolve().parent.parent / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


_root = _root_conftest()
SEEDS: Path = _root.SEEDS
EnrolledTerminal = _root.EnrolledTerminal
enroll = _root.enroll
tomorrow_in_shanghai = _root.tomorrow_in_shanghai

SHOWTIME = "st-013"
"""A regular-price showtime in the 738-seat auditorium, around noon of tomorrow's day."""


def new_key() -> str:
    return uuid.uuid4().hex


def error_of(resp: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The answer is the given status with a JSON {code, message} body; returns the body."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    assert resp.headers["content-type"].startswith("application/json"), resp.headers
    body = resp.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("code"), str) and body["code"], body
    assert isinstance(body.get("message"), str) and body["message"], body
    if code is not None:
        assert body["code"] == code, body
    return body


def ok(resp: httpx.Response, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    return resp.json() if resp.content else None


def schedule(term: EnrolledTerminal) -> dict[str, Any]:
    return ok(term.client.get("/v1/schedule"))


def showtime(term: EnrolledTerminal, showtime_id: str = SHOWTIME) -> dict[str, Any]:
    found = [s for s in schedule(term)["showtimes"] if s["id"] == showtime_id]
    assert len(found) == 1, showtime_id
    return found[0]


def seat_map(term: EnrolledTerminal, showtime_id: str = SHOWTIME) -> dict[str, Any]:
    return ok(term.client.get(f"/v1/showtimes/{showtime_id}/seats"))


def states(term: EnrolledTerminal, showtime_id: str = SHOWTIME) -> dict[str, dict[str, Any]]:
    """label -> {state, leased_to}"""
    return {s["label"]: s for s in seat_map(term, showtime_id)["seats"]}


def kinds(term: EnrolledTerminal, showtime_id: str = SHOWTIME) -> dict[str, str]:
    return {s["label"]: s["kind"] for s in seat_map(term, showtime_id)["auditorium"]["seats"]}


def free_standard_seats(
    term: EnrolledTerminal, count: int, showtime_id: str = SHOWTIME, skip: int = 0
) -> list[str]:
    """`count` free standard seats of the showtime, in layout order, after skipping `skip`."""
    layout = seat_map(term, showtime_id)
    state = {s["label"]: s["state"] for s in layout["seats"]}
    labels = [
        s["label"]
        for s in layout["auditorium"]["seats"]
        if s["kind"] == "standard" and state[s["label"]] == "free"
    ][skip : skip + count]
    assert len(labels) == count, "not enough free seats in the seeded showtime"
    return labels


def sale_body(
    term: EnrolledTerminal,
    seats: list[str],
    showtime_id: str = SHOWTIME,
    ticket_type: str = "adult",
    hold_id: str | None = None,
    method: str = "cash",
) -> dict[str, Any]:
    price = showtime(term, showtime_id)["prices"][ticket_type]
    body: dict[str, Any] = {
        "showtime_id": showtime_id,
        "cashier_id": "c01",
        "lines": [{"seat": s, "ticket_type": ticket_type, "price": price} for s in seats],
        "payments": [{"method": method, "amount": price * len(seats)}],
    }
    if hold_id is not None:
        body["hold_id"] = hold_id
    return body


def key_ring(term: EnrolledTerminal) -> dict[str, Ed25519PublicKey]:
    ring = ok(term.client.get("/v1/keys"))["keys"]
    return {k["key_id"]: public_key_from_text(k["public_key"]) for k in ring}


def offline_sale(
    term: EnrolledTerminal,
    lease: dict[str, Any],
    seats: list[str],
    *,
    starts_at: int,
    price: int,
    ticket_type: str = "adult",
    key: str | None = None,
    ticket_signer: Ed25519PrivateKey | None = None,
    sale_signer: Ed25519PrivateKey | None = None,
    sold_at: datetime | None = None,
    showtime_id: str | None = None,
    cashier_id: str = "c01",
) -> OfflineSale:
    """An offline sale exactly as a terminal builds it: tickets signed with its own key (key id
    = terminal id), the sale signed over its model dump without the signature."""
    st = showtime_id or lease["showtime_id"]
    tickets = []
    for seat in seats:
        ticket_id = "OT" + uuid.uuid4().hex[:12].upper()
        claim = TicketClaim(
            ticket_id=ticket_id,
            showtime_id=st,
            seat=seat,
            ticket_type=ticket_type,
            starts_at=starts_at,
            key_id=term.id,
            channel="offline",
        )
        tickets.append(
            OfflineTicket(
                id=ticket_id,
                seat=seat,
                ticket_type=ticket_type,
                price=price,
                code=sign_ticket(claim, ticket_signer or term.key),
            )
        )
    sale = OfflineSale(
        idempotency_key=key or new_key(),
        lease_id=lease["id"],
        showtime_id=st,
        cashier_id=cashier_id,
        sold_at=sold_at or datetime.now(UTC),
        tickets=tickets,
        payments=[Payment(method=PaymentMethod.CASH, amount=price * len(seats))],
        signature="",
    )
    signer = sale_signer or term.key
    signature = b64e(signer.sign(offline_sale_signing_bytes(sale.model_dump(mode="json"))))
    return sale.model_copy(update={"signature": signature})


def upload(term: EnrolledTerminal, *sales: OfflineSale) -> list[dict[str, Any]]:
    resp = term.post("/v1/offline-sales", {"sales": [s.model_dump(mode="json") for s in sales]})
    results = ok(resp)["results"]
    assert [r["idempotency_key"] for r in results] == [s.idempotency_key for s in sales]
    return results


def starts_at(term: EnrolledTerminal, showtime_id: str = SHOWTIME) -> int:
    return int(datetime.fromisoformat(showtime(term, showtime_id)["start"]).timestamp())


def seeds_dir() -> Path:
    return SEEDS
