"""A hash-chained journal of every money or seat event.

Each entry carries the hash of the one before, so changing, deleting or reordering a row
breaks the chain at that row and `verify()` names it. Deleting entries from the end leaves a
valid shorter chain: compare `last_hash` with one recorded elsewhere (a printed or uploaded Z
report) to catch that.

Entries are appended inside the caller's transaction, so an event and its journal entry are
written together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from contract.ticket_code import canonical_json
from offline.store import Store
from offline.values import fen

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class JournalEntry:
    seq: int
    at: str
    kind: str
    sale_id: str | None
    amount: int
    """Signed fen: money in is positive, refunds and voids negative, seat events zero."""
    payload: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class JournalCheck:
    ok: bool
    entries: int
    first_bad_seq: int | None
    reason: str
    first_hash: str | None
    last_hash: str | None


def entry_hash(
    prev_hash: str, seq: int, at: str, kind: str, sale_id: str | None, amount: int, payload: str
) -> str:
    """sha256 of the previous hash followed by the canonical JSON of the row's own fields."""
    row = {
        "seq": seq,
        "at": at,
        "kind": kind,
        "sale_id": sale_id,
        "amount": amount,
        "payload": payload,
    }
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(row)).hexdigest()


@dataclass(frozen=True, slots=True)
class Event:
    """An entry to append: what happened, to which sale, for how much (signed fen)."""

    kind: str
    payload: dict[str, Any]
    sale_id: str | None = None
    amount: int = 0


def append(
    store: Store,
    kind: str,
    *,
    sale_id: str | None = None,
    amount: int = 0,
    payload: dict[str, Any],
) -> JournalEntry:
    """Append one entry, chained to the last; part of the caller's transaction if one is open."""
    return append_all(store, [Event(kind, payload, sale_id, amount)])[0]


def append_all(store: Store, events: Sequence[Event]) -> list[JournalEntry]:
    """Append entries in order, each chained to the one before: one read of the chain's end and
    one INSERT for all of them, in the caller's transaction if one is open."""
    rows = []
    for event in events:
        if not event.kind:
            raise ValueError("a journal entry needs a kind")
        fen(event.amount, "journal amount", signed=True)
        rows.append((event, canonical_json(event.payload).decode()))
    if not rows:
        return []
    at = store.now_iso()
    with store.atomic() as db:
        last = db.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS)
        written = []
        for event, text in rows:
            seq += 1
            digest = entry_hash(prev_hash, seq, at, event.kind, event.sale_id, event.amount, text)
            written.append(
                (seq, at, event.kind, event.sale_id, event.amount, text, prev_hash, digest)
            )
            prev_hash = digest
        db.conn.executemany(
            "INSERT INTO journal (seq, at, kind, sale_id, amount, payload, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            written,
        )
    return [
        JournalEntry(seq, at, kind, sale_id, amount, json.loads(text), prev, digest)
        for seq, at, kind, sale_id, amount, text, prev, digest in written
    ]


def entries(store: Store, *, sale_id: str | None = None) -> list[JournalEntry]:
    """Entries in order, optionally only those of one sale."""
    sql = "SELECT seq, at, kind, sale_id, amount, payload, prev_hash, hash FROM journal"
    params: list[Any] = []
    if sale_id is not None:
        sql += " WHERE sale_id = ?"
        params.append(sale_id)
    rows = store.db.execute(sql + " ORDER BY seq", params).fetchall()
    return [JournalEntry(*row[:5], json.loads(row[5]), row[6], row[7]) for row in rows]


def verify(store: Store) -> JournalCheck:
    """Walk the chain from the first entry; report the first row that does not fit."""
    rows = store.db.execute(
        "SELECT seq, at, kind, sale_id, amount, payload, prev_hash, hash FROM journal ORDER BY seq"
    )
    prev_hash = GENESIS
    first_hash: str | None = None
    count = 0
    for row in rows:
        problem = _problem(row, count + 1, prev_hash)
        if problem is not None:
            bad_seq, reason = problem
            last = prev_hash if count else None
            return JournalCheck(False, count, bad_seq, reason, first_hash, last)
        prev_hash = row[7]
        first_hash = first_hash or prev_hash
        count += 1
    return JournalCheck(True, count, None, "ok", first_hash, prev_hash if count else None)


def _problem(row: tuple[Any, ...], expected_seq: int, prev_hash: str) -> tuple[int, str] | None:
    seq, at, kind, sale_id, amount, payload, stored_prev, stored_hash = row
    if seq != expected_seq:
        return expected_seq, f"entry {expected_seq} is missing (the next one is {seq})"
    if stored_prev != prev_hash:
        return seq, f"entry {seq} does not follow entry {seq - 1}: deleted or reordered"
    if type(amount) is not int:
        return seq, f"entry {seq} has a non-integer amount"
    if entry_hash(prev_hash, seq, at, kind, sale_id, amount, payload) != stored_hash:
        return seq, f"entry {seq} was altered: its hash does not match its content"
    return None
