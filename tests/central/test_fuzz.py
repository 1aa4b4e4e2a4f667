"""A bounded hypothesis run against every GET/POST/PUT route of the central's OpenAPI document:
bodies built from the document's own schemas (so many get past validation into the code behind
it), mixed with real ids, garbage JSON and raw bytes; random path parameters and query strings.
With a valid token and key, the central must never answer 5xx, and every error is JSON."""

from __future__ import annotations

import json
import string
import uuid
from collections.abc import Iterator
from datetime import UTC
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from centralkit import enroll, ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES_PER_ROUTE = 20

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
HEADER_CHARS = string.ascii_letters + string.digits + string.punctuation + " "
IDENT = st.from_regex(r"[A-Za-z0-9_.:-]{1,24}", fullmatch=True)
ODD_TEXT = st.text(max_size=30) | st.sampled_from(["", " ", "..", "%", "null", "💥", "A1/../x"])


def known_values(central_url: str, token: str) -> dict[str, st.SearchStrategy[Any]]:
    """Real ids and values by property name, so generated bodies often reach the logic."""
    with httpx.Client(base_url=central_url, headers={"Authorization": f"Bearer {token}"}) as c:
        sched = ok(c.get("/v1/schedule"))
        codes = [b["code"] for b in ok(c.get("/v1/bookings"))]
    showtimes = [s["id"] for s in sched["showtimes"]]
    prices = sorted({p for s in sched["showtimes"] for p in s["prices"].values()})
    types = [t["code"] for t in sched["ticket_types"]]
    seats = [f"{r}{n}" for r in "ABCDEFGHIJ" for n in range(1, 13)]
    return {
        "showtime_id": st.sampled_from(showtimes),
        "seat": st.sampled_from(seats),
        "seats": st.lists(st.sampled_from(seats), min_size=1, max_size=4),
        "ticket_type": st.sampled_from(types),
        "price": st.sampled_from(prices),
        "amount": st.sampled_from(prices + [2 * p for p in prices]),
        "cashier_id": st.sampled_from(["c01", "c02", "s01"]),
        "code": st.sampled_from(codes),
        "count": st.integers(1, 5),
        "kind": st.sampled_from(["shift", "day"]),
    }


def from_schema(
    schema: dict[str, Any], doc: dict[str, Any], hints: dict[str, Any], depth: int = 0
) -> st.SearchStrategy[Any]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return from_schema(doc["components"]["schemas"][name], doc, hints, depth)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return st.one_of([from_schema(s, doc, hints, depth) for s in schema[key]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if depth > 4 or kind is None:
        return JSON
    if kind == "object":
        props = schema.get("properties", {})
        if not props:
            return st.dictionaries(st.text(max_size=8), st.integers(-5, 10**8), max_size=3)

        def prop(name: str, sub: dict[str, Any]) -> st.SearchStrategy[Any]:
            own = from_schema(sub, doc, hints, depth + 1)
            if name in hints:
                own = hints[name] | own
            return own | own | JSON  # mostly well-formed, sometimes garbage

        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {n: prop(n, s) for n, s in props.items() if n in required},
            optional={n: prop(n, s) for n, s in props.items() if n not in required}
            | {"unexpected": JSON},
        )
    if kind == "array":
        low = schema.get("minItems", 0)
        high = min(schema.get("maxItems", 6), low + 5)
        return st.lists(
            from_schema(schema.get("items", {}), doc, hints, depth + 1), min_size=low, max_size=high
        )
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return st.dates().map(lambda d: d.isoformat())
        if fmt == "date-time":
            return st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
        if "pattern" in schema:
            low, high = schema.get("minLength", 0), schema.get("maxLength", 100)
            return st.from_regex(schema["pattern"], fullmatch=True).filter(
                lambda s: low <= len(s) <= high
            )
        return st.text(max_size=min(schema.get("maxLength", 40), 40))
    if kind == "integer":
        return st.integers(
            min_value=int(schema.get("minimum", -(2**40))),
            max_value=int(schema.get("maximum", 2**40)),
        )
    if kind == "number":
        return st.floats(
            min_value=schema.get("minimum"), max_value=schema.get("maximum"), allow_nan=False
        )
    if kind == "boolean":
        return st.booleans()
    return st.none()


@pytest.fixture(scope="module")
def target(module_central) -> Iterator[tuple[Any, Any, dict[str, Any], dict[str, Any]]]:
    term = enroll(module_central, 0)
    doc = ok(httpx.get(f"{module_central.url}/openapi.json"))
    yield module_central, term, doc, known_values(module_central.url, term.token)
    term.client.close()


def _fuzz_route(
    term: Any,
    method: str,
    path: str,
    op: dict[str, Any],
    doc: dict[str, Any],
    hints: dict[str, Any],
    seen: dict[str, set[int]],
) -> None:
    path_params = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
    query_params = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    body = from_schema(schema, doc, hints) if schema else JSON
    raw = st.tuples(
        st.binary(max_size=200),
        st.sampled_from(["application/json", "text/plain", "application/octet-stream", ""]),
    )
    query = st.dictionaries(
        st.sampled_from([*query_params, "x", "day", "limit"]),
        st.dates().map(str) | ODD_TEXT,
        max_size=3,
    )
    segment = IDENT | ODD_TEXT | hints["showtime_id"] | hints["code"]

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        segments=st.fixed_dictionaries({p: segment for p in path_params}),
        query=query,
        payload=st.one_of(body, body, JSON, raw),
        etag=st.none() | st.text(HEADER_CHARS, max_size=20),
    )
    def one(segments, query, payload, etag) -> None:
        url = path
        for name, value in segments.items():
            url = url.replace("{" + name + "}", quote(value, safe=""))
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        if etag is not None:
            headers["If-None-Match"] = etag.strip()
        kwargs: dict[str, Any] = {"params": query, "headers": headers}
        if method != "GET":
            if isinstance(payload, tuple):
                content, ctype = payload
                kwargs["content"] = content
                if ctype:
                    headers["content-type"] = ctype
            else:
                kwargs["content"] = json.dumps(payload).encode()
                headers["content-type"] = "application/json"
        resp = term.client.request(method, url, **kwargs)
        seen.setdefault(f"{method} {path}", set()).add(resp.status_code)
        assert resp.status_code < 500, (method, url, kwargs, resp.status_code, resp.text[:300])
        if resp.status_code >= 400:
            err = resp.json()
            assert isinstance(err, dict) and err.get("code") and err.get("message"), err
        elif resp.status_code == 200:
            resp.json()  # 304, and 307 for a trailing slash, carry no body

    one()


def test_no_route_answers_5xx(target) -> None:
    central, term, doc, hints = target
    routes = [
        (method.upper(), path, op)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post", "put")
    ]
    assert len(routes) >= 20
    seen: dict[str, set[int]] = {}

    for method, path, op in routes:
        _fuzz_route(term, method, path, op, doc, hints, seen)

    assert set(seen) == {f"{m} {p}" for m, p, _ in routes}
    # The schema-built bodies got past validation somewhere, not only into 422s.
    posts = [codes for route, codes in seen.items() if route.startswith("POST")]
    assert sum(1 for codes in posts if codes - {400, 401, 404, 422}) >= 3, seen
    ok(term.client.get("/v1/health"))
    assert central.url
