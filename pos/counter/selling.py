"""Selling: online through the central when the breaker allows, else from the lease.

The cashier never waits longer than the sale budget: if the central fails or stalls mid-sale,
the sale is cancelled by its key (queued, for when the central is back) and the customer is
served at once from this terminal's leased seats."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contract.models import SALES_CLOSE_AFTER_START, SaleLine, SaleRequest
from offline import cache, leases, sales
from offline.errors import SeatNotLeased
from pos.counter.errors import CounterError, SeatUnavailable
from pos.counter.offline_tickets import Line, build_offline_sale
from pos.counter.payments import Tender, settle
from pos.counter.seat_picking import best_together
from pos.ports.central_client import CentralError, Conflict, Rejected

if TYPE_CHECKING:
    from pos.counter.payments import Settlement
    from pos.counter.service import Counter


@dataclass(frozen=True, slots=True)
class Order:
    showtime_id: str
    cashier_id: str
    ticket_types: list[str]
    tenders: list[Tender]
    seats: list[str] | None = None
    count: int | None = None
    """`auto:N`: pick N seats together (from the lease when offline)."""
    shift_id: str | None = None
    hold_id: str | None = None
    """A hold taken while the customer chose (Counter.hold); without one the sale commits the
    seats directly, which the central checks just as atomically, in one round trip less."""


@dataclass(frozen=True, slots=True)
class Outcome:
    sale: sales.Sale
    mode: str
    failover: str | None = None
    """Why an online attempt fell back to the lease, if it did."""
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "sale_id": self.sale.id,
            "mode": self.mode,
            "showtime_id": self.sale.showtime_id,
            "tickets": [
                {
                    "id": t.id,
                    "seat": t.seat,
                    "ticket_type": t.ticket_type,
                    "price": t.price,
                    "code": t.code,
                }
                for t in self.sale.tickets
            ],
            "total": self.sale.total,
            "tendered": self.sale.tendered,
            "change": self.sale.change,
            "failover": self.failover,
        }


def _types_for(order: Order, count: int) -> list[str]:
    if len(order.ticket_types) == 1:
        return order.ticket_types * count
    if len(order.ticket_types) != count:
        raise CounterError(
            "TYPES_MISMATCH",
            f"{count} seats but {len(order.ticket_types)} ticket types; give one per seat or one.",
        )
    return order.ticket_types


def prices_for(counter: Counter, showtime_id: str, types: list[str]) -> list[int]:
    """The showtime's price of each ticket type, in order; an unknown type is refused."""
    st = counter.showtime(showtime_id)
    unknown = [t for t in types if t not in st.prices]
    if unknown:
        raise CounterError("UNKNOWN_TICKET_TYPE", f"No ticket type {', '.join(unknown)} here.")
    return [st.prices[t] for t in types]


def _check_on_sale(counter: Counter, showtime_id: str) -> None:
    st = counter.showtime(showtime_id)
    if counter.now() >= st.start + SALES_CLOSE_AFTER_START:
        raise CounterError("SHOWTIME_CLOSED", "Sales for this showtime have closed.")


async def sell(counter: Counter, order: Order) -> Outcome:
    # The offline path never waits on I/O; yield once so probes and sync keep running even
    # when sales come back to back.
    await asyncio.sleep(0)
    _check_on_sale(counter, order.showtime_id)
    count = len(order.seats) if order.seats else (order.count or 0)
    if count <= 0:
        raise CounterError("NO_SEATS", "Choose seats, or a number of seats with auto:N.")
    types = _types_for(order, count)
    prices = prices_for(counter, order.showtime_id, types)
    settlement = settle(sum(prices), order.tenders)
    failover = None
    if not counter.breaker.is_open:
        try:
            return await _sell_online(counter, order, types, prices, settlement)
        except _Failover as exc:
            failover = str(exc)
    return _sell_offline(counter, order, types, prices, settlement, failover)


class _Failover(Exception):
    pass


