"""Our demo seeds, made into a pretix event through its REST API.

The shape is the one a cinema would build by hand in pretix, so the adapter reads nothing it
wrote for itself: auditoriums are seating plans (a seat's category is its kind), one event
series holds the day's showtimes as dates (subevents), one product per seat kind with the
ticket types as variations, festival prices as per-date variation prices, a sales channel
of type `api` for the counters, allowed to sell blocked seats, and a check-in list for the
door."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from central.seeds import SeedData, SeedShowtime
from contract.models import Auditorium, StaffMember
from contract.money import decimal_text
from pos.ports.pretix.config import CHANNEL

DOOR = "Door"
"""The check-in list pretix's door apps scan against: every product, every date."""
SCALE = 20
"""Pixels per seat position in the seating plans we make (pretix draws seats 20 px wide)."""
WEB = "web"


def i18n(zh: str, en: str) -> dict[str, str]:
    return {"zh-hans": zh, "en": en}


def seating_layout(aud: Auditorium) -> dict[str, Any]:
    """A pretix seating plan (pretix/static/seating/seating-plan.schema.json) of `aud`;
    seat_guid is the seat's label, so both sides name a seat the same way."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for seat in aud.seats:
        rows.setdefault(seat.row, []).append(
            {
                "seat_guid": seat.label,
                "seat_number": str(seat.number),
                "position": {"x": seat.x * SCALE, "y": seat.y * SCALE},
                "category": seat.kind.value,
            }
        )
    kinds = sorted({seat.kind.value for seat in aud.seats})
    return {
        "name": aud.name,
        "categories": [{"name": kind, "color": "#888888"} for kind in kinds],
        "size": {"width": (aud.width + 1) * SCALE, "height": (aud.height + 1) * SCALE},
        "zones": [
            {
                "name": "main",
                "position": {"x": 0, "y": 0},
                "rows": [
                    {"row_number": row, "position": {"x": 0, "y": 0}, "seats": seats}
                    for row, seats in rows.items()
                ],
                "areas": [],
            }
        ],
    }


class SeedFailed(RuntimeError):
    pass


@dataclass
class Api:
    """The few calls seeding needs: synchronous, loud on any refusal."""

    http: httpx.Client
    organizer: str
    event: str

    @classmethod
    def connect(cls, url: str, token: str, organizer: str, event: str) -> Api:
        http = httpx.Client(
            base_url=f"{url.rstrip('/')}/api/v1",
            headers={"Authorization": f"Token {token}"},
            timeout=httpx.Timeout(120.0, connect=5.0),
        )
        return cls(http, organizer, event)

    @property
    def org(self) -> str:
        return f"/organizers/{self.organizer}"

    @property
    def ev(self) -> str:
        return f"{self.org}/events/{self.event}"

    def call(self, method: str, path: str, body: object = None) -> Any:
        answer = self.http.request(method, path, json=body)
        if answer.status_code >= 400:
            raise SeedFailed(f"{method} {path}: {answer.status_code} {answer.text[:500]}")
        return answer.json() if answer.content else None

    def all(self, path: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        page: str | None = path
        while page:
            body = self.call("GET", page)
            found += body["results"]
            page = body["next"] and body["next"].split("/api/v1", 1)[1]
        return found


def ensure_channel(api: Api) -> None:
    """Posting a channel that exists answers 500 in pretix, so look first."""
    known = {c["identifier"] for c in api.all(f"{api.org}/saleschannels/")}
    if CHANNEL not in known:
        api.call(
            "POST",
            f"{api.org}/saleschannels/",
            {"identifier": CHANNEL, "type": "api", "label": i18n("售票台", "Box office")},
        )


def seed_pretix(
    api: Api,
    seeds: SeedData,
    business_date: date,
    showtimes: Iterable[SeedShowtime] | None = None,
) -> dict[str, int]:
    """Create the event and everything in it; answers our showtime id → subevent id."""
    chosen = list(showtimes if showtimes is not None else seeds.showtimes)
    ensure_channel(api)
    first = min(seeds.showtime_window(st, business_date)[0] for st in chosen)
    api.call(
        "POST",
        f"{api.org}/events/",
        {
            "name": i18n(seeds.cinema.name, seeds.cinema.name_en),
            "slug": api.event,
            "currency": seeds.cinema.currency,
            "date_from": first.isoformat(),
            "has_subevents": True,
            "timezone": seeds.cinema.timezone,
        },
    )
    api.call(
        "PATCH",
        f"{api.ev}/settings/",
        {
            "locales": ["zh-hans", "en"],
            "locale": "zh-hans",
            "seating_allow_blocked_seats_for_channel": [CHANNEL],
        },
    )
    plans = _seating_plans(
        api, [seeds.auditorium(a) for a in sorted({st.auditorium_id for st in chosen})]
    )
    items, variations = _products(api, seeds)
    ids: dict[str, int] = {}
    for st in chosen:
        ids[st.id] = _subevent(api, seeds, st, business_date, plans, items, variations)
    _bookings(api, seeds, ids, items, variations)
    api.call(
        "POST",
        f"{api.ev}/checkinlists/",
        {"name": DOOR, "all_products": True, "limit_products": [], "subevent": None},
    )
    return ids


def _seating_plans(api: Api, auditoriums: list[Auditorium]) -> dict[str, int]:
    plans: dict[str, int] = {}
    for aud in auditoriums:
        body = {"name": aud.name_en, "layout": seating_layout(aud)}
        plans[aud.id] = api.call("POST", f"{api.org}/seatingplans/", body)["id"]
    return plans


def _products(api: Api, seeds: SeedData) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """One product per seat kind; its variations are the ticket types at the regular price."""
    kinds = sorted({seat.kind.value for aud in seeds.auditoriums for seat in aud.seats})
    items: dict[str, int] = {}
    variations: dict[tuple[str, str], int] = {}
    for kind in kinds:
        answer = api.call(
            "POST",
            f"{api.ev}/items/",
            {
                "name": i18n(kind, f"{kind} seat"),
                "internal_name": kind,
                "default_price": decimal_text(max(seeds.prices.values())),
                "admission": True,
                "active": True,
                "has_variations": True,
                "variations": [
                    {
                        "value": i18n(t.name, t.name_en),
                        "default_price": decimal_text(seeds.prices[t.code]),
                        "description": {"en": t.code},
                        "active": True,
                    }
                    for t in seeds.ticket_types
                ],
            },
        )
        items[kind] = answer["id"]
        for t, v in zip(seeds.ticket_types, answer["variations"], strict=True):
            variations[(kind, t.code)] = v["id"]
    return items, variations


def _subevent(
    api: Api,
    seeds: SeedData,
    st: SeedShowtime,
    business_date: date,
    plans: dict[str, int],
    items: dict[str, int],
    variations: dict[tuple[str, str], int],
) -> int:
    start, end = seeds.showtime_window(st, business_date)
    film = seeds.film(st.film_id)
    prices = seeds.prices_for(st)
    overrides = [
        {"variation": vid, "price": decimal_text(prices[code])}
        for (_, code), vid in variations.items()
        if prices[code] != seeds.prices[code]
    ]
    answer = api.call(
        "POST",
        f"{api.ev}/subevents/",
        {
            "name": i18n(film.title, film.title_en),
            "date_from": start.isoformat(),
            "date_to": end.isoformat(),
            "active": True,
            "is_public": True,
            "seating_plan": plans[st.auditorium_id],
            "seat_category_mapping": {kind: item for kind, item in items.items()},
            "variation_price_overrides": overrides,
            "item_price_overrides": [],
            "meta_data": {},
            "comment": f"film={film.id} showtime={st.id}",
        },
    )
    api.call(
        "POST",
        f"{api.ev}/quotas/",
        {
            "name": f"{st.id} seats",
            "size": None,
            "items": list(items.values()),
            "variations": list(variations.values()),
            "subevent": answer["id"],
        },
    )
    return answer["id"]


def _bookings(
    api: Api,
    seeds: SeedData,
    ids: dict[str, int],
    items: dict[str, int],
    variations: dict[tuple[str, str], int],
) -> None:
    """Online orders (web channel) to pick up at the counter, paid."""
    for booking in seeds.bookings:
        if booking.showtime_id not in ids:
            continue
        st = next(s for s in seeds.showtimes if s.id == booking.showtime_id)
        aud = seeds.auditorium(st.auditorium_id)
        kinds = {s.label: s.kind.value for s in aud.seats}
        prices = seeds.prices_for(st)
        positions = [
            {
                "item": items[kinds[seat]],
                "variation": variations[(kinds[seat], code)],
                "price": decimal_text(prices[code]),
                "subevent": ids[booking.showtime_id],
                "seat": seat,
                "attendee_name": booking.customer,
            }
            for seat, code in zip(booking.seats, booking.ticket_types, strict=True)
        ]
        api.call(
            "POST",
            f"{api.ev}/orders/",
            {
                "code": booking.code,
                "status": "p",
                "sales_channel": WEB,
                "payment_provider": "manual",
                "send_email": False,
                "email": None,
                "locale": "zh-hans",
                "positions": positions,
            },
        )


def seeded_staff(seeds: SeedData) -> list[StaffMember]:
    """pretix has no cashier PINs: a pretix terminal keeps the staff (PIN hashes) of seeds."""
    return [
        StaffMember(id=s.id, name=s.name, role=s.role, pin_hash=s.pin_hash) for s in seeds.staff
    ]


def soon(
    seeds: SeedData, business_date: date, now: datetime, count: int, min_seats: int = 0
) -> list[SeedShowtime]:
    """The first `count` showtimes still on sale at `now`, smallest auditoriums (of at least
    `min_seats`) first: enough for tests, cheap to seed (pretix makes one row per seat per
    showtime)."""
    open_ = [
        st
        for st in seeds.showtimes
        if seeds.showtime_window(st, business_date)[0] > now + timedelta(minutes=30)
        and len(seeds.auditorium(st.auditorium_id).seats) >= min_seats
    ]
    open_.sort(key=lambda st: (len(seeds.auditorium(st.auditorium_id).seats), st.id))
    return open_[:count]
