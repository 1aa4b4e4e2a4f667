"""Ticket faces with really signed codes, shared by the printer tests."""

from __future__ import annotations

from datetime import UTC, datetime

from contract.ticket_code import Ed25519PrivateKey, TicketClaim, sign_ticket
from printer.layout import TicketFace

KEY_ID = "term-07"
STARTS_AT = datetime(2026, 6, 13, 11, 45, tzinfo=UTC)  # 19:45 in Shanghai


def make_ticket(
    key: Ed25519PrivateKey, number: int = 1, title: str = "Dune: Part Two", **changes: object
) -> TicketFace:
    claim = TicketClaim(
        ticket_id=f"T-{number:06d}",
        showtime_id="ST-0613-03",
        seat="H-7",
        ticket_type="adult",
        starts_at=int(STARTS_AT.timestamp()),
        key_id=KEY_ID,
        channel="offline",
    )
    fields: dict[str, object] = {
        "cinema": "Peace Cinema",
        "film_title": title,
        "auditorium": "3",
        "row": "H",
        "seat": "7",
        "starts_at": STARTS_AT,
        "timezone": "Asia/Shanghai",
        "ticket_type": "Adult",
        "price": 6000,
        "currency": "CNY",
        "ticket_id": claim.ticket_id,
        "code": sign_ticket(claim, key),
    }
    fields.update(changes)
    return TicketFace(**fields)  # type: ignore[arg-type]
