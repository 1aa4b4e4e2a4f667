"""Draining the outbox: every queued operation reaches the central exactly once.

At least once from our side (an item stays until the central answers), at most once on the
central's (every item carries its idempotency key), so exactly once in effect. Offline sales
travel in batches; the rest one by one, in the order they were queued."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from pydantic import ValidationError

from contract.business_day import Clock
from contract.models import (
    MAX_BATCH,
    LeaseRelease,
    OfflineBatch,
    OfflineSale,
    OfflineSaleResult,
    PickupRequest,
    ReconciliationAnswer,
    ReconciliationRequest,
    RefundRequest,
    SyncResult,
)
from offline import handovers, outbox, sales
from offline.outbox import OutboxItem
from offline.store import Store
from pos.counter.connectivity import Breaker
from pos.ports.errors import CentralError, Conflict, Rejected, Unauthorized
from pos.ports.port import CentralPort

BATCH = MAX_BATCH
"""As many offline sales in one upload as the central takes."""
Progress = Callable[[int, int], None]


@dataclass
class SyncReport:
    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    """Definitive refusals of one item (a seat sold twice, a pickup already made): they leave
    the queue, kept for the supervisor, and show in `pos status` and the TUI."""
    held: int = 0
    """Items now held: the central would not take them for a reason that is not a verdict on
    them (a malformed request, an expired token); kept queued with the reason, retried later,
    never dropped."""
    remaining: int = 0
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)

    def add(self, other: SyncReport) -> None:
        """Count another drain's work into this one (its outcome, remaining and error, win)."""
        for name in ("sent", "accepted", "duplicates", "conflicts"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.held, self.remaining, self.error = other.held, other.remaining, other.error


HELD_FOR = timedelta(minutes=5)
"""How long an item the central refused (not as a verdict) waits before it is tried again."""


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60.0, 0.5 * 2**attempts) * random.uniform(0.8, 1.2))


