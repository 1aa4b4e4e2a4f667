"""Handovers in the terminal's store: seats given to a peer, seats received from one, the asks
sent, and which handovers the central has still to hear about.

A giver records the handover (its seats leave its lease) in the same transaction as it decides
to give them, before it answers; a receiver records what it received (the seats become its
lease `handover.id`, ready to sell) in the same transaction as it closes its ask. Every change
is journalled with it. A seat given away is never taken back from the central's later view of
the giver's lease (`given_seats`, read by `leases.put_lease`): the central may still list it
there until the handover reaches it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from contract.handover import Handover
from contract.seating import seat_order
from offline import journal
from offline.errors import SeatNotLeased
from offline.store import Store
from offline.values import utc_iso

Role = Literal["given", "received"]


@dataclass(frozen=True, slots=True)
class Ask:
    """An ask for seats sent (or about to be sent) to a peer, under an id made before it."""

    request_id: str
    peer_id: str
    showtime_id: str
    at_least: int
    wanted: int
    state: str


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _insert(store: Store, handover: Handover, role: Role) -> None:
    now = store.now_iso()
    store.db.execute(
        "INSERT INTO handovers (id, role, request_id, giver_id, receiver_id, showtime_id,"
        " lease_id, seats, document, upload, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
        [
            handover.id,
            role,
            handover.request_id,
            handover.giver_id,
            handover.receiver_id,
            handover.showtime_id,
            handover.lease_id,
            json.dumps(handover.seats),
            handover.model_dump_json(),
            now,
            now,
        ],
    )


def given_for(store: Store, receiver_id: str, request_id: str) -> Handover | None:
    """The handover already made for this ask, if any: the same answer, again."""
    row = store.db.execute(
        "SELECT document FROM handovers WHERE role = 'given' AND receiver_id = ?"
        " AND request_id = ?",
        [receiver_id, request_id],
    ).fetchone()
    return Handover.model_validate_json(row[0]) if row else None


def record_given(store: Store, handover: Handover) -> None:
    """The seats leave this terminal's lease `handover.lease_id` for good, and the handover is
    queued for upload: all or nothing (SeatNotLeased names seats that are not available
    there)."""
    seats = list(handover.seats)
    with store.atomic() as db:
        rows = db.execute(
            f"SELECT seat FROM lease_seats WHERE showtime_id = ? AND lease_id = ?"
            f" AND state = 'available' AND seat IN ({_marks(len(seats))})",
            [handover.showtime_id, handover.lease_id, *seats],
        ).fetchall()
        missing = sorted(set(seats) - {seat for (seat,) in rows}, key=seat_order)
        if missing:
            raise SeatNotLeased(handover.showtime_id, missing, "not available to hand over")
        db.execute(
            f"DELETE FROM lease_seats WHERE showtime_id = ? AND seat IN ({_marks(len(seats))})",
            [handover.showtime_id, *seats],
        )
        _insert(store, handover, "given")
        journal.append(store, "handover_given", payload=_payload(handover))


def received_leases(store: Store) -> set[str]:
    """Lease ids this terminal holds by handover (they are the handovers' ids)."""
    rows = store.db.execute("SELECT id FROM handovers WHERE role = 'received'")
    return {lease_id for (lease_id,) in rows}


def given_seats(store: Store, lease_id: str) -> set[str]:
    """Seats this terminal handed away out of lease `lease_id`."""
    rows = store.db.execute(
        "SELECT value FROM handovers, json_each(handovers.seats)"
        " WHERE role = 'given' AND lease_id = ?",
        [lease_id],
    )
    return {seat for (seat,) in rows}


def record_received(store: Store, handover: Handover) -> None:
    """The seats become this terminal's lease `handover.id`, available to sell, and the ask is
    answered; a handover recorded already changes nothing (the same answer, again)."""
    with store.atomic() as db:
        if db.execute("SELECT 1 FROM handovers WHERE id = ?", [handover.id]).fetchone():
            _close_ask(store, handover.request_id, "answered", handover.id)
            return
        seats = list(handover.seats)
        sold = db.execute(
            f"SELECT seat FROM lease_seats WHERE showtime_id = ? AND state = 'sold'"
            f" AND seat IN ({_marks(len(seats))})",
            [handover.showtime_id, *seats],
        ).fetchall()
        if sold:  # only a giver that cheats could hand over a seat sold here
            raise SeatNotLeased(handover.showtime_id, [s for (s,) in sold], "already sold here")
        now = store.now_iso()
        db.execute(
            "INSERT INTO leases (id, showtime_id, terminal_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [handover.id, handover.showtime_id, handover.receiver_id,
             utc_iso(handover.made_at), now],
        )  # fmt: skip
        db.conn.executemany(
            "INSERT INTO lease_seats (showtime_id, seat, lease_id, state, updated_at)"
            " VALUES (?, ?, ?, 'available', ?) ON CONFLICT (showtime_id, seat) DO UPDATE SET"
            " lease_id = excluded.lease_id, state = 'available', sale_id = NULL,"
            " updated_at = excluded.updated_at",
            [(handover.showtime_id, s, handover.id, now) for s in seats],
        )
        _insert(store, handover, "received")
        _close_ask(store, handover.request_id, "answered", handover.id)
        journal.append(store, "handover_received", payload=_payload(handover))


