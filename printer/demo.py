"""Demo layouts for `pos print preview --demo` and the benchmark: fixed, so output is repeatable.

The demo ticket code is really signed (with a key derived from a fixed seed: Ed25519 signatures
are deterministic), so a phone scanning the preview's QR reads a code a door check could verify
with `DEMO_KEY_ID`'s public key.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from contract.ticket_code import TicketClaim, private_key_from_bytes, sign_ticket
from printer.layout import (
    ReceiptFace,
    ReceiptLine,
    ReceiptPayment,
    ReportFace,
    ReportRow,
    ReportSection,
    TicketFace,
)
from printer.strings import Lang

DEMO_KEY = private_key_from_bytes(hashlib.sha256(b"box-office demo key").digest())
DEMO_KEY_ID = "demo-terminal"
STARTS_AT = datetime(2026, 6, 13, 2, 30, tzinfo=UTC)
ZONE = "Asia/Shanghai"

_WORDS = {
    "en": {"cinema": "Grand Cinema Shanghai", "film": "The Wandering Earth II", "type": "Adult"},
    "zh": {"cinema": "上海大光明电影院", "film": "流浪地球 2", "type": "成人"},
}


def demo_ticket(lang: Lang = "en", offline: bool = True, reprint: bool = False) -> TicketFace:
    claim = TicketClaim(
        ticket_id="T-0001-0001",
        showtime_id="ST-20260613-0301",
        seat="F-12",
        ticket_type="adult",
        starts_at=int(STARTS_AT.timestamp()),
        key_id=DEMO_KEY_ID,
        channel="offline" if offline else "online",
    )
    words = _WORDS[lang]
    return TicketFace(
        cinema=words["cinema"],
        film_title=words["film"],
        auditorium="3",
        row="F",
        seat="12",
        starts_at=STARTS_AT,
        timezone=ZONE,
        ticket_type=words["type"],
        price=6000,
        currency="CNY",
        ticket_id=claim.ticket_id,
        code=sign_ticket(claim, DEMO_KEY),
        offline=offline,
        reprint=reprint,
    )


def demo_receipt(lang: Lang = "en") -> ReceiptFace:
    words = _WORDS[lang]
    return ReceiptFace(
        cinema=words["cinema"],
        sale_id="S-0001-0001",
        sold_at=datetime(2026, 6, 13, 2, 5, tzinfo=UTC),
        timezone=ZONE,
        lines=(ReceiptLine(f"{words['film']} {words['type']}", 2, 6000, 12000),),
        payments=(ReceiptPayment("cash", 15000),),
        total=12000,
        change=3000,
        currency="CNY",
        cashier="Li Wei",
        offline=True,
    )


def demo_report() -> ReportFace:
    return ReportFace(
        title="Z report",
        fields=(ReportRow("Business day", "2026-06-13"), ReportRow("Terminal", "T-01")),
        sections=(
            ReportSection(
                "Ticket types",
                (ReportRow("Adult x 120", "¥7200.00"), ReportRow("Child x 30", "¥1050.00")),
            ),
            ReportSection(
                "Payments", (ReportRow("Cash", "¥5250.00"), ReportRow("Card", "¥3000.00"))
            ),
        ),
        totals=(ReportRow("Total", "¥8250.00"), ReportRow("Cash counted", "¥5250.00")),
    )


def demo_layouts(lang: Lang = "en") -> list[TicketFace | ReceiptFace | ReportFace]:
    return [demo_ticket(lang), demo_receipt(lang), demo_report()]