async def _sell_online(
    counter: Counter,
    order: Order,
    types: list[str],
    prices: list[int],
    settlement: Settlement,
) -> Outcome:
    count = len(types)
    loop = asyncio.get_running_loop()
    budget = counter.settings.sale_budget
    started = loop.time()

    def left() -> float:
        remaining = budget - (loop.time() - started)
        if remaining <= 0.05:
            raise TimeoutError
        return remaining

    seats = order.seats
    draft = None
    try:
        if seats is None:
            seat_map = await counter.client.seat_map(order.showtime_id, deadline=left())
            cache.put_seat_map(counter.store, seat_map)
            free = [s.label for s in seat_map.seats if s.state == "free"]
            seats = best_together(seat_map.auditorium, free, count)
            if len(seats) < count:
                raise SeatUnavailable("NOT_ENOUGH_SEATS", f"Fewer than {count} seats are free.")
        lines = [
            SaleLine(seat=s, ticket_type=t, price=p)
            for s, t, p in zip(seats, types, prices, strict=True)
        ]
        draft = sales.create_draft(
            counter.store,
            showtime_id=order.showtime_id,
            cashier_id=order.cashier_id,
            mode="online",
            lines=lines,
            shift_id=order.shift_id,
        )
        hold_id = order.hold_id if order.seats else None
        if hold_id is not None:
            sales.advance(counter.store, draft.id, "held", hold_id=hold_id)
        central = await counter.client.sell(
            SaleRequest(
                showtime_id=order.showtime_id,
                hold_id=hold_id,
                cashier_id=order.cashier_id,
                lines=lines,
                payments=settlement.payments,
            ),
            key=draft.idempotency_key,
            deadline=left(),
        )
    except Conflict as exc:
        _abandon(counter, draft, cancel=False)
        raise SeatUnavailable(exc.code, exc.message, exc.detail) from exc
    except Rejected as exc:
        _abandon(counter, draft, cancel=False)
        raise CounterError(exc.code, exc.message, exc.detail) from exc
    except (CentralError, TimeoutError) as exc:
        counter.breaker.trip()
        _abandon(counter, draft, cancel=True)
        reason = exc.message if isinstance(exc, CentralError) else "sale budget exceeded"
        raise _Failover(reason) from exc
    counter.breaker.record_success(loop.time() - started)
    # Paid, handed to the printer, journalled: one local transaction, one fsync.
    with counter.store.atomic():
        sale = sales.record_online_sale(
            counter.store, draft.id, central, tendered=settlement.tendered
        )
        sale = counter.after_paid(sale)
    return Outcome(sale=sale, mode="online")


def _abandon(counter: Counter, draft: sales.Sale | None, *, cancel: bool) -> None:
    """Unwind a draft; if the central may have acted on it, cancel it by its key later."""
    if draft is None:
        return
    with counter.store.atomic():
        if cancel:
            counter._queue_cancel(draft.idempotency_key)
        sales.advance(counter.store, draft.id, "cancelled")


def _offline_seats(counter: Counter, order: Order, count: int, repick: bool) -> list[str]:
    available = leases.available_seats(counter.store, order.showtime_id)
    if order.seats and set(order.seats) <= set(available):
        return order.seats
    if order.seats and not repick:
        missing = [s for s in order.seats if s not in available]
        raise SeatUnavailable(
            "SEAT_NOT_LEASED",
            f"Offline: only this terminal's leased seats can be sold; {', '.join(missing)}"
            " is not one of them.",
            {"seats": missing, "available": available},
        )
    cached = cache.get_seat_map(counter.store, order.showtime_id)
    if cached is not None:
        chosen = best_together(cached.seat_map.auditorium, available, count)
    else:
        chosen = available[:count]
    if len(chosen) < count:
        raise SeatUnavailable(
            "LEASE_EXHAUSTED",
            f"Offline and only {len(available)} leased seats left for this showtime.",
        )
    return chosen


def _sell_offline(
    counter: Counter,
    order: Order,
    types: list[str],
    prices: list[int],
    settlement: Settlement,
    failover: str | None,
) -> Outcome:
    seats = _offline_seats(counter, order, len(types), repick=failover is not None)
    lease = leases.lease_for(counter.store, order.showtime_id)
    if lease is None:
        raise SeatUnavailable("NO_LEASE", "Offline and no seats are leased for this showtime.")
    st = counter.showtime(order.showtime_id)
    offline_sale = build_offline_sale(
        key=counter.key,
        terminal_id=counter.settings.terminal_id,
        idempotency_key=uuid.uuid4().hex,
        lease_id=lease.id,
        showtime_id=order.showtime_id,
        starts_at=st.start,
        cashier_id=order.cashier_id,
        sold_at=counter.now(),
        lines=[Line(s, t, p) for s, t, p in zip(seats, types, prices, strict=True)],
        payments=settlement.payments,
    )
    try:
        with counter.store.atomic():
            sale = sales.record_offline_sale(
                counter.store, offline_sale, tendered=settlement.tendered, shift_id=order.shift_id
            )
            sale = counter.after_paid(sale)
    except SeatNotLeased as exc:
        raise SeatUnavailable("SEAT_NOT_LEASED", exc.message) from exc
    counter.notify()
    return Outcome(sale=sale, mode="offline", failover=failover)
