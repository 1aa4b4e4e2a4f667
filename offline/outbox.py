"""Operations the central must still hear about, sent at least once, acted on exactly once.

An item is written before the first attempt, in the same transaction as the local change it
reports, and carries the idempotency key the central uses to drop repeats. Life of an item:

    pending --claim--> in_flight --complete--> done
       ^                   |  \\--give_up--> failed (kept for a human; requeue to try again)
       +---retry_later-----+
       +---recover_in_flight (at start: the central's idempotency makes resending safe)
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from contract.ticket_code import canonical_json
from offline.errors import DuplicateKey, IllegalTransition, NotFound
from offline.store import Store
from offline.values import from_iso, utc_iso

Kind = Literal["sale", "cancel", "refund", "pickup", "release", "report"]
State = Literal["pending", "in_flight", "done", "failed"]
KINDS: frozenset[str] = frozenset(("sale", "cancel", "refund", "pickup", "release", "report"))
STATES: frozenset[str] = frozenset(("pending", "in_flight", "done", "failed"))

_COLUMNS = (
    "id, kind, idempotency_key, payload, state, attempts, next_attempt_at, last_error, result,"
    " created_at, updated_at"
)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    kind: str
    idempotency_key: str
    payload: dict[str, Any]
    state: str
    attempts: int
    """Failed tries so far."""
    next_attempt_at: datetime
    last_error: str | None
    result: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


def _item(row: tuple[Any, ...]) -> OutboxItem:
    id_, kind, key, payload, state, attempts, next_at, error, result, created, updated = row
    return OutboxItem(
        id=id_,
        kind=kind,
        idempotency_key=key,
        payload=json.loads(payload),
        state=state,
        attempts=attempts,
        next_attempt_at=from_iso(next_at),
        last_error=error,
        result=json.loads(result) if result is not None else None,
        created_at=from_iso(created),
        updated_at=from_iso(updated),
    )


def _write(store: Store, sql: str, params: list[Any]) -> sqlite3.Cursor:
    """One statement: all or nothing by itself inside the caller's transaction (no savepoint
    needed), its own transaction through `store.atomic()` outside one."""
    if store.db.conn.in_transaction:
        return store.db.conn.execute(sql, params)
    with store.atomic() as db:
        return db.conn.execute(sql, params)


def enqueue(store: Store, kind: Kind, idempotency_key: str, payload: dict[str, Any]) -> int:
    """Queue an operation, due now; returns its id. A reused idempotency key raises."""
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}; expected one of {sorted(KINDS)}")
    if not idempotency_key:
        raise ValueError("an outbox item needs an idempotency key")
    body = canonical_json(payload).decode()
    now = store.now_iso()
    # One statement: the unique key refuses a repeat and nothing is written.
    cursor = _write(
        store,
        "INSERT INTO outbox (kind, idempotency_key, payload, state, next_attempt_at,"
        " created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)"
        " ON CONFLICT (idempotency_key) DO NOTHING",
        [kind, idempotency_key, body, now, now, now],
    )
    if cursor.rowcount != 1:
        raise DuplicateKey("an outbox item", idempotency_key)
    return int(cursor.lastrowid or 0)


def claim(store: Store, limit: int, now: datetime | None = None) -> list[OutboxItem]:
    """Move up to `limit` due pending items to in_flight and return them, oldest first.

    One UPDATE ... RETURNING inside one transaction, so two workers (each with its own Store)
    never claim the same item.
    """
    if limit < 1:
        return []
    at = utc_iso(now) if now is not None else store.now_iso()
    with store.atomic() as db:
        rows = db.execute(
            "UPDATE outbox SET state = 'in_flight', updated_at = :at"
            " WHERE id IN (SELECT id FROM outbox WHERE state = 'pending'"
            " AND next_attempt_at <= :at ORDER BY id LIMIT :limit)"
            f" RETURNING {_COLUMNS}",
            {"at": at, "limit": limit},
        ).fetchall()
    return sorted((_item(row) for row in rows), key=lambda item: item.id)


def _finish(
    store: Store, item_id: int, allowed: tuple[str, ...], to: str, sql: str, params: list[Any]
) -> None:
    """One UPDATE guarded by the allowed states; only when it changes nothing, say why."""
    states = ", ".join("?" * len(allowed))
    cursor = _write(
        store, f"{sql} AND state IN ({states})", [*params, store.now_iso(), item_id, *allowed]
    )
    if cursor.rowcount == 1:
        return
    row = store.db.execute("SELECT state FROM outbox WHERE id = ?", [item_id]).fetchone()
    if row is None:
        raise NotFound(f"outbox item {item_id} does not exist")
    raise IllegalTransition(f"outbox item {item_id}", row[0], to)


def complete(store: Store, item_id: int, result: dict[str, Any]) -> None:
    """The central acted (or said it already had): keep its answer, never send again."""
    _finish(
        store,
        item_id,
        ("in_flight",),
        "done",
        "UPDATE outbox SET state = 'done', result = ?, last_error = NULL, updated_at = ?"
        " WHERE id = ?",
        [canonical_json(result).decode()],
    )


def retry_later(store: Store, item_id: int, error: str, next_attempt_at: datetime) -> None:
    """A try failed in a way worth repeating (timeout, 5xx): count it and wait."""
    _finish(
        store,
        item_id,
        ("in_flight",),
        "pending",
        "UPDATE outbox SET state = 'pending', attempts = attempts + 1, last_error = ?,"
        " next_attempt_at = ?, updated_at = ? WHERE id = ?",
        [error, utc_iso(next_attempt_at)],
    )


def give_up(store: Store, item_id: int, error: str) -> None:
    """The central refused for good (a conflict): keep the item, failed, for a human."""
    _finish(
        store,
        item_id,
        ("pending", "in_flight"),
        "failed",
        "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?,"
        " updated_at = ? WHERE id = ?",
        [error],
    )


def requeue(store: Store, item_id: int) -> None:
    """A human decided a failed item should be tried again, now."""
    now = store.now_iso()
    _finish(
        store,
        item_id,
        ("failed",),
        "pending",
        "UPDATE outbox SET state = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ?",
        [now],
    )


def due_now(store: Store) -> int:
    """Make every waiting item due at once: the central is back (or a person asked to sync),
    so the back-off that protected a sick central has no reason left. Returns how many."""
    now = store.now_iso()
    with store.atomic() as db:
        cursor = db.execute(
            "UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND next_attempt_at > ?",
            [now, now],
        )
        return cursor.rowcount


def recover_in_flight(store: Store) -> int:
    """At start, items a previous run claimed but never finished go back to pending.

    Their outcome is unknown; resending is safe because the central drops repeats of a key.
    Returns how many were recovered.
    """
    with store.atomic() as db:
        cursor = db.execute(
            "UPDATE outbox SET state = 'pending', updated_at = ? WHERE state = 'in_flight'",
            [store.now_iso()],
        )
        return cursor.rowcount


def depth(store: Store) -> int:
    """Items the central has yet to acknowledge (pending and in flight)."""
    row = store.db.execute(
        "SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')"
    ).fetchone()
    return int(row[0])


def held(store: Store) -> int:
    """Queued items the central refused for a reason that was not a verdict on them (the
    sender marks them `held: ...`): still queued and retried, but a human should look."""
    row = store.db.execute(
        "SELECT count(*) FROM outbox WHERE state = 'pending' AND last_error LIKE 'held:%'"
    ).fetchone()
    return int(row[0])


def conflicts(store: Store) -> int:
    """Items the central refused as a verdict (state failed): kept for the supervisor."""
    row = store.db.execute("SELECT count(*) FROM outbox WHERE state = 'failed'").fetchone()
    return int(row[0])


def items(store: Store, state: State | None = None) -> list[OutboxItem]:
    """Items in id order, optionally only those in one state."""
    if state is not None and state not in STATES:
        raise ValueError(f"unknown outbox state {state!r}")
    sql = f"SELECT {_COLUMNS} FROM outbox"
    params: list[Any] = []
    if state is not None:
        sql += " WHERE state = ?"
        params.append(state)
    return [_item(row) for row in store.db.execute(sql + " ORDER BY id", params)]


def get(store: Store, item_id: int) -> OutboxItem:
    row = store.db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", [item_id]).fetchone()
    if row is None:
        raise NotFound(f"outbox item {item_id} does not exist")
    return _item(row)