def _payload(handover: Handover) -> dict[str, Any]:
    return {
        "handover_id": handover.id,
        "showtime_id": handover.showtime_id,
        "lease_id": handover.lease_id,
        "giver_id": handover.giver_id,
        "receiver_id": handover.receiver_id,
        "seats": list(handover.seats),
    }


# --- asks --------------------------------------------------------------------------------------


def open_ask(store: Store, ask: Ask) -> None:
    """Written before the first try, so the id survives a crash and is asked again."""
    now = store.now_iso()
    with store.atomic() as db:
        db.execute(
            "INSERT INTO handover_asks (request_id, peer_id, showtime_id, at_least, wanted,"
            " state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
            [ask.request_id, ask.peer_id, ask.showtime_id, ask.at_least, ask.wanted, now, now],
        )


def open_asks(store: Store, showtime_id: str) -> list[Ask]:
    """Asks of the showtime still without an answer (a peer down, or its answer lost)."""
    rows = store.db.execute(
        "SELECT request_id, peer_id, showtime_id, at_least, wanted, state FROM handover_asks"
        " WHERE state = 'open' AND showtime_id = ? ORDER BY created_at",
        [showtime_id],
    )
    return [Ask(*row) for row in rows]


def refused(store: Store, request_id: str) -> None:
    """The peer answered that it has nothing to spare: the ask is closed."""
    with store.atomic():
        _close_ask(store, request_id, "refused", None)


def _close_ask(store: Store, request_id: str, state: str, handover_id: str | None) -> None:
    store.db.execute(
        "UPDATE handover_asks SET state = ?, handover_id = ?, updated_at = ?"
        " WHERE request_id = ? AND state = 'open'",
        [state, handover_id, store.now_iso(), request_id],
    )


# --- upload ------------------------------------------------------------------------------------


def pending_uploads(store: Store) -> list[Handover]:
    """Handovers the central has not answered yet, oldest first."""
    rows = store.db.execute(
        "SELECT document FROM handovers WHERE upload = 'pending' ORDER BY created_at, id"
    )
    return [Handover.model_validate_json(doc) for (doc,) in rows]


def pending(store: Store) -> int:
    """How many handovers wait for the central (they count as queued work, like the outbox)."""
    return int(
        store.db.execute("SELECT count(*) FROM handovers WHERE upload = 'pending'").fetchone()[0]
    )


def uploaded(store: Store, handover_id: str, result: dict[str, Any], *, failed: bool) -> None:
    """The central's answer, kept: `failed` when it refused the handover itself."""
    with store.atomic() as db:
        db.execute(
            "UPDATE handovers SET upload = ?, result = ?, updated_at = ? WHERE id = ?",
            ["failed" if failed else "done", json.dumps(result), store.now_iso(), handover_id],
        )


def counts(store: Store) -> dict[str, int]:
    """Handovers by role and upload state, for status and the drill's report."""
    found = {"given": 0, "received": 0, "pending": 0, "failed": 0}
    rows = store.db.execute("SELECT role, upload, count(*) FROM handovers GROUP BY role, upload")
    for role, upload, n in rows:
        found[role] += n
        if upload in ("pending", "failed"):
            found[upload] += n
    return found
