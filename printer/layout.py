"""What goes on paper, independent of the wire format and of the printer.

A *layout* is one of three plain faces: a ticket, a sale receipt, or a generic report (the Z report
hands us a `ReportFace`). Faces carry display-ready values (film title in its display language,
ticket type as the cashier calls it) plus raw money in fen and times as aware UTC datetimes, so the
printer decides the language of the labels, the paper width and the time zone shown. Faces are
stored as JSON in the print queue, so a job can be reprinted after a restart.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Kind = Literal["ticket", "receipt", "report"]


@dataclass(frozen=True, slots=True)
class TicketFace:
    cinema: str
    film_title: str
    auditorium: str
    row: str
    seat: str
    starts_at: datetime
    """Aware UTC; printed in `timezone`."""
    timezone: str
    ticket_type: str
    price: int
    """Fen."""
    currency: str
    ticket_id: str
    code: str
    """The signed ticket code (contract.ticket_code), printed as a QR code."""
    offline: bool = False
    reprint: bool = False


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    description: str
    quantity: int
    unit_price: int
    amount: int


@dataclass(frozen=True, slots=True)
class ReceiptPayment:
    method: str
    """cash, card, wechat, alipay (translated on paper) or any other label."""
    amount: int


@dataclass(frozen=True, slots=True)
class ReceiptFace:
    cinema: str
    sale_id: str
    sold_at: datetime
    timezone: str
    lines: tuple[ReceiptLine, ...]
    payments: tuple[ReceiptPayment, ...]
    total: int
    change: int
    currency: str
    cashier: str = ""
    offline: bool = False
    reprint: bool = False
    drawer_pin: int | None = None
    """Kick the cash drawer on this connector pin (2 or 5) as the receipt prints; None: the
    sale took no cash, or the terminal has no drawer on its printer."""


@dataclass(frozen=True, slots=True)
class ReportRow:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class ReportSection:
    title: str
    rows: tuple[ReportRow, ...]


@dataclass(frozen=True, slots=True)
class ReportFace:
    """A generic end-of-day style report; labels and values come already worded and formatted."""

    title: str
    fields: tuple[ReportRow, ...] = ()
    sections: tuple[ReportSection, ...] = ()
    totals: tuple[ReportRow, ...] = ()
    reprint: bool = False


Layout = TicketFace | ReceiptFace | ReportFace

KINDS: dict[Kind, type[TicketFace] | type[ReceiptFace] | type[ReportFace]] = {
    "ticket": TicketFace,
    "receipt": ReceiptFace,
    "report": ReportFace,
}


def kind_of(layout: Layout) -> Kind:
    for kind, cls in KINDS.items():
        if isinstance(layout, cls):
            return kind
    raise TypeError(f"not a layout: {type(layout).__name__}")


def with_reprint(layout: Layout) -> Layout:
    """The same layout marked REPRINT, so a second copy never passes for the first; a second
    copy of a receipt does not open the drawer again (the cash was handled the first time)."""
    if isinstance(layout, ReceiptFace):
        return dataclasses.replace(layout, reprint=True, drawer_pin=None)
    return dataclasses.replace(layout, reprint=True)


def layout_to_json(layout: Layout) -> dict[str, Any]:
    """A JSON-ready dict; datetimes become ISO 8601 strings with their offset."""
    return _encode(dataclasses.asdict(layout))


def layout_from_json(kind: Kind, data: dict[str, Any]) -> Layout:
    """Inverse of `layout_to_json`; raises ValueError on a kind or shape it does not know."""
    try:
        if kind == "ticket":
            return TicketFace(**{**data, "starts_at": _aware(data["starts_at"])})
        if kind == "receipt":
            return ReceiptFace(
                **{
                    **data,
                    "sold_at": _aware(data["sold_at"]),
                    "lines": tuple(ReceiptLine(**line) for line in data["lines"]),
                    "payments": tuple(ReceiptPayment(**pay) for pay in data["payments"]),
                }
            )
        if kind == "report":
            return ReportFace(
                title=data["title"],
                fields=_rows(data.get("fields", ())),
                sections=tuple(
                    ReportSection(s["title"], _rows(s["rows"])) for s in data.get("sections", ())
                ),
                totals=_rows(data.get("totals", ())),
                reprint=data.get("reprint", False),
            )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"stored {kind} layout is malformed: {exc}") from exc
    raise ValueError(f"unknown layout kind {kind!r}")


def _rows(rows: Any) -> tuple[ReportRow, ...]:
    return tuple(ReportRow(r["label"], r["value"]) for r in rows)


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"stored time {text!r} has no offset")
    return moment


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


__all__ = [
    "KINDS",
    "Kind",
    "Layout",
    "ReceiptFace",
    "ReceiptLine",
    "ReceiptPayment",
    "ReportFace",
    "ReportRow",
    "ReportSection",
    "TicketFace",
    "kind_of",
    "layout_from_json",
    "layout_to_json",
    "with_reprint",
]
