"""Fill an empty central database from seeds/, placing the seeded day on a real date.

Seeding happens once: a restart on the same file keeps every sale, hold and lease."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from central.context import CENTRAL_KEY_ID, iso, new_id
from central.db import Database
from central.seeds import SeedData
from central.ticketing import issue_ticket
from contract.models import Cinema
from contract.ticket_code import (
    Ed25519PrivateKey,
    new_private_key,
    private_key_bytes,
    private_key_from_bytes,
)


def is_seeded(db: Database) -> bool:
    return db.read().execute("SELECT 1 FROM meta WHERE key = 'cinema'").fetchone() is not None


def load_identity(db: Database) -> tuple[Cinema, Ed25519PrivateKey]:
    rows = dict(db.read().execute("SELECT key, value FROM meta").fetchall())
    cinema = Cinema.model_validate_json(rows["cinema"])
    return cinema, private_key_from_bytes(bytes.fromhex(rows["signing_key"]))


def seed(db: Database, seeds: SeedData, business_date: date | None, now: datetime) -> None:
    """Seed an empty database; `business_date` defaults to today in the cinema's zone."""
    day = business_date or now.astimezone(ZoneInfo(seeds.cinema.timezone)).date()
    key = new_private_key()
    with db.write() as conn:
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [
                ("cinema", seeds.cinema.model_dump_json()),
                ("signing_key", private_key_bytes(key).hex()),
                ("business_date", day.isoformat()),
            ],
        )
        conn.executemany(
            "INSERT INTO terminals (id, name, enrollment_code) VALUES (?, ?, ?)",
            [(t.id, t.name, t.enrollment_code) for t in seeds.terminals],
        )
        conn.executemany(
            "INSERT INTO staff (id, name, role, pin_hash) VALUES (?, ?, ?, ?)",
            [(s.id, s.name, s.role, s.pin_hash) for s in seeds.staff],
        )
        conn.executemany(
            "INSERT INTO ticket_types (code, name, name_en, position) VALUES (?, ?, ?, ?)",
            [(t.code, t.name, t.name_en, i) for i, t in enumerate(seeds.ticket_types)],
        )
        conn.executemany(
            "INSERT INTO films (id, body) VALUES (?, ?)",
            [(f.id, f.model_dump_json()) for f in seeds.films],
        )
        conn.executemany(
            "INSERT INTO auditoriums (id, body, capacity) VALUES (?, ?, ?)",
            [(a.id, a.model_dump_json(), len(a.seats)) for a in seeds.auditoriums],
        )
        layouts = {a.id: a for a in seeds.auditoriums}
        starts: dict[str, datetime] = {}
        for st in seeds.showtimes:
            start, end = seeds.showtime_window(st, day)
            starts[st.id] = start
            seats = layouts[st.auditorium_id].seats
            conn.execute(
                "INSERT INTO showtimes (id, film_id, auditorium_id, start, end, business_date,"
                " festival, prices, capacity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    st.id,
                    st.film_id,
                    st.auditorium_id,
                    iso(start),
                    iso(end),
                    day.isoformat(),
                    int(st.festival),
                    json.dumps(seeds.prices_for(st)),
                    len(seats),
                ),
            )
            conn.executemany(
                "INSERT INTO seats (showtime_id, label) VALUES (?, ?)",
                [(st.id, s.label) for s in seats],
            )
        by_id = {st.id: st for st in seeds.showtimes}
        for booking in seeds.bookings:
            prices = seeds.prices_for(by_id[booking.showtime_id])
            sale_id = new_id("S")
            total = sum(prices[t] for t in booking.ticket_types)
            conn.execute(
                "INSERT INTO sales (id, idempotency_key, terminal_id, showtime_id, cashier_id,"
                " channel, total, payments, created_at, sold_at, status)"
                " VALUES (?, ?, NULL, ?, NULL, 'online', ?, ?, ?, ?, 'paid')",
                (
                    sale_id,
                    f"booking-{booking.code}",
                    booking.showtime_id,
                    total,
                    json.dumps([{"method": "card", "amount": total, "reference": booking.code}]),
                    iso(now),
                    iso(now),
                ),
            )
            for seat, ticket_type in zip(booking.seats, booking.ticket_types, strict=True):
                issue_ticket(
                    conn,
                    key,
                    CENTRAL_KEY_ID,
                    sale_id,
                    booking.showtime_id,
                    starts[booking.showtime_id],
                    seat,
                    ticket_type,
                    prices[ticket_type],
                    "online",
                )
            conn.execute(
                "INSERT INTO bookings (code, showtime_id, customer, phone, sale_id, status)"
                " VALUES (?, ?, ?, ?, ?, 'paid')",
                (booking.code, booking.showtime_id, booking.customer, booking.phone, sale_id),
            )
