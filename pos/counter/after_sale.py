"""What happens to a sale after it was made: refunds and voids (supervisor only), reprints, and
picking up an online booking at the counter. Each is recorded here at once, in one transaction
with what the central must hear (the outbox) and what the journal keeps."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from contract import models
from contract.business_day import Clock
from contract.models import PickupRequest
from offline import cache, journal, outbox, sales
from offline.errors import AlreadyPickedUp, NotFound
from offline.store import Store
from pos.counter.connectivity import Breaker
from pos.counter.errors import CounterError
from pos.counter.printing import TicketPrinter
from pos.counter.selling import Seller
from pos.counter.staff import Staff
from pos.ports.errors import CentralError, Rejected
from pos.ports.port import CentralPort


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
        amount = sum(live[t].price for t in wanted)
        with self.store.atomic():
            if self.give_back is not None:
                self.give_back(sale, amount)
            refunded = sales.mark_refunded(self.store, sale.id, wanted, amount, reason=reason)
            outbox.enqueue(
                self.store,
                "refund",
                uuid.uuid4().hex,
                {"sale_key": sale.idempotency_key, "ticket_ids": wanted, "reason": reason},
            )
        self.on_change()
        return refunded

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
