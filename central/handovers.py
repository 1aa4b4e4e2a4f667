"""Intake of handovers: seats one counter handed to another of the same cinema while we were
unreachable (contract/handover.py).

Either side may upload the handover, and both do: whichever comes first moves the seats, the
other gets `duplicate`. Moving means the seats leave the giver's lease for a lease of the
receiver whose id is the handover's id, created as of the handover's `made_at`; from then on the
receiver's offline sales naming that lease pass the ordinary checks of central/offline_sync.py,
and without the handover they cannot (no such lease). Only a handover signed with the giver's
registered key, out of a lease that is the giver's, moves anything; a seat sold meanwhile or no
longer in that lease stays where it is and is named in `refused`."""

from __future__ import annotations

import json
import sqlite3

from central.catalog import showtime
from central.context import Context, iso, parse_iso
from central.errors import ApiError
from central.offline_sync import CLOCK_SKEW
from contract.handover import Handover, HandoverResult, handover_signed_by
from contract.leasing import sales_close
from contract.models import SyncResult
from contract.ticket_code import public_key_from_text


class _Refused(Exception):
    """The handover as a whole cannot be taken: the reason goes back as a conflict."""


def upload(ctx: Context, uploader: str, handover: Handover) -> HandoverResult:
    """Idempotent by the handover's id: a second upload (the other side's, or a retry) answers
    what the first did and moves nothing."""
    if uploader not in (handover.giver_id, handover.receiver_id):
        raise ApiError(
            403, "NOT_YOUR_HANDOVER", "Only the giver or the receiver may upload a handover."
        )
    with ctx.db.write() as conn:
        known = conn.execute(
            "SELECT document, result FROM handovers WHERE id = ?", (handover.id,)
        ).fetchone()
        if known is not None:
            if Handover.model_validate_json(known["document"]).signature != handover.signature:
                return _conflict(handover, "another handover has this id")
            first = HandoverResult.model_validate_json(known["result"])
            return first.model_copy(update={"result": SyncResult.DUPLICATE})
        try:
            _check(conn, ctx, handover)
        except _Refused as exc:
            return _conflict(handover, str(exc))
        return _move(conn, ctx, handover)


def _conflict(handover: Handover, reason: str) -> HandoverResult:
    return HandoverResult(handover_id=handover.id, result=SyncResult.CONFLICT, reason=reason)


def _check(conn: sqlite3.Connection, ctx: Context, h: Handover) -> None:
    if h.cinema_id != ctx.cinema.id:
        raise _Refused(f"handover is for cinema {h.cinema_id}, not {ctx.cinema.id}")
    key = conn.execute(
        "SELECT public_key FROM terminal_keys WHERE key_id = ? AND terminal_id = ?",
        (h.giver_key_id, h.giver_id),
    ).fetchone()
    if key is None or not handover_signed_by(h, public_key_from_text(key["public_key"])):
        raise _Refused("signature does not verify with the giver's key")
    if h.receiver_id == h.giver_id:
        raise _Refused("a terminal cannot hand seats to itself")
    if conn.execute("SELECT 1 FROM terminals WHERE id = ?", (h.receiver_id,)).fetchone() is None:
        raise _Refused(f"no terminal {h.receiver_id}")
    if conn.execute("SELECT 1 FROM leases WHERE id = ?", (h.id,)).fetchone() is not None:
        raise _Refused(f"lease id {h.id} is in use")
    if len(set(h.seats)) != len(h.seats):
        raise _Refused("a seat is named twice")
    lease = conn.execute(
        "SELECT terminal_id, showtime_id, created_at, released_at FROM leases WHERE id = ?",
        (h.lease_id,),
    ).fetchone()
    if lease is None or lease["terminal_id"] != h.giver_id:
        raise _Refused(f"lease {h.lease_id} is not the giver's")
    if lease["showtime_id"] != h.showtime_id:
        raise _Refused("lease is for another showtime")
    if h.made_at < parse_iso(lease["created_at"]) - CLOCK_SKEW:
        raise _Refused("handed over before the lease was granted")
    if lease["released_at"] and h.made_at > parse_iso(lease["released_at"]) + CLOCK_SKEW:
        raise _Refused("handed over after the lease was released")
    if h.made_at >= sales_close(showtime(conn, h.showtime_id).start) + CLOCK_SKEW:
        raise _Refused("handed over after sales for the showtime had closed")


def _move(conn: sqlite3.Connection, ctx: Context, h: Handover) -> HandoverResult:
    rows = {
        r["label"]: r
        for r in conn.execute(
            "SELECT label, sale_id, lease_id FROM seats WHERE showtime_id = ?"
            " AND label IN (SELECT value FROM json_each(?))",
            (h.showtime_id, json.dumps(h.seats)),
        )
    }
    moved: list[str] = []
    refused: dict[str, str] = {}
    for label in h.seats:
        row = rows.get(label)
        if row is None:
            refused[label] = "no such seat"
        elif row["sale_id"] is not None:
            refused[label] = "already sold"
        elif row["lease_id"] != h.lease_id:
            refused[label] = f"no longer in lease {h.lease_id}"
        else:
            moved.append(label)
    conn.execute(
        "INSERT INTO leases (id, terminal_id, showtime_id, created_at) VALUES (?, ?, ?, ?)",
        (h.id, h.receiver_id, h.showtime_id, iso(h.made_at)),
    )
    conn.executemany(
        "UPDATE seats SET lease_id = ?, lease_terminal = ? WHERE showtime_id = ? AND label = ?",
        [(h.id, h.receiver_id, h.showtime_id, s) for s in moved],
    )
    result = HandoverResult(
        handover_id=h.id, result=SyncResult.ACCEPTED, moved=moved, refused=refused
    )
    conn.execute(
        "INSERT INTO handovers (id, giver_id, receiver_id, showtime_id, lease_id, document,"
        " result, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            h.id,
            h.giver_id,
            h.receiver_id,
            h.showtime_id,
            h.lease_id,
            h.model_dump_json(),
            result.model_dump_json(),
            iso(ctx.now()),
        ),
    )
    return result
