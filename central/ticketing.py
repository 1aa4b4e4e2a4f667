"""Issuing a ticket: the row that takes the seat and the signed code printed on the paper."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from central.context import new_id
from contract.models import Ticket
from contract.ticket_code import Ed25519PrivateKey, TicketClaim, sign_ticket


def issue_ticket(
    conn: sqlite3.Connection,
    key: Ed25519PrivateKey,
    key_id: str,
    sale_id: str,
    showtime_id: str,
    starts_at: datetime,
    seat: str,
    ticket_type: str,
    price: int,
    channel: str,
) -> Ticket:
    """Insert a ticket and mark its seat sold; the unique index refuses a second live ticket."""
    ticket_id = new_id("TK")
    claim = TicketClaim(
        ticket_id=ticket_id,
        showtime_id=showtime_id,
        seat=seat,
        ticket_type=ticket_type,
        starts_at=int(starts_at.timestamp()),
        key_id=key_id,
        channel=channel,
    )
    code = sign_ticket(claim, key)
    insert_ticket(conn, ticket_id, sale_id, showtime_id, seat, ticket_type, price, code)
    return Ticket(id=ticket_id, seat=seat, ticket_type=ticket_type, price=price, code=code)


def insert_ticket(
    conn: sqlite3.Connection,
    ticket_id: str,
    sale_id: str,
    showtime_id: str,
    seat: str,
    ticket_type: str,
    price: int,
    code: str,
) -> None:
    conn.execute(
        "INSERT INTO tickets (id, sale_id, showtime_id, seat, ticket_type, price, code)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (ticket_id, sale_id, showtime_id, seat, ticket_type, price, code),
    )
    conn.execute(
        "UPDATE seats SET sale_id = ?, hold_id = NULL, hold_expires = NULL, lease_id = NULL,"
        " lease_terminal = NULL WHERE showtime_id = ? AND label = ?",
        (sale_id, showtime_id, seat),
    )
