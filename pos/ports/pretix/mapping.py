"""pretix objects read as our contract: seating plans as auditoriums, subevents as showtimes,
variations as ticket types, seats as seat states. Only what a cinema would set up in pretix by
hand is read, so the adapter also works on an event it did not seed."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from typing import Any

from contract.models import Auditorium, Seat, SeatKind
from contract.money import parse_amount

_LABEL = re.compile(r"^[A-Z]{1,2}\d{1,3}$")
_SLUG = re.compile(r"[^a-z0-9]+")
PIXELS_PER_SEAT = 20
SECRET_MAX = 255
"""The longest ticket secret pretix keeps (`OrderPosition.secret`)."""


def fen(amount: str | float | Decimal) -> int:
    """pretix's decimal amounts (always in yuan) as our integer fen."""
    return parse_amount(str(amount), whole_is_yuan=True)


def text(value: Any, lang: str) -> str:
    """One language of a pretix i18n string (dict), falling back to any other."""
    if isinstance(value, dict):
        for key in (lang, "en", "zh-hans", *value):
            if value.get(key):
                return str(value[key])
        return ""
    return str(value or "")


def slug(value: str) -> str:
    return _SLUG.sub("-", value.lower()).strip("-")[:64] or "x"


def showtime_id(subevent_id: int) -> str:
    return f"se{subevent_id}"


def subevent_id(showtime: str) -> int:
    return int(showtime.removeprefix("se"))


def plan_id(plan: int) -> str:
    return f"plan{plan}"


def seat_label(seat: dict[str, Any]) -> str:
    """The seat's guid when it already reads like `H12`, else row and number."""
    guid = str(seat.get("seat_guid") or "")
    if _LABEL.match(guid):
        return guid
    return f"{seat.get('row_name') or seat.get('row_number') or ''}{seat.get('seat_number')}"


def auditorium(plan: dict[str, Any]) -> Auditorium:
    """A seating plan as a grid of seats; the category names the seat kind when it is one."""
    kinds = {k.value for k in SeatKind}
    seats: list[Seat] = []
    for zone in plan["layout"]["zones"]:
        zx, zy = zone["position"]["x"], zone["position"]["y"]
        for row in zone["rows"]:
            rx, ry = row.get("position", {}).get("x", 0), row.get("position", {}).get("y", 0)
            for s in row["seats"]:
                category = str(s.get("category", "")).lower()
                number = re.sub(r"\D", "", str(s["seat_number"])) or "0"
                seats.append(
                    Seat(
                        label=seat_label({**s, "row_name": row["row_number"]}),
                        row=str(row["row_number"]),
                        number=int(number),
                        x=round((zx + rx + s["position"]["x"]) / PIXELS_PER_SEAT),
                        y=round((zy + ry + s["position"]["y"]) / PIXELS_PER_SEAT),
                        kind=SeatKind(category) if category in kinds else SeatKind.STANDARD,
                    )
                )
    name = plan["layout"].get("name") or plan["name"]
    return Auditorium(
        id=plan_id(plan["id"]),
        name=name,
        name_en=plan["name"],
        width=max((s.x for s in seats), default=0) + 1,
        height=max((s.y for s in seats), default=0) + 1,
        seats=seats,
    )


def film_id(subevent: dict[str, Any]) -> str:
    """`film=ID` in the date's internal comment (our seeding writes it), else the name."""
    found = re.search(r"film=([A-Za-z0-9_.:-]+)", subevent.get("comment") or "")
    return found.group(1) if found else slug(text(subevent["name"], "en"))


def dedupe_secret(salt: str, key: str, index: int) -> str:
    """The ticket secret of line `index` of the sale with idempotency key `key`."""
    return f"{dedupe_prefix(salt, key)}{index:02d}"


def dedupe_prefix(salt: str, key: str) -> str:
    return hashlib.blake2b(key.encode(), key=salt.encode(), digest_size=12).hexdigest()