class OutboxSender:
    """Sends the outbox: the only code that takes items out of it."""

    def __init__(
        self,
        store: Store,
        port: CentralPort,
        breaker: Breaker,
        clock: Clock,
        *,
        on_reconciled: Callable[[ReconciliationAnswer], None],
        on_change: Callable[[], None],
    ) -> None:
        self.store = store
        self.port = port
        self.breaker = breaker
        self.clock = clock
        self.on_reconciled = on_reconciled
        self.on_change = on_change
        self.since_open = SyncReport()
        """Every drain since the counter opened: `pos sync` reports the recovery drain too."""

    async def drain(self, progress: Progress | None = None, *, now: bool = False) -> SyncReport:
        """Send everything due (with `now`, everything waiting, back-off or not); stop at the
        first sign the central is unwell (items stay queued)."""
        store = self.store
        report = SyncReport()
        if now:
            outbox.due_now(store)
        try:
            await self._handovers(report)
        except CentralError as exc:
            report.error = str(exc)
            self.breaker.record_failure()
            total = 0  # the sales may need these handovers: they wait for the next drain
        else:
            total = outbox.depth(store)
        # Only what was queued when the drain began: on a busy counter new sales keep arriving,
        # and they wait for the next round instead of keeping this one going for ever.
        for _ in range(-(-total // BATCH)):
            claimed = outbox.claim(store, BATCH)
            if not claimed:
                break
            try:
                # A sale of handed-over seats is recorded after its handover: one made since
                # the drain began goes up now, before that sale.
                await self._handovers(report)
                await self._send(claimed, report)
            except CentralError as exc:
                report.error = str(exc)
                self.breaker.record_failure()
                break
            finally:
                outbox.recover_in_flight(store)
            if progress:
                progress(report.sent, total)
            self.on_change()
        report.remaining = outbox.depth(store) + handovers.pending(store)
        report.held = outbox.held(store)
        self.since_open.add(report)
        return report

    async def _handovers(self, report: SyncReport) -> None:
        """Handovers go first: the central takes a receiver's offline sales of handed-over
        seats only once it has the giver's signed handover. Either side's upload will do;
        both send theirs, and the second is a duplicate."""
        for handover in handovers.pending_uploads(self.store):
            try:
                result = await self.port.upload_handover(handover)
            except Unauthorized:
                raise
            except Rejected as exc:  # not a verdict the central can change its mind on
                handovers.uploaded(self.store, handover.id, exc.to_json(), failed=True)
                report.conflicts += 1
                report.sent += 1
                continue
            refused = result.result == SyncResult.CONFLICT
            handovers.uploaded(
                self.store, handover.id, result.model_dump(mode="json"), failed=refused
            )
            report.sent += 1
            if refused:
                report.conflicts += 1
            elif result.result == SyncResult.DUPLICATE:
                report.duplicates += 1
            else:
                report.accepted += 1
            self.on_change()

    async def _send(self, claimed: list[OutboxItem], report: SyncReport) -> None:
        i = 0
        while i < len(claimed):
            if claimed[i].kind == "sale":
                j = i
                while j < len(claimed) and claimed[j].kind == "sale":
                    j += 1
                await self._sale_batch(claimed[i:j], report)
                i = j
                continue
            item = claimed[i]
            try:
                result = await self._one(item)
            except Unauthorized as exc:  # this terminal's token: nothing else will go either
                self._hold([item], exc)
                raise
            except Conflict as exc:  # a verdict on this one operation
                outbox.give_up(self.store, item.id, f"conflict: {exc}")
                report.conflicts += 1
            except Rejected as exc:
                self._hold([item], exc)
                report.held += 1
            except CentralError as exc:
                outbox.retry_later(
                    self.store, item.id, str(exc), self.clock() + _backoff(item.attempts)
                )
                raise
            else:
                outbox.complete(self.store, item.id, result)
                report.accepted += 1
            report.sent += 1
            i += 1

    def _hold(self, items: list[OutboxItem], why: Exception | str) -> None:
        """Keep items queued with the reason, tried again later: never dropped."""
        for item in items:
            outbox.retry_later(self.store, item.id, f"held: {why}", self.clock() + HELD_FOR)

    async def _sale_batch(self, items: list[OutboxItem], report: SyncReport) -> None:
        sendable: list[tuple[OutboxItem, OfflineSale]] = []
        for item in items:
            try:
                sendable.append((item, OfflineSale.model_validate(item.payload)))
            except ValidationError:
                self._hold([item], "this sale's record is damaged in the store")
                report.held += 1
        if sendable:
            await self._upload([i for i, _ in sendable], [s for _, s in sendable], report)

    async def _upload(
        self, items: list[OutboxItem], batch: list[OfflineSale], report: SyncReport
    ) -> None:
        try:
            answer = await self.port.upload_offline(OfflineBatch(sales=batch))
        except Unauthorized as exc:
            self._hold(items, exc)
            raise
        except Rejected as exc:
            # The central refused the whole request: split it, so one sale it cannot take
            # never holds back the others; that one alone is kept aside, with the reason.
            if len(items) == 1:
                self._hold(items, exc)
                report.held += 1
                return
            half = len(items) // 2
            await self._upload(items[:half], batch[:half], report)
            await self._upload(items[half:], batch[half:], report)
            return
        except CentralError as exc:
            for item in items:
                outbox.retry_later(
                    self.store, item.id, str(exc), self.clock() + _backoff(item.attempts)
                )
            raise
        results = {r.idempotency_key: r for r in answer.results}
        # One local transaction for the whole answer: one fsync instead of one per sale. Should
        # it fail, the items stay in flight and are resent; the central answers "duplicate".
        with self.store.atomic():
            for item in items:
                self._record_result(item, results.get(item.idempotency_key), report)

    def _record_result(
        self, item: OutboxItem, result: OfflineSaleResult | None, report: SyncReport
    ) -> None:
        report.sent += 1
        if result is None:
            outbox.retry_later(self.store, item.id, "no answer for this sale", self.clock())
            return
        if result.result == SyncResult.CONFLICT:
            outbox.give_up(self.store, item.id, f"conflict: {result.reason}")
            report.conflicts += 1
            return
        if result.result == SyncResult.DUPLICATE:
            report.duplicates += 1
        else:
            report.accepted += 1
        outbox.complete(self.store, item.id, result.model_dump(mode="json"))
        sales.mark_synced(self.store, item.idempotency_key, result.sale_id)

    async def _central_sale_id(self, sale_key: str) -> str:
        local = sales.by_key(self.store, sale_key)
        if local is not None and local.central_sale_id:
            return local.central_sale_id
        return (await self.port.sale_by_key(sale_key)).id

    async def _one(self, item: OutboxItem) -> dict[str, object]:
        p = item.payload
        port = self.port
        key = item.idempotency_key
        match item.kind:
            case "cancel":
                answer = await port.cancel(p["sale_key"], key)
            case "refund":
                sale_id = await self._central_sale_id(p["sale_key"])
                answer = await port.refund(
                    sale_id,
                    RefundRequest(ticket_ids=p["ticket_ids"], reason=p.get("reason", "")),
                    key,
                )
            case "pickup":
                answer = await port.pick_up(
                    p["code"],
                    PickupRequest(cashier_id=p["cashier_id"], picked_up_at=p.get("picked_up_at")),
                    key,
                )
            case "release":
                answer = await port.release(p["lease_id"], LeaseRelease(seats=p["seats"]), key)
            case "report":
                reconciled = await port.reconcile(ReconciliationRequest.model_validate(p), key)
                self.on_reconciled(reconciled)
                answer = reconciled
            case _:
                raise AssertionError(f"unknown outbox kind {item.kind}")
        return answer.model_dump(mode="json")
