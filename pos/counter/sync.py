"""Draining the outbox: every queued operation reaches the central exactly once.

At least once from our side (an item stays until the central answers), at most once on the
central's (every item carries its idempotency key), so exactly once in effect. Offline sales
travel in batches; the rest one by one, in the order they were queued."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from contract.models import (
    MAX_BATCH,
    LeaseRelease,
    OfflineBatch,
    OfflineSale,
    OfflineSaleResult,
    PickupRequest,
    ReconciliationRequest,
    RefundRequest,
    SyncResult,
)
from offline import outbox, sales
from offline.outbox import OutboxItem
from pos.ports.central_client import CentralError, Rejected

if TYPE_CHECKING:
    from pos.counter.service import Counter

BATCH = MAX_BATCH
"""As many offline sales in one upload as the central takes."""
Progress = Callable[[int, int], None]


@dataclass
class SyncReport:
    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    failed: int = 0
    remaining: int = 0
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60.0, 0.5 * 2**attempts) * random.uniform(0.8, 1.2))


async def drain(
    counter: Counter, progress: Progress | None = None, *, now: bool = False
) -> SyncReport:
    """Send everything due (with `now`, everything waiting, back-off or not); stop at the
    first sign the central is unwell (items stay queued)."""
    store = counter.store
    report = SyncReport()
    if now:
        outbox.due_now(store)
    total = outbox.depth(store)
    # Only what was queued when the drain began: on a busy counter new sales keep arriving,
    # and they wait for the next round instead of keeping this one going for ever.
    for _ in range(-(-total // BATCH)):
        claimed = outbox.claim(store, BATCH)
        if not claimed:
            break
        try:
            await _send(counter, claimed, report)
        except CentralError as exc:
            report.error = str(exc)
            counter.breaker.record_failure()
            break
        finally:
            outbox.recover_in_flight(store)
        if progress:
            progress(report.sent, total)
        counter.notify()
    report.remaining = outbox.depth(store)
    return report


async def _send(counter: Counter, claimed: list[OutboxItem], report: SyncReport) -> None:
    i = 0
    while i < len(claimed):
        if claimed[i].kind == "sale":
            j = i
            while j < len(claimed) and claimed[j].kind == "sale":
                j += 1
            await _sale_batch(counter, claimed[i:j], report)
            i = j
            continue
        item = claimed[i]
        try:
            result = await _one(counter, item)
        except Rejected as exc:
            outbox.give_up(counter.store, item.id, str(exc))
            report.failed += 1
        except CentralError as exc:
            outbox.retry_later(
                counter.store, item.id, str(exc), counter.now() + _backoff(item.attempts)
            )
            raise
        else:
            outbox.complete(counter.store, item.id, result)
            report.accepted += 1
        report.sent += 1
        i += 1


async def _sale_batch(counter: Counter, items: list[OutboxItem], report: SyncReport) -> None:
    batch = OfflineBatch(sales=[OfflineSale.model_validate(i.payload) for i in items])
    try:
        answer = await counter.client.upload_offline(batch)
    except CentralError as exc:
        if not isinstance(exc, Rejected):
            for item in items:
                outbox.retry_later(
                    counter.store, item.id, str(exc), counter.now() + _backoff(item.attempts)
                )
            raise
        for item in items:
            outbox.give_up(counter.store, item.id, str(exc))
        report.failed += len(items)
        return
    results = {r.idempotency_key: r for r in answer.results}
    # One local transaction for the whole answer: one fsync instead of one per sale. Should it
    # fail, the items stay in flight and are resent; the central answers "duplicate".
    with counter.store.atomic():
        for item in items:
            _record_result(counter, item, results.get(item.idempotency_key), report)


def _record_result(
    counter: Counter, item: OutboxItem, result: OfflineSaleResult | None, report: SyncReport
) -> None:
    report.sent += 1
    if result is None:
        outbox.retry_later(counter.store, item.id, "no answer for this sale", counter.now())
        return
    if result.result == SyncResult.CONFLICT:
        outbox.give_up(counter.store, item.id, f"conflict: {result.reason}")
        report.conflicts += 1
        return
    if result.result == SyncResult.DUPLICATE:
        report.duplicates += 1
    else:
        report.accepted += 1
    outbox.complete(counter.store, item.id, result.model_dump(mode="json"))
    sales.mark_synced(counter.store, item.idempotency_key, result.sale_id)


async def _central_sale_id(counter: Counter, sale_key: str) -> str:
    local = sales.by_key(counter.store, sale_key)
    if local is not None and local.central_sale_id:
        return local.central_sale_id
    return (await counter.client.sale_by_key(sale_key)).id


async def _one(counter: Counter, item: OutboxItem) -> dict[str, object]:
    p = item.payload
    client = counter.client
    key = item.idempotency_key
    match item.kind:
        case "cancel":
            answer = await client.cancel(p["sale_key"], key)
        case "refund":
            sale_id = await _central_sale_id(counter, p["sale_key"])
            answer = await client.refund(
                sale_id,
                RefundRequest(ticket_ids=p["ticket_ids"], reason=p.get("reason", "")),
                key,
            )
        case "pickup":
            answer = await client.pick_up(
                p["code"],
                PickupRequest(cashier_id=p["cashier_id"], picked_up_at=p.get("picked_up_at")),
                key,
            )
        case "release":
            answer = await client.release(p["lease_id"], LeaseRelease(seats=p["seats"]), key)
        case "report":
            answer = await client.reconcile(ReconciliationRequest.model_validate(p), key)
            counter.reconciled(answer)
        case _:
            raise AssertionError(f"unknown outbox kind {item.kind}")
    return answer.model_dump(mode="json")
