"""The Counter's port onto a pretix event series: the catalog side (health, schedule, seat
maps, staff, keys). Selling, leases and bookings are in their own modules and reach pretix
through the same `PretixHttp`."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from contract import models
from contract.business_day import DEFAULT_DAY_STARTS, business_date_of, day_start
from contract.handover import Handover, HandoverResult
from contract.models import (
    AuditoriumSummary,
    Cinema,
    Film,
    Health,
    KeyRing,
    Schedule,
    SeatMap,
    SeatStatus,
    Showtime,
    StaffMember,
    TicketType,
)
from pos.ports.central_client import Rejected
from pos.ports.pretix import bookings as booking_ops
from pos.ports.pretix import leasing, selling, tombstones
from pos.ports.pretix.config import PretixConfig
from pos.ports.pretix.http import PretixHttp
from pos.ports.pretix.mapping import (
    auditorium,
    fen,
    film_id,
    seat_label,
    showtime_id,
    slug,
    subevent_id,
    text,
)

"""A cinema's business day runs from 06:00 to 06:00: a 01:30 showtime is the evening's."""


@dataclass(frozen=True)
class Catalog:
    """What changes rarely: the event, its products and variations, its seating plans."""

    cinema: Cinema
    zone: ZoneInfo
    ticket_types: list[TicketType]
    code_of: dict[int, str]
    """variation id → ticket type code."""
    variation_of: dict[tuple[int, str], int]
    """(product id, ticket type code) → variation id."""
    prices: dict[int, int]
    """variation id → regular price, fen."""
    plans: dict[int, models.Auditorium]
    tombstone_item: int | None
    """The product of tombstones (`tombstones.ITEM`), once made."""


@dataclass(frozen=True)
class SeatRow:
    """One pretix seat of one showtime, as the adapter needs it."""

    id: int
    label: str
    guid: str
    product: int
    blocked: bool
    sold: bool
    held: bool


class PretixClient:
    def __init__(
        self,
        url: str,
        token: str,
        terminal_id: str,
        config: PretixConfig,
        *,
        connect_timeout: float = 1.0,
        read_timeout: float = 3.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.http = PretixHttp(
            url,
            token,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            transport=transport,
        )
        self.terminal_id = terminal_id
        self.config = config
        self.ev = f"/organizers/{config.organizer}/events/{config.event}"
        self._catalog: Catalog | None = None
        self._subevents: dict[int, dict[str, Any]] = {}
        self._seat_index: dict[str, dict[str, SeatRow]] = {}
        self._day: date | None = None
        """The business day `schedule` last chose by itself."""
        self.holds: dict[str, list[int]] = {}
        """hold id → its cart positions, to release them without listing every cart."""

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- catalog ---------------------------------------------------------------------------

    async def catalog(self, *, fresh: bool = False) -> Catalog:
        if self._catalog is None or fresh:
            self._catalog = await self._load_catalog()
        return self._catalog

    async def _load_catalog(self) -> Catalog:
        event = await self.http.call("GET", f"{self.ev}/")
        items = await self.http.all(f"{self.ev}/items/")
        plans = await self.http.all(f"/organizers/{self.config.organizer}/seatingplans/")
        zone = ZoneInfo(event.get("timezone") or "UTC")
        cinema = Cinema(
            id=self.config.organizer,
            name=text(event["name"], "zh-hans"),
            name_en=text(event["name"], "en"),
            timezone=str(zone),
            currency=event["currency"],
            business_day_starts=DEFAULT_DAY_STARTS.strftime("%H:%M"),
        )
        code_of: dict[int, str] = {}
        variation_of: dict[tuple[int, str], int] = {}
        prices: dict[int, int] = {}
        types: dict[str, TicketType] = {}
        for item in items:
            for v in item.get("variations", []):
                code = slug(text(v["value"], "en"))
                code_of[v["id"]] = code
                variation_of[(item["id"], code)] = v["id"]
                prices[v["id"]] = fen(v.get("default_price") or item["default_price"])
                types.setdefault(
                    code,
                    TicketType(
                        code=code,
                        name=text(v["value"], "zh-hans"),
                        name_en=text(v["value"], "en"),
                    ),
                )
        return Catalog(
            cinema=cinema,
            zone=zone,
            ticket_types=list(types.values()),
            code_of=code_of,
            variation_of=variation_of,
            prices=prices,
            plans={p["id"]: auditorium(p) for p in plans},
            tombstone_item=next(
                (i["id"] for i in items if i.get("internal_name") == tombstones.ITEM), None
            ),
        )

    def working_day(self, cat: Catalog) -> date:
        """The business day the terminal works on when a call names none: the one `schedule`
        chose (the first from today on with showtimes), so bookings and refunds follow the
        schedule the counter shows; today before any schedule was read."""
        return self._day or business_date_of(datetime.now(UTC), cat.zone)

    async def subevent(self, showtime: str) -> dict[str, Any]:
        try:
            sid = int(showtime.removeprefix("se"))
        except ValueError:
            sid = -1
        if sid not in self._subevents:
            try:
                self._subevents[sid] = await self.http.call("GET", f"{self.ev}/subevents/{sid}/")
            except Rejected as exc:
                if exc.status == 404:
                    raise Rejected(
                        404,
                        models.ErrorBody(
                            code="UNKNOWN_SHOWTIME", message=f"No showtime {showtime!r}."
                        ),
                    ) from exc
                raise
        return self._subevents[sid]

    async def seat_rows(
        self, showtime: str, *, blocked_only: bool = False, deadline: float | None = None
    ) -> list[SeatRow]:
        """The showtime's seats; only the blocked ones (few: the leases) when asked."""
        sid = subevent_id(showtime)
        params = {"blocked": "true"} if blocked_only else None
        rows = await self.http.all(f"{self.ev}/subevents/{sid}/seats/", params, deadline)
        return [
            SeatRow(
                id=r["id"],
                label=seat_label(r),
                guid=r["seat_guid"],
                product=r["product"],
                blocked=bool(r["blocked"]),
                sold=r["orderposition"] is not None,
                held=r["cartposition"] is not None or r["voucher"] is not None,
            )
            for r in rows
        ]

    async def seat_index(self, showtime: str) -> dict[str, SeatRow]:
        """Seats by label, read once per showtime: a sale needs only their ids and products."""
        if showtime not in self._seat_index:
            self._seat_index[showtime] = {r.label: r for r in await self.seat_rows(showtime)}
        return self._seat_index[showtime]

    # --- the port: catalog side --------------------------------------------------------------

    async def health(self, deadline: float | None = None) -> Health:
        await self.http.call("GET", f"{self.ev}/", deadline=deadline)
        return Health(status="ok", time=datetime.now(UTC))

    async def keys(self) -> KeyRing:
        """pretix signs nothing of ours: its online tickets carry its own random secrets."""
        return KeyRing(keys=[])

    async def staff(self) -> list[StaffMember]:
        return self.config.staff_members()

    async def schedule(self, day: date | None = None, etag: str | None = None) -> Schedule | None:
        """Without a day: the first business day, from today on, that has showtimes."""
        cat = await self.catalog(fresh=etag is None)
        since = day_start(day or business_date_of(datetime.now(UTC), cat.zone), cat.zone)
        params = {"date_from_after": since.isoformat(), "ordering": "date_from", "active": "true"}
        if day is not None:
            params["date_from_before"] = (since + timedelta(days=1)).isoformat()
        found = await self.http.all(f"{self.ev}/subevents/", params)
        if not found:
            chosen_day = day or business_date_of(datetime.now(UTC), cat.zone)
            subevents: list[dict[str, Any]] = []
        else:
            first = datetime.fromisoformat(found[0]["date_from"])
            chosen_day = day or business_date_of(first, cat.zone)
            subevents = [
                s
                for s in found
                if business_date_of(datetime.fromisoformat(s["date_from"]), cat.zone) == chosen_day
            ]
        for s in subevents:
            self._subevents[s["id"]] = s
        if day is None:
            self._day = chosen_day
        free = await self._free_counts([s["id"] for s in subevents])
        version = _version(subevents, free, cat)
        if etag is not None and etag == version:
            return None
        return Schedule(
            business_date=chosen_day,
            version=version,
            cinema=cat.cinema,
            films=_films(subevents),
            auditoriums=[
                AuditoriumSummary(id=a.id, name=a.name, name_en=a.name_en, capacity=len(a.seats))
                for pid, a in cat.plans.items()
                if any(s["seating_plan"] == pid for s in subevents)
            ],
            ticket_types=cat.ticket_types,
            showtimes=[self._showtime(s, cat, chosen_day, free[s["id"]]) for s in subevents],
        )

    async def _free_counts(self, ids: list[int]) -> dict[int, int]:
        """Seats neither sold, held nor blocked, per date: one small page each."""
        gate = asyncio.Semaphore(3)

        async def count(sid: int) -> tuple[int, int]:
            async with gate:
                body = await self.http.call(
                    "GET",
                    f"{self.ev}/subevents/{sid}/seats/",
                    params={"is_available": "true", "blocked": "false", "page_size": "1"},
                )
                return sid, body["count"]

        return dict(await asyncio.gather(*(count(sid) for sid in ids)))

    def _showtime(self, s: dict[str, Any], cat: Catalog, day: date, free: int) -> Showtime:
        plan = cat.plans[s["seating_plan"]]
        start = datetime.fromisoformat(s["date_from"])
        end = datetime.fromisoformat(s["date_to"]) if s.get("date_to") else start
        return Showtime(
            id=showtime_id(s["id"]),
            film_id=film_id(s),
            auditorium_id=plan.id,
            start=start,
            end=end,
            business_date=day,
            prices=prices_of(s, cat),
            festival=bool(s.get("variation_price_overrides")),
            capacity=len(plan.seats),
            free=free,
        )

    async def seat_map(self, showtime_id_: str, deadline: float | None = None) -> SeatMap:
        sub = await self.subevent(showtime_id_)
        cat = await self.catalog()
        rows = await self.seat_rows(showtime_id_, deadline=deadline)
        self._seat_index[showtime_id_] = {r.label: r for r in rows}
        owners = await leasing.owners(self, showtime_id_)
        return SeatMap(
            showtime_id=showtime_id_,
            auditorium=cat.plans[sub["seating_plan"]],
            seats=[_status(r, owners.get(r.id)) for r in rows],
        )

    # --- the port: the rest, in their own modules ---------------------------------------------

    hold = selling.hold
    release_hold = selling.release_hold
    sell = selling.sell
    refunded_tickets = selling.refunded_tickets
    sale_by_key = selling.sale_by_key
    cancel = selling.cancel
    refund = selling.refund
    upload_offline = selling.upload_offline

    async def upload_handover(self, handover: Handover) -> HandoverResult:
        """pretix knows no handover between counters: held in the store, with the reason."""
        raise Rejected(
            422,
            models.ErrorBody(
                code="HANDOVER_UNSUPPORTED",
                message=f"pretix cannot take handover {handover.id}; hand seats over only"
                " between terminals of our own central.",
            ),
        )

    reconcile = selling.reconcile
    leases = leasing.leases
    lease = leasing.lease
    release = leasing.release
    bookings = booking_ops.bookings
    pick_up = booking_ops.pick_up


