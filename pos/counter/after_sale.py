"""What happens to a sale after it was made: refunds and voids (supervisor only), seat
exchanges, reprints, and picking up an online booking at the counter. Each is recorded here at
once, in one transaction with what the central must hear (the outbox) and what the journal
keeps."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from contract import models
from contract.business_day import Clock
from contract.models import PaymentMethod, PickupRequest
from contract.money import cash_back
from offline import cache, journal, outbox, sales
from offline.errors import AlreadyPickedUp, NotFound
from offline.store import Store
from pos.counter.connectivity import Breaker
from pos.counter.errors import CounterError
from pos.counter.payments import CODE_METHODS, Tender
from pos.counter.printing import TicketPrinter
from pos.counter.selling import Order, Outcome, Seller
from pos.counter.staff import Staff
from pos.ports.errors import CentralError, Rejected
from pos.ports.port import CentralPort


@dataclass(frozen=True, slots=True)
class Exchange:
    """Tickets of one sale exchanged for seats of a new sale (the same showtime or another)."""

    returned: sales.Sale
    """The old sale, the exchanged tickets refunded."""
    outcome: Outcome
    """The new sale."""
    credit: int
    """What the returned tickets were worth."""
    cash_due: int
    """Cash the customer hands over (above zero) or is handed back (below zero)."""


@dataclass(frozen=True, slots=True)
class ExchangePlan:
    showtime_id: str
    tickets: list[sales.SaleTicket]
    """The tickets that go back."""
    credit: int
    tenders: list[Tender]
    """How the new sale is paid (see `exchange_tenders`)."""
    cash_due: int


def exchange_tenders(sale: sales.Sale, credit: int, total: int) -> tuple[list[Tender], int]:
    """How a new sale of `total` is paid with the `credit` of tickets given back from `sale`,
    and the cash the customer still owes (below zero: is owed). The credit goes back as a refund
    does, cash first (`contract.money.cash_back`); its card part pays the new sale by card as far
    as it goes (the card terminal nets the two), and the rest is cash, so the drawer and the
    Z report agree with what changed hands."""
    cash_paid = sum(p.amount for p in sale.payments if p.method == "cash")
    cash_credit = cash_back(credit, cash_paid, min(sale.refunded, cash_paid))
    card = min(credit - cash_credit, total)
    tenders = [Tender(PaymentMethod.CASH, total - card)]
    if card:
        tenders.append(Tender(PaymentMethod.CARD, card, f"exchange of {sale.id[:12]}"))
    return tenders, total - card - cash_credit


class AfterSale:
    def __init__(
        self,
        store: Store,
        port: CentralPort,
        breaker: Breaker,
        staff: Staff,
        seller: Seller,
        printer: TicketPrinter,
        clock: Clock,
        on_change: Callable[[], None],
        give_back: Callable[[sales.Sale, int], None] | None = None,
    ) -> None:
        self.store = store
        self.port = port
        self.breaker = breaker
        self.staff = staff
        self.seller = seller
        self.printer = printer
        self.clock = clock
        self.on_change = on_change
        self.give_back = give_back
        """Records the share of money given back that returns to a payment-code wallet."""

    def sale(self, sale_id: str) -> sales.Sale:
        try:
            return sales.get(self.store, sale_id)
        except NotFound as exc:
            raise CounterError("UNKNOWN_SALE", f"No sale {sale_id!r} at this terminal.") from exc

    async def refund(
        self,
        sale_id: str,
        supervisor_id: str,
        pin: str,
        ticket_ids: list[str] | None = None,
        reason: str = "",
    ) -> sales.Sale:
        """Supervisor only. Recorded here at once; the central hears of it through the outbox."""
        self.staff.check_pin(supervisor_id, pin, supervisor=True)
        sale = self.sale(sale_id)
        live = {t.id: t for t in sale.tickets if not t.refunded}
        wanted = ticket_ids or list(live)
        if not wanted or any(t not in live for t in wanted):
            raise CounterError(
                "NOTHING_TO_REFUND", "Those tickets are already refunded or not here."
            )
        with self.store.atomic():
            refunded = self._refund(sale, wanted, reason)
        self.on_change()
        return refunded

    def _refund(self, sale: sales.Sale, ticket_ids: list[str], reason: str) -> sales.Sale:
        """Give tickets back here and tell the central (call inside a transaction)."""
        amount = sum(t.price for t in sale.tickets if t.id in ticket_ids)
        if self.give_back is not None:
            self.give_back(sale, amount)
        refunded = sales.mark_refunded(self.store, sale.id, ticket_ids, amount, reason=reason)
        outbox.enqueue(
            self.store,
            "refund",
            uuid.uuid4().hex,
            {"sale_key": sale.idempotency_key, "ticket_ids": ticket_ids, "reason": reason},
        )
        return refunded

    async def exchange(
        self,
        sale_id: str,
        seats: list[str],
        *,
        cashier_id: str,
        shift_id: str,
        showtime_id: str | None = None,
        ticket_ids: list[str] | None = None,
        hold_id: str | None = None,
    ) -> Exchange:
        """Seats of `showtime_id` (default: the same showtime) for tickets of a sale, in one
        step: the new seats are sold (online, or from the lease, as any sale), with the same
        ticket types and discounts at the new showtime's prices and paid with what the old
        tickets were worth; in the transaction that records the new sale paid, the old tickets
        are refunded and the exchange journalled with both sales, so a crash keeps all of it or
        none. Seats that cannot be had leave the old tickets as they were."""
        sale = self.sale(sale_id)
        plan = self.exchange_plan(sale_id, showtime_id, ticket_ids)
        wanted = [t.id for t in plan.tickets]

        def give_back(new: sales.Sale) -> None:
            self._refund(sale, wanted, f"exchanged for sale {new.id}")
            journal.append(
                self.store,
                "exchange",
                sale_id=sale.id,
                payload={
                    "to_sale_id": new.id,
                    "ticket_ids": wanted,
                    "credit": plan.credit,
                    "cash_due": plan.cash_due,
                    "cashier_id": cashier_id,
                },
            )

        if len(seats) != len(plan.tickets):
            raise CounterError(
                "SEATS_MISMATCH",
                f"{len(plan.tickets)} tickets go back: choose {len(plan.tickets)} seats.",
            )
        order = Order(
            showtime_id=plan.showtime_id,
            cashier_id=cashier_id,
            ticket_types=[t.ticket_type for t in plan.tickets],
            discounts=[t.discount for t in plan.tickets],
            tenders=plan.tenders,
            seats=seats,
            shift_id=shift_id,
            hold_id=hold_id,
            then=give_back,
            repick=False,
        )
        outcome = await self.seller.sell(order)
        self.on_change()
        return Exchange(self.sale(sale.id), outcome, plan.credit, plan.cash_due)

    def exchange_plan(
        self, sale_id: str, showtime_id: str | None = None, ticket_ids: list[str] | None = None
    ) -> ExchangePlan:
        """What an exchange of a sale's tickets (default: all still valid) for seats of
        `showtime_id` (default: the same) would cost: shown to the cashier before, and done
        exactly so."""
        sale = self.sale(sale_id)
        live = {t.id: t for t in sale.tickets if not t.refunded}
        wanted = ticket_ids or list(live)
        if sale.state not in ("paid", "printed", "synced") or not wanted:
            raise CounterError("NOT_EXCHANGEABLE", f"Sale {sale_id} has no tickets to exchange.")
        if any(t not in live for t in wanted):
            raise CounterError("NOT_EXCHANGEABLE", "Those tickets are refunded or not here.")
        if any(p.method in CODE_METHODS for p in sale.payments):
            # The wallet's money cannot pay a new sale here: it goes back through the provider.
            raise CounterError(
                "NOT_EXCHANGEABLE",
                f"Sale {sale_id} was paid by payment code: refund it (the money goes back to"
                " the wallet) and sell the new seats.",
            )
        old = [live[t] for t in wanted]
        target = showtime_id or sale.showtime_id
        total = self.seller.quote(target, [t.ticket_type for t in old], [t.discount for t in old])
        credit = sum(t.price for t in old)
        tenders, cash_due = exchange_tenders(sale, credit, total)
        return ExchangePlan(target, old, credit, tenders, cash_due)

    async def void(
        self, sale_id: str, supervisor_id: str, pin: str, reason: str = ""
    ) -> sales.Sale:
        """Supervisor only: the whole sale is undone here and cancelled at the central."""
        self.staff.check_pin(supervisor_id, pin, supervisor=True)
        sale = self.sale(sale_id)
        with self.store.atomic():
            if self.give_back is not None and sale.state not in ("voided", "refunded"):
                self.give_back(sale, sale.total - sale.refunded)
            voided = sales.mark_voided(self.store, sale.id, reason=reason, by=supervisor_id)
            self.seller.queue_cancel(sale.idempotency_key)
        self.on_change()
        return voided

    def reprint(self, sale_id: str) -> list[int]:
        """Tickets again, marked REPRINT, and the reprint journalled; a voided or refunded
        sale has no tickets left to hand out."""
        sale = self.sale(sale_id)
        if sale.state in ("voided", "refunded", "cancelled") or not any(
            not t.refunded for t in sale.tickets
        ):
            raise CounterError(
                "NOT_REPRINTABLE", f"Sale {sale_id} is {sale.state}: its tickets are not valid."
            )
        with self.store.atomic():
            jobs = self.printer.queue_reprint(sale)
            journal.append(self.store, "reprint", sale_id=sale.id, payload={"jobs": jobs})
        return jobs

    async def pick_up(self, code: str, cashier_id: str) -> cache.CachedBooking:
        """Online when possible (so a second pickup elsewhere is refused at once); from the
        cached bookings otherwise, told to the central later under the same key."""
        key = uuid.uuid4().hex
        cached = cache.get_booking(self.store, code)
        if not self.breaker.is_open:
            try:
                booking = await self.port.pick_up(
                    code, PickupRequest(cashier_id=cashier_id), key=key
                )
            except Rejected as exc:
                raise CounterError(exc.code, exc.message, exc.detail) from exc
            except CentralError:
                self.breaker.record_failure()
            else:
                with self.store.atomic():
                    cache.put_bookings(self.store, [booking])
                    found = cache.get_booking(self.store, code)
                    assert found is not None
                    self._print_booking(found.booking, cashier_id)
                return found
        if cached is None:
            raise CounterError("UNKNOWN_BOOKING", f"No booking {code!r} in today's list.")
        with self.store.atomic():
            try:
                found = cache.mark_picked_up(self.store, code, cashier_id)
            except AlreadyPickedUp as exc:
                raise CounterError("ALREADY_PICKED_UP", exc.message) from exc
            outbox.enqueue(
                self.store,
                "pickup",
                key,
                {"code": code, "cashier_id": cashier_id, "picked_up_at": self.clock().isoformat()},
            )
            self._print_booking(found.booking, cashier_id)
        self.on_change()
        return found

    def _print_booking(self, booking: models.Booking, cashier_id: str) -> None:
        """Tickets to the printer and the pickup to the journal: call inside the transaction
        that records the pickup, so a crash can never keep one without the other."""
        self.printer.queue_booking(booking)
        # the cashier puts the pickup on that cashier's shift report
        journal.append(
            self.store, "pickup", payload={"code": booking.code, "cashier_id": cashier_id}
        )
