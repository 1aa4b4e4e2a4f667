"""Leases on pretix: blocked seats, each owned by one terminal through a ledger voucher.

pretix's `blocked` flag keeps a seat from the web shop (even with `force`) while our box-office
channel may still sell it (`seating_allow_blocked_seats_for_channel`). But the flag has no
owner and no compare-and-swap, so two terminals could block the same seat and both sell it
offline. Ownership is therefore claimed first, atomically, with a voucher whose code names the
seat (`POSLEASE-<seat id>`): pretix keeps voucher codes unique per event, so of two terminals
claiming a seat exactly one succeeds (the loser is told 400, or 500 when two gunicorn workers
raced and the database's unique constraint decided). The voucher is tied to no seat or product
and gives no discount (it changes nothing in the shop); its comment names the owning terminal.

A terminal's lease for a showtime is then: the seats whose ledger voucher it owns, that are
blocked and not sold. How many a request gets follows the same policy as the reference central
(`contract.leasing.lease_target`), fed from pretix's seat list and the ledger: the seats free
and the other terminals' leases. pretix has no counter allotment of its own (an organiser
limits the box office with pretix's quotas), so the allotment here is `ALLOTMENT_SHARE` of the
house.

Claiming = create the vouchers (all or none, `batch_create`), then block the seats, then look
again and give back any seat someone had in a cart meanwhile. Releasing = unblock, then delete
the vouchers. A crash between the steps leaves a voucher for an unblocked seat: still ours, and
blocked again on the next lease call."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from contract.leasing import (
    BRACING_HEADROOM,
    HEADROOM,
    Demand,
    allotment_seats,
    lease_target,
    sales_close,
)
from contract.models import Lease, LeaseRelease, LeaseRequest, SeatKind
from pos.ports.central_client import Rejected, ServerFault
from pos.ports.pretix.mapping import showtime_id, subevent_id

if TYPE_CHECKING:
    from pos.ports.pretix.client import PretixClient, SeatRow

TAG = "pos-lease"
PREFIX = "POSLEASE-"
LEASABLE = (SeatKind.STANDARD, SeatKind.VIP)
CLAIM_TRIES = 4
ALLOTMENT_SHARE = 1.0
"""The whole house: without a setting in pretix, the adapter caps nothing the policy allows."""


def lease_id(terminal_id: str, showtime: str) -> str:
    return f"{terminal_id}.{showtime}"


async def _ledger(client: PretixClient, showtime: str | None = None) -> list[dict[str, Any]]:
    params = {"tag": TAG}
    if showtime is not None:
        params["subevent"] = str(subevent_id(showtime))
    return await client.http.all(f"{client.ev}/vouchers/", params)


def _seat_of(voucher: dict[str, Any]) -> int:
    return int(voucher["code"].removeprefix(PREFIX))


async def owners(client: PretixClient, showtime: str) -> dict[int, str]:
    """pretix seat id → the terminal that leases it."""
    return {_seat_of(v): v["comment"] for v in await _ledger(client, showtime)}


def _lease(client: PretixClient, showtime: str, rows: list[SeatRow], mine: set[int]) -> Lease:
    return Lease(
        id=lease_id(client.terminal_id, showtime),
        showtime_id=showtime,
        terminal_id=client.terminal_id,
        seats=[r.label for r in rows if r.id in mine and r.blocked and not r.sold],
        created_at=datetime.now(UTC),
    )


async def leases(client: PretixClient) -> list[Lease]:
    by_showtime: dict[str, set[int]] = {}
    for v in await _ledger(client):
        if v["comment"] == client.terminal_id and v.get("subevent"):
            by_showtime.setdefault(showtime_id(v["subevent"]), set()).add(_seat_of(v))
    found = []
    for showtime, mine in sorted(by_showtime.items()):
        rows = await client.seat_rows(showtime, blocked_only=True)
        found.append(_lease(client, showtime, rows, mine))
    return found


async def _candidates(client: PretixClient, showtime: str, rows: list[SeatRow]) -> list[SeatRow]:
    """Free seats nobody fights over first: standard before VIP, back rows, then the edges;
    each terminal starts at its own place in that order, so two leasing at once rarely
    reach for the same seats."""
    sub = await client.subevent(showtime)
    plan = (await client.catalog()).plans[sub["seating_plan"]]
    seats = {s.label: s for s in plan.seats}
    middle = plan.width / 2
    free = [
        r
        for r in rows
        if not (r.sold or r.held or r.blocked)
        and r.label in seats
        and seats[r.label].kind in LEASABLE
    ]
    free.sort(
        key=lambda r: (
            seats[r.label].kind == SeatKind.VIP,
            -seats[r.label].y,
            -abs(seats[r.label].x - middle),
        )
    )
    if not free:
        return free
    shift = sum(client.terminal_id.encode()) * 7 % len(free)
    return free[shift:] + free[:shift]


def _voucher(client: PretixClient, sid: int, seat: int) -> dict[str, Any]:
    return {
        "code": f"{PREFIX}{seat}",
        "max_usages": 1,
        "price_mode": "none",
        "value": None,
        "block_quota": False,
        "allow_ignore_quota": False,
        "subevent": sid,
        "tag": TAG,
        "comment": client.terminal_id,
    }


async def _grant(
    client: PretixClient,
    showtime: str,
    req: LeaseRequest,
    rows: list[SeatRow],
    ledger: dict[int, str],
    pool: list[SeatRow],
) -> int:
    """How many more seats this terminal gets: as asked within the allotment, or (when the
    request carries its demand) what the lease policy allows."""
    unsold = {r.id for r in rows if not r.sold}
    held_by: dict[str, int] = {}
    for seat, owner in ledger.items():
        if seat in unsold:
            held_by[owner] = held_by.get(owner, 0) + 1
    held = held_by.get(client.terminal_id, 0)
    others = sum(n for t, n in held_by.items() if t != client.terminal_id)
    allotment = allotment_seats(len(rows), ALLOTMENT_SHARE)
    if req.demand is None:
        target = min(held + req.count, max(0, allotment - others))
    else:
        if req.demand.available is not None:
            held = min(held, req.demand.available)
        start = datetime.fromisoformat((await client.subevent(showtime))["date_from"])
        target = lease_target(
            Demand(
                seats_per_hour=req.demand.seats_per_hour,
                until_close=sales_close(start) - datetime.now(UTC),
                free=len(pool) + held,
                allotment=allotment,
                others_hold=others,
                floor=req.demand.floor,
                headroom=BRACING_HEADROOM if req.demand.bracing else HEADROOM,
            )
        )
    return max(0, min(req.count, target - held))


async def lease(client: PretixClient, req: LeaseRequest, key: str) -> Lease:
    """Claim up to `req.count` more seats, as many as the lease policy allows (fewer if that
    many are not free)."""
    showtime = req.showtime_id
    sid = subevent_id(showtime)
    claimed: list[int] = []
    for attempt in range(CLAIM_TRIES):
        rows = await client.seat_rows(showtime)
        ledger = await owners(client, showtime)
        pool = [r for r in await _candidates(client, showtime, rows) if r.id not in ledger]
        chosen = pool[: await _grant(client, showtime, req, rows, ledger, pool)]
        if not chosen:
            break
        try:
            await client.http.call(
                "POST",
                f"{client.ev}/vouchers/batch_create/",
                body=[_voucher(client, sid, r.id) for r in chosen],
                key=f"{key}-{attempt}",
            )
        except Rejected:
            continue  # another terminal claimed one of them first: look again
        except ServerFault:
            # Two workers checking one code at once (two terminals, or two calls of one) both
            # pass pretix's check, and the loser hits the database's unique constraint: a 500,
            # not a 400. Look again: the next look fails too if pretix is really down.
            continue
        claimed = [r.id for r in chosen]
        break
    mine = {
        seat
        for seat, owner in (await owners(client, showtime)).items()
        if owner == (client.terminal_id)
    }
    to_block = [r.id for r in rows if r.id in mine and not r.blocked and not r.sold]
    if to_block:
        await _set_blocked(client, sid, to_block, blocked=True)
    rows = await client.seat_rows(showtime, blocked_only=True)
    # someone had a seat in a cart (or sold it) between our look and our block: give it back
    lost = [r.id for r in rows if r.id in claimed and (r.held or r.sold)]
    if lost:
        await _give_back(client, showtime, lost, rows)
        mine -= set(lost)
    return _lease(client, showtime, rows, mine)


async def _set_blocked(client: PretixClient, sid: int, seats: list[int], *, blocked: bool) -> None:
    action = "bulk_block" if blocked else "bulk_unblock"
    await client.http.call(
        "POST", f"{client.ev}/subevents/{sid}/seats/{action}/", body={"ids": seats}
    )


async def _give_back(
    client: PretixClient, showtime: str, seats: list[int], rows: list[SeatRow]
) -> None:
    """Unblock first, then drop the vouchers: a crash in between leaves a seat still ours."""
    sid = subevent_id(showtime)
    unsold = {r.id for r in rows if not r.sold}
    to_unblock = [s for s in seats if s in unsold]
    if to_unblock:
        await _set_blocked(client, sid, to_unblock, blocked=False)
    wanted = set(seats)
    for v in await _ledger(client, showtime):
        if v["comment"] == client.terminal_id and _seat_of(v) in wanted:
            try:
                await client.http.call("DELETE", f"{client.ev}/vouchers/{v['id']}/")
            except Rejected as exc:
                if exc.status != 404:
                    raise


async def release(client: PretixClient, lease_id_: str, req: LeaseRelease, key: str) -> Lease:
    """Give back the named seats (all unsold ones when none are named). Repeating it is
    harmless, so the idempotency key is not needed here."""
    del key
    showtime = lease_id_.rsplit(".", 1)[1]
    rows = await client.seat_rows(showtime, blocked_only=True)
    mine = {
        s for s, owner in (await owners(client, showtime)).items() if owner == (client.terminal_id)
    }
    names = set(req.seats) if req.seats is not None else None
    seats = [
        r.id for r in rows if r.id in mine and not r.sold and (names is None or r.label in names)
    ]
    if seats:
        await _give_back(client, showtime, seats, rows)
    rows = await client.seat_rows(showtime, blocked_only=True)
    return _lease(client, showtime, rows, mine - set(seats))
