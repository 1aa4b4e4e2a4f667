"""The outbox: claimed by one worker at a time, retried, given up, recovered after a crash."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from offline_helpers import FakeClock

from offline import outbox
from offline.errors import DuplicateKey, IllegalTransition, NotFound
from offline.store import Store


def test_claim_takes_due_pending_items_in_id_order(store: Store, clock: FakeClock) -> None:
    ids = [outbox.enqueue(store, "sale", f"sale-key-{n}", {"n": n}) for n in range(5)]
    first = outbox.claim(store, 3)
    assert [item.id for item in first] == ids[:3]
    assert all(item.state == "in_flight" for item in first)
    assert first[0].payload == {"n": 0}
    assert [item.id for item in outbox.claim(store, 10)] == ids[3:]
    assert outbox.claim(store, 10) == []
    assert outbox.depth(store) == 5


def test_an_item_is_not_claimed_before_its_time(store: Store, clock: FakeClock) -> None:
    item_id = outbox.enqueue(store, "cancel", "cancel-key-1", {})
    [claimed] = outbox.claim(store, 1)
    outbox.retry_later(store, item_id, "timeout", clock.now + timedelta(seconds=30))
    item = outbox.get(store, item_id)
    assert (item.state, item.attempts, item.last_error) == ("pending", 1, "timeout")

    assert outbox.claim(store, 1, clock.now + timedelta(seconds=29)) == []
    clock.advance(30)
    assert [i.id for i in outbox.claim(store, 1)] == [claimed.id]


def test_complete_keeps_the_answer_and_leaves_the_queue(store: Store) -> None:
    item_id = outbox.enqueue(store, "sale", "sale-key-1", {})
    outbox.claim(store, 1)
    outbox.complete(store, item_id, {"result": "accepted", "sale_id": "C-9"})
    item = outbox.get(store, item_id)
    assert item.state == "done" and item.result == {"result": "accepted", "sale_id": "C-9"}
    assert outbox.depth(store) == 0
    with pytest.raises(IllegalTransition):
        outbox.complete(store, item_id, {})


def test_give_up_keeps_the_item_for_a_human(store: Store) -> None:
    item_id = outbox.enqueue(store, "sale", "sale-key-1", {})
    outbox.claim(store, 1)
    outbox.give_up(store, item_id, "conflict: seat sold elsewhere")
    assert [i.id for i in outbox.items(store, "failed")] == [item_id]
    assert outbox.depth(store) == 0
    outbox.requeue(store, item_id)
    assert [i.id for i in outbox.claim(store, 5)] == [item_id]


def test_only_in_flight_items_can_be_completed_or_retried(store: Store, clock: FakeClock) -> None:
    item_id = outbox.enqueue(store, "refund", "refund-key-1", {})
    with pytest.raises(IllegalTransition, match="pending"):
        outbox.complete(store, item_id, {})
    with pytest.raises(IllegalTransition):
        outbox.retry_later(store, item_id, "x", clock.now)
    with pytest.raises(NotFound):
        outbox.complete(store, 999, {})


def test_an_idempotency_key_is_used_once(store: Store) -> None:
    outbox.enqueue(store, "sale", "sale-key-1", {})
    with pytest.raises(DuplicateKey):
        outbox.enqueue(store, "cancel", "sale-key-1", {})
    with pytest.raises(ValueError, match="unknown outbox kind"):
        outbox.enqueue(store, "teleport", "other-key-1", {})  # type: ignore[arg-type]
    assert outbox.depth(store) == 1


def test_recover_in_flight_after_a_crash(store_path: Path, clock: FakeClock) -> None:
    with Store.open(store_path, clock=clock) as before_crash:
        for n in range(3):
            outbox.enqueue(before_crash, "sale", f"sale-key-{n}", {})
        claimed = outbox.claim(before_crash, 2)
    with Store.open(store_path, clock=clock) as after:
        assert len(outbox.items(after, "in_flight")) == 2
        assert outbox.recover_in_flight(after) == 2
        assert outbox.items(after, "in_flight") == []
        again = outbox.claim(after, 5)
        assert [i.id for i in again] == [claimed[0].id, claimed[1].id, again[2].id]


def test_two_workers_never_claim_the_same_item(store_path: Path) -> None:
    with Store.open(store_path) as store:
        for n in range(300):
            outbox.enqueue(store, "sale", f"sale-key-{n:04d}", {"n": n})
    barrier = threading.Barrier(2)
    claimed: list[list[int]] = [[], []]
    errors: list[BaseException] = []

    def worker(slot: int) -> None:
        try:
            with Store.open(store_path, check=False) as own:
                barrier.wait()
                while batch := outbox.claim(own, 4):
                    claimed[slot].extend(item.id for item in batch)
                    time.sleep(0.002)  # stands in for the HTTP call, made outside any transaction
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert not set(claimed[0]) & set(claimed[1])
    assert sorted(claimed[0] + claimed[1]) == list(range(1, 301))
    assert claimed[0] and claimed[1]  # both really took part