def prices_of(subevent: dict[str, Any], cat: Catalog) -> dict[str, int]:
    """Per ticket type, the price of the date's standard seats (the product of the most seats
    in the plan), with the date's own variation prices where it has them."""
    mapping: dict[str, int] = subevent.get("seat_category_mapping") or {}
    plan = cat.plans[subevent["seating_plan"]]
    counts: dict[int, int] = {}
    for seat in plan.seats:
        product = mapping.get(seat.kind.value)
        if product is not None:
            counts[product] = counts.get(product, 0) + 1
    product = max(counts, key=lambda p: counts[p]) if counts else None
    overrides = {o["variation"]: fen(o["price"]) for o in subevent["variation_price_overrides"]}
    return {
        code: overrides.get(vid, cat.prices[vid])
        for (pid, code), vid in cat.variation_of.items()
        if pid == product
    }


def _films(subevents: list[dict[str, Any]]) -> list[Film]:
    films: dict[str, Film] = {}
    for s in subevents:
        start = datetime.fromisoformat(s["date_from"])
        end = datetime.fromisoformat(s["date_to"]) if s.get("date_to") else start
        fid = film_id(s)
        films.setdefault(
            fid,
            Film(
                id=fid,
                title=text(s["name"], "zh-hans"),
                title_en=text(s["name"], "en"),
                runtime_min=max(0, int((end - start).total_seconds() // 60)),
                rating="",
            ),
        )
    return list(films.values())


def _version(subevents: list[dict[str, Any]], free: dict[int, int], cat: Catalog) -> str:
    body = json.dumps(
        [[s["id"], s["last_modified"], free[s["id"]]] for s in subevents]
        + [sorted(cat.prices.items())],
        sort_keys=True,
    )
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def _status(row: SeatRow, owner: str | None) -> SeatStatus:
    if row.sold:
        return SeatStatus(label=row.label, state="sold")
    if row.held:
        return SeatStatus(label=row.label, state="held")
    if owner is not None:
        # owned through the ledger, blocked or about to be (a lease call cut short between
        # claiming and blocking leaves it unblocked until that terminal's next lease call)
        return SeatStatus(label=row.label, state="leased", leased_to=owner)
    if row.blocked:  # blocked by someone in pretix's backend: simply not for sale
        return SeatStatus(label=row.label, state="sold")
    return SeatStatus(label=row.label, state="free")
