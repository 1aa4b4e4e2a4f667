"""What the central last told us, kept so the counter can sell and check tickets offline.

Bodies are stored as the contract's own JSON and read back through the contract models, so
a cached answer is validated exactly like a fresh one. Local facts the central does not know
yet (a booking picked up while offline) live in their own columns and survive a refresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from contract import models
from offline.errors import AlreadyPickedUp, NotFound
from offline.store import Store
from offline.values import from_iso


@dataclass(frozen=True, slots=True)
class CachedSchedule:
    schedule: models.Schedule
    version: str
    etag: str | None
    """The HTTP ETag to revalidate with (If-None-Match), when the central sent one."""
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class CachedSeatMap:
    seat_map: models.SeatMap
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class CachedBooking:
    booking: models.Booking
    fetched_at: datetime
    picked_up_at: datetime | None
    """Set when picked up at this counter, or when the central says it was."""
    picked_up_by: str | None


# --- schedule --------------------------------------------------------------------------------


def put_schedule(store: Store, schedule: models.Schedule, *, etag: str | None = None) -> None:
    """Replace the cached schedule of its business date."""
    store.db.execute(
        "INSERT OR REPLACE INTO schedules (business_date, version, etag, body, fetched_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            schedule.business_date.isoformat(),
            schedule.version,
            etag,
            schedule.model_dump_json(),
            store.now_iso(),
        ],
    )


def get_schedule(store: Store, business_date: date) -> CachedSchedule | None:
    row = store.db.execute(
        "SELECT body, version, etag, fetched_at FROM schedules WHERE business_date = ?",
        [business_date.isoformat()],
    ).fetchone()
    if row is None:
        return None
    return CachedSchedule(
        models.Schedule.model_validate_json(row[0]), row[1], row[2], from_iso(row[3])
    )


# --- seat maps -------------------------------------------------------------------------------


def put_seat_map(store: Store, seat_map: models.SeatMap) -> None:
    store.db.execute(
        "INSERT OR REPLACE INTO seat_maps (showtime_id, body, fetched_at) VALUES (?, ?, ?)",
        [seat_map.showtime_id, seat_map.model_dump_json(), store.now_iso()],
    )


def get_seat_map(store: Store, showtime_id: str) -> CachedSeatMap | None:
    row = store.db.execute(
        "SELECT body, fetched_at FROM seat_maps WHERE showtime_id = ?", [showtime_id]
    ).fetchone()
    if row is None:
        return None
    return CachedSeatMap(models.SeatMap.model_validate_json(row[0]), from_iso(row[1]))


# --- bookings --------------------------------------------------------------------------------


def put_bookings(store: Store, bookings: Iterable[models.Booking]) -> None:
    """Upsert bookings, keeping a pickup made here that the central has not heard of yet."""
    now = store.now_iso()
    with store.atomic() as db:
        for booking in bookings:
            central_pickup = booking.status == "picked_up"
            db.execute(
                "INSERT INTO bookings (code, showtime_id, body, fetched_at, picked_up_at,"
                " picked_up_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET"
                " showtime_id = excluded.showtime_id, body = excluded.body,"
                " fetched_at = excluded.fetched_at,"
                " picked_up_at = coalesce(bookings.picked_up_at, excluded.picked_up_at),"
                " picked_up_by = coalesce(bookings.picked_up_by, excluded.picked_up_by)",
                [
                    booking.code,
                    booking.showtime_id,
                    booking.model_dump_json(),
                    now,
                    now if central_pickup else None,
                    booking.picked_up_by if central_pickup else None,
                ],
            )


def get_booking(store: Store, code: str) -> CachedBooking | None:
    row = store.db.execute(
        "SELECT body, fetched_at, picked_up_at, picked_up_by FROM bookings WHERE code = ?",
        [code],
    ).fetchone()
    return _booking(row) if row else None


def bookings(store: Store, showtime_id: str | None = None) -> list[CachedBooking]:
    sql = "SELECT body, fetched_at, picked_up_at, picked_up_by FROM bookings"
    params: list[str] = []
    if showtime_id is not None:
        sql += " WHERE showtime_id = ?"
        params.append(showtime_id)
    return [_booking(row) for row in store.db.execute(sql + " ORDER BY code", params)]


def mark_picked_up(store: Store, code: str, cashier_id: str) -> CachedBooking:
    """Record a pickup at this counter; a second pickup raises AlreadyPickedUp.

    Telling the central (an outbox `pickup` item) is the caller's job, in the same transaction.
    """
    with store.atomic() as db:
        row = db.execute(
            "SELECT picked_up_at, picked_up_by FROM bookings WHERE code = ?", [code]
        ).fetchone()
        if row is None:
            raise NotFound(f"booking {code} is not in this terminal's cache")
        if row[0] is not None:
            raise AlreadyPickedUp(code, row[0], row[1])
        db.execute(
            "UPDATE bookings SET picked_up_at = ?, picked_up_by = ? WHERE code = ?",
            [store.now_iso(), cashier_id, code],
        )
        found = get_booking(store, code)
    assert found is not None
    return found


def _booking(row: tuple[str, str, str | None, str | None]) -> CachedBooking:
    body, fetched_at, picked_up_at, picked_up_by = row
    return CachedBooking(
        models.Booking.model_validate_json(body),
        from_iso(fetched_at),
        from_iso(picked_up_at) if picked_up_at else None,
        picked_up_by,
    )


# --- staff -----------------------------------------------------------------------------------


def replace_staff(store: Store, members: Iterable[models.StaffMember]) -> None:
    """Replace the whole staff list: someone the central removed must not log in offline."""
    now = store.now_iso()
    with store.atomic() as db:
        db.execute("DELETE FROM staff")
        db.conn.executemany(
            "INSERT INTO staff (id, body, fetched_at) VALUES (?, ?, ?)",
            [(member.id, member.model_dump_json(), now) for member in members],
        )


def get_staff(store: Store, staff_id: str) -> models.StaffMember | None:
    row = store.db.execute("SELECT body FROM staff WHERE id = ?", [staff_id]).fetchone()
    return models.StaffMember.model_validate_json(row[0]) if row else None


def staff(store: Store) -> list[models.StaffMember]:
    rows = store.db.execute("SELECT body FROM staff ORDER BY id")
    return [models.StaffMember.model_validate_json(body) for (body,) in rows]


# --- public keys for door checks -------------------------------------------------------------


def put_public_keys(store: Store, keys: Iterable[models.PublicKey]) -> None:
    """Add or update keys; never drop one, since tickets it signed may still be at the door."""
    now = store.now_iso()
    with store.atomic() as db:
        db.conn.executemany(
            "INSERT OR REPLACE INTO public_keys (key_id, public_key, fetched_at) VALUES (?, ?, ?)",
            [(key.key_id, key.public_key, now) for key in keys],
        )


def put_refunded(store: Store, refunded: models.RefundedTickets) -> None:
    """Add the central's list of refunded tickets; never drop one (a refund is for ever)."""
    now = store.now_iso()
    day = refunded.business_date.isoformat()
    with store.atomic() as db:
        db.conn.executemany(
            "INSERT OR IGNORE INTO refunded_tickets (ticket_id, business_date, fetched_at)"
            " VALUES (?, ?, ?)",
            [(ticket_id, day, now) for ticket_id in refunded.ticket_ids],
        )


def refunded_ids(store: Store) -> set[str]:
    return {row[0] for row in store.db.execute("SELECT ticket_id FROM refunded_tickets")}


def public_keys(store: Store) -> dict[str, str]:
    """key_id → public key text (urlsafe base64), for `contract.ticket_code` door checks."""
    rows = store.db.execute("SELECT key_id, public_key FROM public_keys ORDER BY key_id")
    return dict(rows.fetchall())
