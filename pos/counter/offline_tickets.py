"""Offline sales signed by this terminal's key, in the exact form the central checks later."""

from __future__ import annotations

import secrets
from datetime import datetime

from contract.models import OfflineSale, OfflineTicket, Payment
from contract.ticket_code import (
    Ed25519PrivateKey,
    TicketClaim,
    b64e,
    offline_sale_signing_bytes,
    sign_ticket,
)
from offline.sales import Line


def new_ticket_id(terminal_id: str) -> str:
    """Prefixed with the terminal so ids made offline at two counters can never collide."""
    return f"{terminal_id}-{secrets.token_hex(5).upper()}"


def build_offline_sale(
    *,
    key: Ed25519PrivateKey,
    terminal_id: str,
    key_id: str | None = None,
    idempotency_key: str,
    lease_id: str,
    showtime_id: str,
    starts_at: datetime,
    cashier_id: str,
    sold_at: datetime,
    lines: list[Line],
    payments: list[Payment],
) -> OfflineSale:
    tickets = []
    for line in lines:
        ticket_id = new_ticket_id(terminal_id)
        claim = TicketClaim(
            ticket_id=ticket_id,
            showtime_id=showtime_id,
            seat=line.seat,
            ticket_type=line.ticket_type,
            starts_at=int(starts_at.timestamp()),
            key_id=key_id or terminal_id,
            channel="offline",
        )
        tickets.append(
            OfflineTicket(
                id=ticket_id,
                seat=line.seat,
                ticket_type=line.ticket_type,
                price=line.price,
                discount=line.discount,
                code=sign_ticket(claim, key),
            )
        )
    unsigned = OfflineSale(
        idempotency_key=idempotency_key,
        lease_id=lease_id,
        showtime_id=showtime_id,
        cashier_id=cashier_id,
        sold_at=sold_at,
        tickets=tickets,
        payments=payments,
        signature="",
    )
    signature = key.sign(offline_sale_signing_bytes(unsigned.model_dump(mode="json")))
    return unsigned.model_copy(update={"signature": b64e(signature)})
