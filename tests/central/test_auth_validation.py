"""Who may call what, and what the central says to a bad request: always a 4xx with a JSON
{code, message}, never a 500. Routes come from the central's own OpenAPI document."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from centralkit import (
    SHOWTIME,
    enroll,
    error_of,
    free_standard_seats,
    new_key,
    ok,
    sale_body,
)

from central.app import MAX_BODY
from central.db import Database
from central.terminals import issue_code
from contract.ticket_code import new_private_key, public_key_text


def _routes(url: str) -> list[tuple[str, str, set[str]]]:
    """(method, path with dummy path params, names of header parameters) for every route."""
    doc = ok(httpx.get(f"{url}/openapi.json"))
    out = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            headers = {p["name"].lower() for p in op.get("parameters", []) if p["in"] == "header"}
            concrete = path
            for p in op.get("parameters", []):
                if p["in"] == "path":
                    concrete = concrete.replace("{" + p["name"] + "}", "X1")
            out.append((method.upper(), concrete, headers))
    return out


def test_open_routes_need_no_token(module_central) -> None:
    url = module_central.url
    assert ok(httpx.get(f"{url}/v1/health"))["status"] == "ok"
    doc = ok(httpx.get(f"{url}/openapi.json"))
    assert doc["info"]["version"] == "1" and "/v1/sales" in doc["paths"]
    info = module_central.info()["terminals"][3]
    body = {"code": info["enrollment_code"], "public_key": public_key_text(new_private_key())}
    assert ok(httpx.post(f"{url}/v1/enrollments", json=body))["terminal_id"] == info["id"]


def test_bad_enrollment(module_central) -> None:
    url = module_central.url
    key = public_key_text(new_private_key())
    resp = httpx.post(f"{url}/v1/enrollments", json={"code": "ENROLL-NOPE", "public_key": key})
    error_of(resp, 403, "BAD_ENROLLMENT_CODE")
    code = module_central.info()["terminals"][3]["enrollment_code"]
    bad_key = "A" * 44  # base64 of 33 bytes, not a 32-byte key
    resp = httpx.post(f"{url}/v1/enrollments", json={"code": code, "public_key": bad_key})
    error_of(resp, 422, "BAD_PUBLIC_KEY")
    error_of(httpx.post(f"{url}/v1/enrollments", json={"code": code}), 422, "INVALID_REQUEST")


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "bearer x"],
)
def test_every_terminal_route_refuses_a_missing_or_bad_token(module_central, authorization) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    headers["Idempotency-Key"] = new_key()
    routes = [r for r in _routes(module_central.url) if "authorization" in r[2]]
    assert len(routes) >= 18
    with httpx.Client(base_url=module_central.url) as client:
        for method, path, _ in routes:
            body = {} if method in ("POST", "PUT") else None
            resp = client.request(method, path, json=body, headers=headers)
            err = error_of(resp, 401)
            assert err["code"] in ("NO_TOKEN", "BAD_TOKEN"), (method, path, err)


def test_re_enrollment_retires_the_old_token(central) -> None:
    old = enroll(central, 2)
    ok(old.client.get("/v1/keys"))
    issue_code(Database(central.db_path), central.info()["terminals"][2]["id"])  # IT's step
    new = enroll(central, 2)
    try:
        error_of(old.client.get("/v1/keys"), 401, "BAD_TOKEN")
        ok(new.client.get("/v1/keys"))
    finally:
        old.client.close()
        new.client.close()


def test_every_mutating_route_needs_an_idempotency_key(module_terminal, module_central) -> None:
    routes = [r for r in _routes(module_central.url) if "idempotency-key" in r[2]]
    assert {p for _, p, _ in routes} >= {"/v1/holds", "/v1/sales", "/v1/leases"}
    for key in (
        None,
        "short",
        "has spaces in it",
        "ü".encode() * 10,
        "k" * 81,
        "{" + "a" * 10 + "}",
    ):
        headers = {} if key is None else {"Idempotency-Key": key}
        for method, path, _ in routes:
            resp = module_terminal.client.request(
                method, path, content=json.dumps({}).encode("utf-8"), headers=headers
            )
            error_of(resp, 400, "IDEMPOTENCY_KEY_REQUIRED")


def test_a_key_with_odd_characters_is_refused_before_the_sale(terminal) -> None:
    """The key is echoed back in the Sale, whose model allows only [A-Za-z0-9_.:-]."""
    seats = free_standard_seats(terminal, 1)
    resp = terminal.post("/v1/sales", sale_body(terminal, seats), key="till 3 / sale 17")
    error_of(resp, 400, "IDEMPOTENCY_KEY_REQUIRED")
    assert ok(terminal.post("/v1/sales", sale_body(terminal, seats), key="till-3:sale.17"))


def test_what_belongs_to_another_terminal_is_403(terminal, terminal2) -> None:
    lease = ok(terminal.post("/v1/leases", {"showtime_id": SHOWTIME, "count": 3}))
    sale = ok(terminal.post("/v1/sales", sale_body(terminal, free_standard_seats(terminal, 1))))
    hold = ok(
        terminal.post(
            "/v1/holds", {"showtime_id": SHOWTIME, "seats": free_standard_seats(terminal, 1)}
        )
    )
    for resp in (
        terminal2.post(f"/v1/leases/{lease['id']}/releases", {}),
        terminal2.post(f"/v1/leases/{lease['id']}/releases", {"seats": lease["seats"][:1]}),
        terminal2.post(f"/v1/leases/{lease['id']}/top-ups", {"count": 1}),
        terminal2.post(f"/v1/sales/{sale['id']}/refunds", {}),
        terminal2.client.get(f"/v1/sales/{sale['id']}"),
        terminal2.client.delete(f"/v1/holds/{hold['id']}"),
    ):
        error_of(resp, 403, "NOT_YOURS")
    # Nothing changed.
    assert len(ok(terminal.client.get("/v1/leases"))[0]["seats"]) == 3
    assert ok(terminal.client.get(f"/v1/sales/{sale['id']}"))["status"] == "paid"
    # A key of another terminal's sale says nothing about it.
    error_of(terminal2.client.get(f"/v1/sales/by-key/{sale['idempotency_key']}"), 404)
    result = ok(
        terminal2.post("/v1/sales/cancellations", {"idempotency_key": sale["idempotency_key"]})
    )
    assert result["outcome"] == "tombstoned"
    assert ok(terminal.client.get(f"/v1/sales/{sale['id']}"))["status"] == "paid"


def _sale(module_terminal, seat: str) -> dict[str, Any]:
    return sale_body(module_terminal, [seat])


BAD_SALES: list[tuple[str, Any, int, str | None]] = [
    # (what, change to a good body, status, code)
    ("seats not a list", {"lines": "A1"}, 422, "INVALID_REQUEST"),
    (
        "price as text",
        {"lines": [{"seat": "$", "ticket_type": "adult", "price": "abc"}]},
        422,
        "INVALID_REQUEST",
    ),
    (
        "negative price",
        {"lines": [{"seat": "$", "ticket_type": "adult", "price": -1}]},
        422,
        "INVALID_REQUEST",
    ),
    (
        "float price",
        {"lines": [{"seat": "$", "ticket_type": "adult", "price": 0.5}]},
        422,
        "INVALID_REQUEST",
    ),
    (
        "huge price",
        {"lines": [{"seat": "$", "ticket_type": "adult", "price": 10**30}]},
        422,
        "INVALID_REQUEST",
    ),
    (
        "unknown seat",
        {"lines": [{"seat": "ZZ999", "ticket_type": "adult", "price": "@"}]},
        422,
        "UNKNOWN_SEAT",
    ),
    (
        "badly formed seat",
        {"lines": [{"seat": "a-1", "ticket_type": "adult", "price": "@"}]},
        422,
        "INVALID_REQUEST",
    ),
    (
        "unknown ticket type",
        {"lines": [{"seat": "$", "ticket_type": "pirate", "price": "@"}]},
        422,
        "UNKNOWN_TICKET_TYPE",
    ),
    (
        "wrong price",
        {"lines": [{"seat": "$", "ticket_type": "adult", "price": 1}]},
        422,
        "PRICE_MISMATCH",
    ),
    ("payments short", {"payments": [{"method": "cash", "amount": 1}]}, 422, "PAYMENT_MISMATCH"),
    (
        "payments over",
        {"payments": [{"method": "cash", "amount": "@"}, {"method": "card", "amount": 1}]},
        422,
        "PAYMENT_MISMATCH",
    ),
    ("no payments", {"payments": []}, 422, "INVALID_REQUEST"),
    ("bad method", {"payments": [{"method": "iou", "amount": "@"}]}, 422, "INVALID_REQUEST"),
    ("no lines", {"lines": []}, 422, "INVALID_REQUEST"),
    (
        "same seat twice",
        {
            "lines": [{"seat": "$", "ticket_type": "adult", "price": "@"}] * 2,
            "payments": [{"method": "cash", "amount": "@@"}],
        },
        422,
        "DUPLICATE_SEAT",
    ),
    ("unknown field", {"discount": 10}, 422, "INVALID_REQUEST"),
    ("unknown showtime", {"showtime_id": "st-999"}, 404, "SHOWTIME_NOT_FOUND"),
    ("someone else's hold", {"hold_id": "H000000000000"}, 422, "UNKNOWN_HOLD"),
    ("body is a list", [], 422, "INVALID_REQUEST"),
    ("body is null", None, 422, "INVALID_REQUEST"),
]


@pytest.mark.parametrize(
    ("what", "change", "status", "code"), BAD_SALES, ids=[b[0] for b in BAD_SALES]
)
def test_bad_sales_are_4xx_with_a_code(module_terminal, what, change, status, code) -> None:
    seat = free_standard_seats(module_terminal, 1, showtime_id="st-038")[0]
    good = sale_body(module_terminal, [seat], showtime_id="st-038")
    price = good["lines"][0]["price"]
    if isinstance(change, dict):
        text = json.dumps(change).replace('"$"', json.dumps(seat))
        text = text.replace('"@@"', str(2 * price)).replace('"@"', str(price))
        body: Any = good | json.loads(text)
    else:
        body = change
    resp = module_terminal.post("/v1/sales", body)
    error_of(resp, status, code)
    states = {
        s["label"]: s["state"]
        for s in ok(module_terminal.client.get("/v1/showtimes/st-038/seats"))["seats"]
    }
    assert states[seat] == "free", what


def test_unreadable_bodies(module_terminal) -> None:
    post = module_terminal.client.post
    key = {"Idempotency-Key": new_key()}
    for content, ctype in [
        (b"{not json", "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"\xff\xfe\x00garbage", "text/plain"),
        (b"showtime_id=st-001", "application/x-www-form-urlencoded"),
        (b"", "application/json"),
        (b'{"showtime_id": "st-001", "seats": ["A1"]', "application/json"),
        (json.dumps({"a": [[[[[[[[[[[]]]]]]]]]]]}).encode(), "application/json"),
        (b"[" * 5000 + b"]" * 5000, "application/json"),
        # Python's json reads these; echoing them back in the error detail must not break.
        (b'{"showtime_id": "st-001", "seats": [NaN], "ttl_seconds": Infinity}', "application/json"),
        (b'{"sales": -Infinity, "gross": 1e999}', "application/json"),
    ]:
        for path in ("/v1/sales", "/v1/holds", "/v1/offline-sales", "/v1/reconciliations"):
            resp = post(path, content=content, headers=key | {"content-type": ctype})
            assert 400 <= resp.status_code < 500, (path, content[:30], resp.text[:300])
            error_of(resp, resp.status_code)
    resp = module_terminal.client.put(
        "/v1/drill",
        content=b'{"outage": {"starts_in_s": NaN, "length_s": -Infinity}}',
        headers={"content-type": "application/json"},
    )
    error_of(resp, 422, "INVALID_REQUEST")


def test_oversized_bodies_are_413(module_terminal) -> None:
    big = json.dumps({"showtime_id": SHOWTIME, "pad": "x" * (MAX_BODY + 1)}).encode()
    key = {"Idempotency-Key": new_key(), "content-type": "application/json"}
    error_of(
        module_terminal.client.post("/v1/sales", content=big, headers=key), 413, "BODY_TOO_LARGE"
    )

    def chunks():  # no Content-Length: the limit must count what actually arrives
        for i in range(0, len(big), 64 * 1024):
            yield big[i : i + 64 * 1024]

    resp = module_terminal.client.post("/v1/offline-sales", content=chunks(), headers=key)
    error_of(resp, 413, "BODY_TOO_LARGE")
    # Just under the limit is read and judged on its merits.
    small = json.dumps({"showtime_id": SHOWTIME, "pad": "x" * (MAX_BODY - 100)}).encode()
    resp = module_terminal.client.post("/v1/sales", content=small, headers=key)
    error_of(resp, 422, "INVALID_REQUEST")


def test_other_bad_requests(module_terminal) -> None:
    t = module_terminal
    error_of(t.client.get("/v1/showtimes/st-999/seats"), 404, "SHOWTIME_NOT_FOUND")
    error_of(t.client.get("/v1/sales/S-NOPE"), 404, "SALE_NOT_FOUND")
    error_of(t.client.get("/v1/schedule", params={"day": "tomorrow"}), 422, "INVALID_REQUEST")
    error_of(t.client.get("/v1/bookings", params={"day": "2026-02-30"}), 422, "INVALID_REQUEST")
    error_of(t.client.get("/v1/no-such-route"), 404)
    error_of(t.client.delete("/v1/sales"), 405)
    error_of(t.client.delete("/v1/holds/H-NOPE"), 404)
    for body in (
        {"showtime_id": SHOWTIME, "seats": []},
        {"showtime_id": SHOWTIME, "seats": ["A1"], "ttl_seconds": 1},
        {"showtime_id": SHOWTIME, "seats": ["A1"] * 51},
        {"showtime_id": SHOWTIME, "seats": "A1"},
    ):
        error_of(t.post("/v1/holds", body), 422, "INVALID_REQUEST")
    error_of(t.post("/v1/holds", {"showtime_id": SHOWTIME, "seats": ["ZZ1"]}), 422, "UNKNOWN_SEAT")
    for body in ({"showtime_id": SHOWTIME, "count": 0}, {"showtime_id": SHOWTIME, "count": 51}):
        error_of(t.post("/v1/leases", body), 422, "INVALID_REQUEST")
    error_of(t.post("/v1/leases", {"showtime_id": "st-999", "count": 1}), 404)
    error_of(t.post("/v1/leases/L-NOPE/top-ups", {"count": 1}), 404, "LEASE_NOT_FOUND")
    error_of(t.post("/v1/leases/L-NOPE/releases", {}), 404, "LEASE_NOT_FOUND")
    error_of(t.post("/v1/sales/S-NOPE/refunds", {}), 404, "SALE_NOT_FOUND")
    error_of(t.post("/v1/sales/cancellations", {"idempotency_key": "short"}), 422)
    error_of(t.post("/v1/bookings/NOPE00/pickups", {"cashier_id": "c01"}), 404)
    error_of(t.post("/v1/offline-sales", {"sales": []}), 422, "INVALID_REQUEST")
    error_of(t.post("/v1/reconciliations", {"kind": "week"}), 422, "INVALID_REQUEST")
    error_of(t.client.put("/v1/drill", json={}), 403, "DRILL_DISABLED")
