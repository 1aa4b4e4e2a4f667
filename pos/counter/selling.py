"""Selling: online through the central when the breaker allows, else from the lease.

The cashier never waits longer than the sale budget: if the central fails or stalls mid-sale,
the sale is cancelled by its key (queued, for when the central is back) and the customer is
served at once from this terminal's leased seats."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from contract import models
from contract.discounts import PricingError, find, price_of
from contract.leasing import may_sell
from contract.models import HoldRequest, SaleLine, SaleRequest
from contract.seating import seat_order
from contract.ticket_code import Ed25519PrivateKey
from offline import cache, code_payments, leases, outbox, sales
from offline.errors import SeatNotLeased
from offline.store import Store
from pos.counter.connectivity import Breaker
from pos.counter.errors import CounterError, SeatUnavailable
from pos.counter.handover_asker import Asker
from pos.counter.offline_tickets import Line, build_offline_sale
from pos.counter.payments import Settlement, Tender, settle
from pos.counter.printing import TicketPrinter
from pos.counter.seat_picking import best_free_first, best_together
from pos.counter.today import Today
from pos.ports.errors import CentralError, Conflict, Rejected
from pos.ports.port import CentralPort


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
    discounts: list[str | None] | None = None
    """The cinema's discount code (member, coupon, staff) for each ticket, in the order of
    `ticket_types` (one for all when that is one type); None: list prices."""
    then: Callable[[sales.Sale], None] | None = None
    """Called with the sale inside the transaction that records it paid: what must happen
    with the sale or not at all (an exchange gives the old tickets back here)."""
    repick: bool = True
    """When the online sale fails over and the chosen seats are not this terminal's to sell
    offline, pick others from the lease (the CLI's way). The TUI says False: the cashier shows
    the customer the replacement seats and confirms before taking the money."""


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


def _discounts_for(order: Order, count: int) -> list[str | None]:
    if order.discounts is None:
        return [None] * count
    if len(order.discounts) == 1:
        return order.discounts * count
    if len(order.discounts) != count:
        raise CounterError(
            "DISCOUNTS_MISMATCH",
            f"{count} seats but {len(order.discounts)} discounts; give one per seat or one.",
        )
    return order.discounts


@dataclass(frozen=True, slots=True)
class Priced:
    """One ticket's price, and the discount it was worked out with."""

    price: int
    discount: str | None = None


@dataclass(frozen=True, slots=True)
class SeatView:
    """A seat map with what this terminal may sell from it right now."""

    seat_map: models.SeatMap
    mine: frozenset[str]
    """This terminal's leased seats still unsold."""
    selectable: frozenset[str]
    offline: bool
    """True when the map came from the cache (the central did not answer or is away)."""


MAX_PARTY = 20
"""Seats in one sale: a school class; more is a group booking, not a counter sale."""


class _Failover(Exception):
    pass


class Basket(NamedTuple):
    """A checked order: one ticket type and price per seat, and what the tenders settle."""

    types: list[str]
    prices: list[Priced]
    settlement: Settlement


class Seller:
    """Sells: online through the central when the breaker allows, else from the lease. The
    only code that creates sales."""

    def __init__(
        self,
        store: Store,
        port: CentralPort,
        breaker: Breaker,
        today: Today,
        printer: TicketPrinter,
        *,
        key: Ed25519PrivateKey,
        terminal_id: str,
        key_id: str | None = None,
        sale_budget: float,
        on_change: Callable[[], None],
        asker: Asker | None = None,
        peer_ask: int = 0,
    ) -> None:
        self.store = store
        self.port = port
        self.breaker = breaker
        self.today = today
        self.printer = printer
        self.key = key
        self.terminal_id = terminal_id
        self.key_id = key_id
        self.sale_budget = sale_budget
        self._seat_labels: dict[str, frozenset[str]] = {}
        self.on_change = on_change
        self.asker = asker
        """Asks the cinema's other counters for seats (None: no peers are set)."""
        self.peer_ask = peer_ask
        """Seats to ask a peer for when the lease runs out: at least the party."""

    # --- before the sale ------------------------------------------------------------------

    def priced(
        self, showtime_id: str, types: list[str], discounts: list[str | None] | None = None
    ) -> list[Priced]:
        """Each ticket's price at this showtime, with its discount (by the cinema's rules in
        the schedule, as the central checks them) under the code's own spelling; an unknown
        type or code, or a code not for that type, is refused before anything is sent."""
        st = self.today.showtime(showtime_id)
        rules = self.today.schedule().cinema.discounts
        codes = discounts if discounts is not None else [None] * len(types)
        found = []
        try:
            for kind, code in zip(types, codes, strict=True):
                rule = find(code, rules).code if code is not None else None
                found.append(Priced(price_of(st.prices, kind, rule, rules), rule))
        except PricingError as exc:
            raise CounterError(exc.code, exc.message, exc.detail) from exc
        return found

    def quote(
        self, showtime_id: str, ticket_types: list[str], discounts: list[str | None] | None = None
    ) -> int:
        """What a basket costs, in fen, at this showtime's prices and the discounts chosen."""
        return sum(p.price for p in self.priced(showtime_id, ticket_types, discounts))

    async def seat_view(self, showtime_id: str) -> SeatView:
        """The seat map to choose from: fresh from the central when it answers, else the cached
        copy, with the seats this terminal may sell now (free ones online; only its own
        leased ones offline)."""
        fresh: models.SeatMap | None = None
        if not self.breaker.is_open:
            try:
                fresh = await self.port.seat_map(showtime_id, deadline=self.sale_budget)
            except Rejected as exc:
                raise CounterError(exc.code, exc.message, exc.detail) from exc
            except CentralError:
                self.breaker.record_failure()
            else:
                cache.put_seat_map(self.store, fresh)
        seat_map = fresh
        if seat_map is None:
            cached = cache.get_seat_map(self.store, showtime_id)
            if cached is None:
                raise CounterError(
                    "NO_SEAT_MAP", "No seat map for this showtime while the central is away."
                )
            seat_map = cached.seat_map
        offline = fresh is None
        if offline and self.asker is not None and not self._lease_left(showtime_id):
            # The lease ran out and the cashier is about to pick seats: ask the peers first.
            await self.asker.seats_for(showtime_id, 1, self.peer_ask)
        mine = frozenset(leases.available_seats(self.store, showtime_id))
        if offline:
            selectable = mine
        else:  # online, the counter's own leased seats sell too (see `hold`)
            selectable = mine | {s.label for s in seat_map.seats if s.state == "free"}
        return SeatView(seat_map=seat_map, mine=mine, selectable=selectable, offline=offline)

    async def hold(self, showtime_id: str, seats: list[str]) -> str | None:
        """Hold chosen seats while the customer picks ticket types and pays; None when the
        central is away (the sale then goes on without a hold, and fails over if it must).
        Seats of this counter's own lease are not held: the lease keeps them for it already,
        and a hold on one (a cart in pretix) would block its offline sale after a failover.
        None, too, when every chosen seat is leased here."""
        if self.breaker.is_open:
            return None
        mine = set(leases.available_seats(self.store, showtime_id))
        if not (others := [s for s in seats if s not in mine]):
            return None
        try:
            hold = await self.port.hold(
                HoldRequest(showtime_id=showtime_id, seats=others),
                key=uuid.uuid4().hex,
                deadline=self.sale_budget,
            )
        except Conflict as exc:
            raise SeatUnavailable(exc.code, exc.message, exc.detail) from exc
        except Rejected as exc:
            raise CounterError(exc.code, exc.message, exc.detail) from exc
        except CentralError:
            self.breaker.record_failure()
            return None
        return hold.id

    async def release_hold(self, hold_id: str) -> None:
        """The customer walked away (the cashier left the ticket-type or payment screen): give
        the seats back now rather than when the hold expires. A central that does not answer
        lets the hold run out on its own, so a failure here is not the cashier's problem."""
        if self.breaker.is_open:
            return
        try:
            await self.port.release_hold(hold_id)
        except Rejected:
            return  # expired or already used: nothing to give back
        except CentralError:
            self.breaker.record_failure()

    # --- the sale -------------------------------------------------------------------------

    def _check_seats(self, order: Order, count: int) -> None:
        """Seats named twice, or not in this auditorium, are refused before anything is sent."""
        if count > MAX_PARTY:
            raise CounterError("TOO_MANY_SEATS", f"At most {MAX_PARTY} seats in one sale.")
        if not order.seats:
            return
        twice = sorted({s for s in order.seats if order.seats.count(s) > 1})
        if twice:
            raise CounterError("DUPLICATE_SEATS", f"Seat {', '.join(twice)} is named twice.")
        known = self._labels(order.showtime_id)
        if known is not None:
            unknown = [s for s in order.seats if s not in known]
            if unknown:
                raise CounterError(
                    "UNKNOWN_SEAT", f"No seat {', '.join(unknown)} in this auditorium."
                )

    def _labels(self, showtime_id: str) -> frozenset[str] | None:
        """The auditorium's seat labels, read once per showtime: parsing a cached 738-seat map
        costs milliseconds, and every sale with chosen seats asks."""
        if showtime_id not in self._seat_labels:
            cached = cache.get_seat_map(self.store, showtime_id)
            if cached is None:
                return None
            auditorium = cached.seat_map.auditorium
            self._seat_labels[showtime_id] = frozenset(seat.label for seat in auditorium.seats)
        return self._seat_labels[showtime_id]

    def _check_on_sale(self, showtime_id: str) -> None:
        st = self.today.showtime(showtime_id)
        if not may_sell(st.start, self.today.now()):
            raise CounterError("SHOWTIME_CLOSED", "Sales for this showtime have closed.")

    async def sell(self, order: Order) -> Outcome:
        # The offline path never waits on I/O; yield once so probes and sync keep running even
        # when sales come back to back.
        await asyncio.sleep(0)
        return await self.complete(order, self.prepare(order))

    def prepare(self, order: Order) -> Basket:
        """Everything checked that can be checked before money moves: on sale, seats, ticket
        types, prices and what the tenders cover."""
        self._check_on_sale(order.showtime_id)
        count = len(order.seats) if order.seats else (order.count or 0)
        if count <= 0:
            raise CounterError("NO_SEATS", "Choose seats, or a number of seats with auto:N.")
        self._check_seats(order, count)
        types = _types_for(order, count)
        prices = self.priced(order.showtime_id, types, _discounts_for(order, count))
        return Basket(types, prices, settle(sum(p.price for p in prices), order.tenders))

    async def complete(
        self, order: Order, basket: Basket, draft: sales.Sale | None = None
    ) -> Outcome:
        """Sell what `prepare` checked, online when the breaker allows, else from the lease;
        with `draft` (a payment code's, made before the charge) the sale is that draft."""
        types, prices, settlement = basket
        failover = None
        if draft is not None and draft.mode == "online" and self.breaker.is_open:
            self._abandon(draft, cancel=False)  # the central went away while the customer paid
            draft = None
        if not self.breaker.is_open and (draft is None or draft.mode == "online"):
            try:
                return await self._sell_online(order, types, prices, settlement, draft)
            except _Failover as exc:
                failover = str(exc)
                draft = None  # cancelled by its key: the lease sale is a sale of its own
        if self.asker is not None and self._lease_short(order, len(types)):
            # The central is away and the lease cannot seat this party: ask the peers.
            await self.asker.seats_for(
                order.showtime_id, len(types), max(len(types), self.peer_ask)
            )
        return self._sell_offline(order, types, prices, settlement, failover, draft)

    def queue_cancel(self, sale_key: str) -> None:
        """The central must forget a sale it may have made under this key (call inside the
        transaction that unwinds it here)."""
        outbox.enqueue(self.store, "cancel", f"{sale_key}-cancel", {"sale_key": sale_key})

    def paid(self, sale: sales.Sale) -> sales.Sale:
        """Hand the tickets to the print queue and tie any payment code's charge to the sale
        (same transaction as the payment)."""
        code_payments.capture_sale(self.store, sale)
        self.printer.queue_sale(sale)
        return sales.advance(self.store, sale.id, "printed")

    async def _sell_online(
        self,
        order: Order,
        types: list[str],
        prices: list[Priced],
        settlement: Settlement,
        made: sales.Sale | None = None,
    ) -> Outcome:
        count = len(types)
        loop = asyncio.get_running_loop()
        started = loop.time()

        def left() -> float:
            remaining = self.sale_budget - (loop.time() - started)
            if remaining <= 0.05:
                raise TimeoutError
            return remaining

        seats = order.seats
        draft = made
        try:
            if seats is None:
                seat_map = await self.port.seat_map(order.showtime_id, deadline=left())
                cache.put_seat_map(self.store, seat_map)
                free = [s.label for s in seat_map.seats if s.state == "free"]
                mine = leases.available_seats(self.store, order.showtime_id)
                seats = best_free_first(seat_map.auditorium, free, mine, count)
                if len(seats) < count:
                    raise SeatUnavailable("NOT_ENOUGH_SEATS", f"Fewer than {count} seats are free.")
            lines = [
                SaleLine(seat=s, ticket_type=t, price=p.price, discount=p.discount)
                for s, t, p in zip(seats, types, prices, strict=True)
            ]
            draft = draft or sales.create_draft(
                self.store,
                showtime_id=order.showtime_id,
                cashier_id=order.cashier_id,
                mode="online",
                lines=lines,
                shift_id=order.shift_id,
            )
            hold_id = order.hold_id if order.seats else None
            if hold_id is not None:
                sales.advance(self.store, draft.id, "held", hold_id=hold_id)
            central = await self.port.sell(
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
            self._abandon(draft, cancel=False)
            raise SeatUnavailable(exc.code, exc.message, exc.detail) from exc
        except Rejected as exc:
            self._abandon(draft, cancel=False)
            raise CounterError(exc.code, exc.message, exc.detail) from exc
        except (CentralError, TimeoutError) as exc:
            self.breaker.trip()
            self._abandon(draft, cancel=True)
            reason = exc.message if isinstance(exc, CentralError) else "sale budget exceeded"
            raise _Failover(reason) from exc
        self.breaker.record_success(loop.time() - started)
        # Paid, handed to the printer, journalled: one local transaction, one fsync.
        with self.store.atomic():
            sale = sales.record_online_sale(
                self.store, draft.id, central, tendered=settlement.tendered
            )
            self._sold_from_lease(sale)
            sale = self.paid(sale)
            if order.then is not None:
                order.then(sale)
        return Outcome(sale=sale, mode="online")

    def _sold_from_lease(self, sale: sales.Sale) -> None:
        """Seats of this counter's lease sold online are sold in the lease too (inside the
        caller's transaction), so the counter never sells them again offline."""
        sold = {t.seat for t in sale.tickets}
        for lease_id, mine in leases.available_by_lease(self.store, sale.showtime_id).items():
            if taken := [seat for seat in mine if seat in sold]:
                leases.take(self.store, sale.showtime_id, taken, sale_id=sale.id, lease_id=lease_id)

    def _abandon(self, draft: sales.Sale | None, *, cancel: bool) -> None:
        """Unwind a draft; if the central may have acted on it, cancel it by its key later."""
        if draft is None:
            return
        with self.store.atomic():
            if cancel:
                self.queue_cancel(draft.idempotency_key)
            sales.advance(self.store, draft.id, "cancelled")

    def _offline_seats(self, order: Order, count: int, repick: bool) -> tuple[str, list[str]]:
        """The lease and its seats for this party: a sale takes all its seats from one lease
        (this terminal's own, or one a peer handed over)."""
        by_lease = leases.available_by_lease(self.store, order.showtime_id)
        available = sorted((s for seats in by_lease.values() for s in seats), key=seat_order)
        if order.seats:
            for lease_id, seats in by_lease.items():
                if set(order.seats) <= set(seats):
                    return lease_id, order.seats
        if order.seats and not repick:
            missing = [s for s in order.seats if s not in available]
            why = (
                f"only this terminal's leased seats can be sold; {', '.join(missing)} is not"
                " one of them"
                if missing
                else "these seats belong to two leases (one came from another counter);"
                " sell them as two sales"
            )
            raise SeatUnavailable(
                "SEAT_NOT_LEASED" if missing else "SEATS_IN_TWO_LEASES",
                f"Offline: {why}.",
                {"seats": missing, "available": available},
            )
        cached = cache.get_seat_map(self.store, order.showtime_id)
        for lease_id, seats in sorted(by_lease.items(), key=lambda kv: -len(kv[1])):
            if cached is not None:
                chosen = best_together(cached.seat_map.auditorium, seats, count)
            else:
                chosen = seats[:count]
            if len(chosen) == count:
                return lease_id, chosen
        raise SeatUnavailable(
            "LEASE_EXHAUSTED",
            f"Offline and only {len(available)} leased seats left for this showtime.",
        )

    def _lease_left(self, showtime_id: str) -> int:
        return len(leases.available_seats(self.store, showtime_id))

    def _lease_short(self, order: Order, count: int) -> bool:
        """True when no one lease here holds enough unsold seats for the party."""
        by_lease = leases.available_by_lease(self.store, order.showtime_id)
        if order.seats:
            return not any(set(order.seats) <= set(seats) for seats in by_lease.values())
        return all(len(seats) < count for seats in by_lease.values())

    def _sell_offline(
        self,
        order: Order,
        types: list[str],
        prices: list[Priced],
        settlement: Settlement,
        failover: str | None,
        draft: sales.Sale | None = None,
    ) -> Outcome:
        repick = failover is not None and order.repick
        lease_id, seats = self._offline_seats(order, len(types), repick=repick)
        st = self.today.showtime(order.showtime_id)
        offline_sale = build_offline_sale(
            key=self.key,
            terminal_id=self.terminal_id,
            key_id=self.key_id,
            idempotency_key=draft.idempotency_key if draft else uuid.uuid4().hex,
            lease_id=lease_id,
            showtime_id=order.showtime_id,
            starts_at=st.start,
            cashier_id=order.cashier_id,
            sold_at=self.today.now(),
            lines=[
                Line(seat, kind, p.price, p.discount)
                for seat, kind, p in zip(seats, types, prices, strict=True)
            ],
            payments=settlement.payments,
        )
        try:
            with self.store.atomic():
                sale = sales.record_offline_sale(
                    self.store,
                    offline_sale,
                    tendered=settlement.tendered,
                    shift_id=order.shift_id,
                    draft_id=draft.id if draft else None,
                )
                sale = self.paid(sale)
                if order.then is not None:
                    order.then(sale)
        except SeatNotLeased as exc:
            raise SeatUnavailable("SEAT_NOT_LEASED", exc.message) from exc
        self.on_change()
        return Outcome(sale=sale, mode="offline", failover=failover)
