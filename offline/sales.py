"""The sale as a small state machine, persisted at every step.

    draft → held → paid → printed → synced
    draft/held → cancelled        (abandoned, or the hold unwound)
    paid/printed/synced → voided | refunded (refunded once every ticket is)

"paid" means money was taken and the tickets exist; "printed" that they were handed to the
print queue (which owns reprints); "synced" that the central has the sale. A draft carries
its idempotency key from the first moment, so a crash at any step leaves a row the next start
can resume or unwind (`unfinished()`), and a sale is never sent under two keys.

Money changes (paid, refund, void) go through their own functions, which journal them in the
same transaction; `advance()` handles the other steps.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from contract import models
from contract.ticket_code import canonical_json
from offline import journal, leases, outbox
from offline.errors import DuplicateKey, IllegalTransition, InvalidMoney, NotFound
from offline.store import Store
from offline.values import fen, from_iso, utc_iso

State = Literal["draft", "held", "paid", "printed", "synced", "voided", "refunded", "cancelled"]
Mode = Literal["online", "offline"]

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"held", "paid", "cancelled"}),
    "held": frozenset({"paid", "cancelled"}),
    "paid": frozenset({"printed", "voided", "refunded"}),
    "printed": frozenset({"synced", "voided", "refunded"}),
    "synced": frozenset({"voided", "refunded"}),
    "voided": frozenset(),
    "refunded": frozenset(),
    "cancelled": frozenset(),
}
_BY_FUNCTION = {
    "paid": "use record_offline_sale or record_online_sale",
    "voided": "use mark_voided",
    "refunded": "use mark_refunded",
}
_ADVANCE_FIELDS = frozenset({"hold_id", "central_sale_id", "shift_id"})
_UNFINISHED = "('draft', 'held', 'paid')"
_SALE_COLUMNS = (
    "id, idempotency_key, showtime_id, mode, state, cashier_id, shift_id, hold_id, lease_id,"
    " central_sale_id, lines, total, tendered, change, refunded, created_at, updated_at"
)


@dataclass(frozen=True, slots=True)
class Line:
    seat: str
    ticket_type: str
    price: int
    discount: str | None = None
    """The cinema's discount `price` was worked out with (contract.discounts), if any."""

    def to_json(self) -> dict[str, object]:
        """As stored and journalled; an undiscounted line keeps the shape it always had, so
        the journal's hashes and older rows read the same."""
        data: dict[str, object] = {
            "seat": self.seat,
            "ticket_type": self.ticket_type,
            "price": self.price,
        }
        if self.discount is not None:
            data["discount"] = self.discount
        return data


@dataclass(frozen=True, slots=True)
class SaleTicket:
    id: str
    seat: str
    ticket_type: str
    price: int
    code: str
    refunded: bool
    discount: str | None = None


@dataclass(frozen=True, slots=True)
class SalePayment:
    method: str
    amount: int
    reference: str | None


@dataclass(frozen=True, slots=True)
class Sale:
    id: str
    idempotency_key: str
    showtime_id: str
    mode: str
    state: str
    cashier_id: str
    shift_id: str | None
    hold_id: str | None
    lease_id: str | None
    central_sale_id: str | None
    lines: tuple[Line, ...]
    total: int
    tendered: int
    change: int
    refunded: int
    created_at: datetime
    updated_at: datetime
    tickets: tuple[SaleTicket, ...]
    payments: tuple[SalePayment, ...]


# --- reading ---------------------------------------------------------------------------------


def get(store: Store, sale_id: str) -> Sale:
    found = _select(store, "id = ?", [sale_id])
    if not found:
        raise NotFound(f"sale {sale_id} does not exist in this terminal's store")
    return found[0]


def by_key(store: Store, idempotency_key: str) -> Sale | None:
    found = _select(store, "idempotency_key = ?", [idempotency_key])
    return found[0] if found else None


def unfinished(store: Store) -> list[Sale]:
    """Sales a crash may have interrupted (draft, held, paid but not printed), oldest first."""
    return _select(store, f"state IN {_UNFINISHED}", [])


def list_sales(
    store: Store,
    *,
    state: State | None = None,
    mode: Mode | None = None,
    shift_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Sale]:
    """Sales matching every given filter, oldest first; `since` inclusive, `until` exclusive."""
    where, params = ["1"], []
    for column, value in (("state", state), ("mode", mode), ("shift_id", shift_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if since is not None:
        where.append("created_at >= ?")
        params.append(utc_iso(since))
    if until is not None:
        where.append("created_at < ?")
        params.append(utc_iso(until))
    return _select(store, " AND ".join(where), params)


def _select(store: Store, where: str, params: list[Any]) -> list[Sale]:
    rows = store.db.execute(
        f"SELECT {_SALE_COLUMNS} FROM sales WHERE {where} ORDER BY created_at, id", params
    ).fetchall()
    return [_sale(store, row) for row in rows]


def _sale(store: Store, row: tuple[Any, ...]) -> Sale:
    sale_id = row[0]
    lines = tuple(Line(**line) for line in json.loads(row[10]))
    discounts = {line.seat: line.discount for line in lines}
    tickets = tuple(
        SaleTicket(id_, seat, ticket_type, price, code, bool(refunded), discounts.get(seat))
        for id_, seat, ticket_type, price, code, refunded in store.db.execute(
            "SELECT id, seat, ticket_type, price, code, refunded FROM sale_tickets"
            " WHERE sale_id = ? ORDER BY rowid",
            [sale_id],
        )
    )
    payments = tuple(
        SalePayment(*payment)
        for payment in store.db.execute(
            "SELECT method, amount, reference FROM sale_payments WHERE sale_id = ? ORDER BY id",
            [sale_id],
        )
    )
    return Sale(
        *row[:10],
        lines,
        *row[11:15],
        from_iso(row[15]),
        from_iso(row[16]),
        tickets,
        payments,
    )


# --- money checks ----------------------------------------------------------------------------


def _lines_json(lines: Sequence[Line]) -> str:
    seats = [line.seat for line in lines]
    if len(set(seats)) != len(seats):
        raise ValueError(f"a sale cannot have the same seat twice: {seats}")
    return canonical_json([x.to_json() for x in lines]).decode()


def _settle(
    prices: Sequence[object], payments: Sequence[models.Payment], tendered: int | None
) -> tuple[int, int, int]:
    """Check the money of a sale; returns (total, tendered, change)."""
    total = sum(fen(price, "ticket price") for price in prices)
    paid = sum(fen(p.amount, f"{p.method} payment") for p in payments)
    if paid != total:
        raise InvalidMoney(f"payments add up to {paid} fen but the tickets cost {total} fen")
    given = total if tendered is None else fen(tendered, "amount tendered")
    if given < total:
        raise InvalidMoney(f"{given} fen tendered does not cover the total of {total} fen")
    return total, given, given - total


# --- writing ---------------------------------------------------------------------------------


def create_draft(
    store: Store,
    *,
    showtime_id: str,
    cashier_id: str,
    mode: Mode,
    lines: Sequence[models.SaleLine] = (),
    shift_id: str | None = None,
    idempotency_key: str | None = None,
) -> Sale:
    """Start a sale; its idempotency key exists before anything is sent to the central."""
    if mode not in ("online", "offline"):
        raise ValueError(f"mode must be online or offline, not {mode!r}")
    own = [Line(x.seat, x.ticket_type, fen(x.price, "line price"), x.discount) for x in lines]
    sale_id = uuid.uuid4().hex
    key = idempotency_key or uuid.uuid4().hex
    now = store.now_iso()
    with store.atomic() as db:
        _check_key_free(store, key)
        db.execute(
            "INSERT INTO sales (id, idempotency_key, showtime_id, mode, state, cashier_id,"
            " shift_id, lines, total, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)",
            [
                sale_id,
                key,
                showtime_id,
                mode,
                cashier_id,
                shift_id,
                _lines_json(own),
                sum(x.price for x in own),
                now,
                now,
            ],
        )
    return get(store, sale_id)


def advance(store: Store, sale_id: str, to_state: State, **fields: str | None) -> Sale:
    """Move a sale to held, printed, synced or cancelled, setting hold_id, central_sale_id
    or shift_id on the way; an illegal move raises IllegalTransition and changes nothing."""
    unknown = set(fields) - _ADVANCE_FIELDS
    if unknown:
        raise TypeError(f"advance() cannot set {sorted(unknown)}; only {sorted(_ADVANCE_FIELDS)}")
    if to_state not in TRANSITIONS:
        raise ValueError(f"unknown sale state {to_state!r}")
    with store.atomic():
        current = _state(store, sale_id)
        if to_state in _BY_FUNCTION:
            raise IllegalTransition(f"sale {sale_id}", current, to_state, _BY_FUNCTION[to_state])
        _move(store, sale_id, current, to_state, fields)
    return get(store, sale_id)


def record_offline_sale(
    store: Store,
    sale: models.OfflineSale,
    *,
    tendered: int | None = None,
    shift_id: str | None = None,
    draft_id: str | None = None,
) -> Sale:
    """Write a sale made from the lease: all of it, or nothing.

    In one transaction: the sale (paid, offline), its tickets and payments, the lease seats
    taken, the journal entries, and the outbox `sale` item carrying `sale` as signed. If any
    part fails (a seat not leased, money that does not add up, a reused key) nothing is written.
    With `draft_id`, that offline draft (same idempotency key) becomes the sale.

    Each row is written once, in its final form, a table at a time (the sale's lease is the
    one `sale` names: the seats must all be in it), and the returned Sale is built from what
    was written rather than read back.
    """
    total, given, change = _settle([t.price for t in sale.tickets], sale.payments, tendered)
    lines = tuple(Line(t.seat, t.ticket_type, t.price, t.discount) for t in sale.tickets)
    key = sale.idempotency_key
    now = store.now_iso()
    with store.atomic() as db:
        if draft_id is None:
            _check_key_free(store, key)
            lines_text = _lines_json(lines)
            sale_id = uuid.uuid4().hex
            head = (sale_id, key, sale.showtime_id, "offline", "paid", sale.cashier_id, shift_id)
            hold_id, central_sale_id, refunded, created_at = None, None, 0, now
            db.execute(
                "INSERT INTO sales (id, idempotency_key, showtime_id, mode, state, cashier_id,"
                " shift_id, lease_id, lines, total, tendered, change, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*head, sale.lease_id, lines_text, total, given, change, now, now],
            )
        else:
            sale_id = draft_id
            row = _draft_row(store, draft_id, key, "offline", sale.showtime_id)
            if "paid" not in TRANSITIONS[row[4]]:
                raise IllegalTransition(f"sale {sale_id}", row[4], "paid")
            lines_text = _lines_json(lines)
            head = (*row[:4], "paid", row[5], shift_id if shift_id is not None else row[6])
            hold_id, central_sale_id, refunded, created_at = row[7], row[9], row[14], row[15]
            db.execute(
                "UPDATE sales SET state = 'paid', shift_id = ?, lease_id = ?, lines = ?,"
                " total = ?, tendered = ?, change = ?, updated_at = ? WHERE id = ? AND state = ?",
                [head[6], sale.lease_id, lines_text, total, given, change, now, sale_id, row[4]],
            )
        db.conn.executemany(
            "INSERT INTO sale_tickets (id, sale_id, seat, ticket_type, price, code)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(t.id, sale_id, t.seat, t.ticket_type, t.price, t.code) for t in sale.tickets],
        )
        payments = tuple(SalePayment(str(p.method), p.amount, p.reference) for p in sale.payments)
        db.conn.executemany(
            "INSERT INTO sale_payments (sale_id, method, amount, reference) VALUES (?, ?, ?, ?)",
            [(sale_id, x.method, x.amount, x.reference) for x in payments],
        )
        _, seats_sold = leases.mark_sold(
            store,
            sale.showtime_id,
            [x.seat for x in lines],
            sale_id=sale_id,
            lease_id=sale.lease_id,
        )
        journal.append_all(
            store,
            [seats_sold, _sale_entry(sale_id, "offline", key, lines, sale.payments, total)],
        )
        outbox.enqueue(store, "sale", key, sale.model_dump(mode="json"))
    tickets = tuple(
        SaleTicket(t.id, t.seat, t.ticket_type, t.price, t.code, False, t.discount)
        for t in sale.tickets
    )
    return Sale(
        *head,
        hold_id,
        sale.lease_id,
        central_sale_id,
        lines,
        total,
        given,
        change,
        refunded,
        from_iso(created_at),
        from_iso(now),
        tickets,
        payments,
    )


def record_online_sale(
    store: Store, sale_id: str, central: models.Sale, *, tendered: int | None = None
) -> Sale:
    """The central committed the sale: write its tickets and payments, paid, journalled."""
    total, given, change = _settle([t.price for t in central.tickets], central.payments, tendered)
    if total != central.total:
        raise InvalidMoney(f"the central's total {central.total} fen is not its tickets' {total}")
    with store.atomic() as db:
        draft = _draft_row(store, sale_id, central.idempotency_key, "online", central.showtime_id)
        # the central prices a discount but does not echo its code: the draft's lines have it
        discounts = {line["seat"]: line.get("discount") for line in json.loads(draft[10])}
        lines = [
            Line(t.seat, t.ticket_type, t.price, discounts.get(t.seat)) for t in central.tickets
        ]
        _pay(store, sale_id, lines, central.payments, (total, given, change), None)
        _add_tickets(
            store,
            sale_id,
            [(t.id, t.seat, t.ticket_type, t.price, t.code) for t in central.tickets],
        )
        db.execute("UPDATE sales SET central_sale_id = ? WHERE id = ?", [central.id, sale_id])
        _journal_sale(
            store, sale_id, "online", central.idempotency_key, lines, central.payments, total
        )
    return get(store, sale_id)


def mark_synced(store: Store, idempotency_key: str, central_sale_id: str | None) -> bool:
    """The central has the sale: printed → synced, in one statement (sync does this for
    thousands of sales after an outage). False when the sale is not printed (yet, or any more:
    voided or refunded meanwhile), which is no error."""
    cursor = store.db.execute(
        "UPDATE sales SET state = 'synced', central_sale_id = coalesce(?, central_sale_id),"
        " updated_at = ? WHERE idempotency_key = ? AND state = 'printed'",
        [central_sale_id, store.now_iso(), idempotency_key],
    )
    return cursor.rowcount == 1


def mark_refunded(
    store: Store, sale_id: str, ticket_ids: Sequence[str], amount: int, *, reason: str = ""
) -> Sale:
    """Refund some tickets; the sale becomes refunded once every ticket is. Journalled."""
    fen(amount, "refund amount")
    ids = list(ticket_ids)
    if not ids or len(set(ids)) != len(ids):
        raise ValueError(f"a refund needs distinct ticket ids, got {ids}")
    with store.atomic() as db:
        current = _state(store, sale_id)
        if "refunded" not in TRANSITIONS[current]:
            raise IllegalTransition(f"sale {sale_id}", current, "refunded")
        tickets = {
            row[0]: row
            for row in db.execute(
                "SELECT id, price, refunded FROM sale_tickets WHERE sale_id = ?", [sale_id]
            )
        }
        for ticket_id in ids:
            if ticket_id not in tickets:
                raise NotFound(f"ticket {ticket_id} is not part of sale {sale_id}")
            if tickets[ticket_id][2]:
                raise IllegalTransition(f"ticket {ticket_id}", "refunded", "refunded")
        worth = sum(tickets[t][1] for t in ids)
        if amount > worth:
            raise InvalidMoney(f"refund of {amount} fen exceeds the tickets' {worth} fen")
        db.conn.executemany(
            "UPDATE sale_tickets SET refunded = 1 WHERE id = ?", [(t,) for t in ids]
        )
        remaining = sum(1 for t, row in tickets.items() if not row[2] and t not in ids)
        db.execute(
            "UPDATE sales SET refunded = refunded + ?, updated_at = ? WHERE id = ?",
            [amount, store.now_iso(), sale_id],
        )
        if remaining == 0:
            _move(store, sale_id, current, "refunded", {})
        journal.append(
            store,
            "refund",
            sale_id=sale_id,
            amount=-amount,
            payload={"ticket_ids": ids, "reason": reason},
        )
    return get(store, sale_id)


def mark_voided(store: Store, sale_id: str, *, reason: str = "", by: str | None = None) -> Sale:
    """Void a paid sale: whatever was not yet refunded goes back. Journalled.

    Lease seats of an offline sale stay sold: reselling them before the central has heard of
    the void would risk selling a seat twice.
    """
    with store.atomic() as db:
        current = _state(store, sale_id)
        _move(store, sale_id, current, "voided", {})
        total, refunded = db.execute(
            "SELECT total, refunded FROM sales WHERE id = ?", [sale_id]
        ).fetchone()
        journal.append(
            store,
            "void",
            sale_id=sale_id,
            amount=-(total - refunded),
            payload={"reason": reason, "by": by},
        )
    return get(store, sale_id)


# --- helpers ---------------------------------------------------------------------------------


def _check_key_free(store: Store, key: str) -> None:
    if store.db.execute("SELECT 1 FROM sales WHERE idempotency_key = ?", [key]).fetchone():
        raise DuplicateKey("a sale", key)


def _state(store: Store, sale_id: str) -> str:
    row = store.db.execute("SELECT state FROM sales WHERE id = ?", [sale_id]).fetchone()
    if row is None:
        raise NotFound(f"sale {sale_id} does not exist in this terminal's store")
    return str(row[0])


def _draft_row(
    store: Store, sale_id: str, key: str, mode: str, showtime_id: str
) -> tuple[Any, ...]:
    """The sale's row (columns as in _SALE_COLUMNS), checked to be the draft of this sale."""
    row = store.db.execute(f"SELECT {_SALE_COLUMNS} FROM sales WHERE id = ?", [sale_id]).fetchone()
    if row is None:
        raise NotFound(f"sale {sale_id} does not exist in this terminal's store")
    if (row[1], row[3], row[2]) != (key, mode, showtime_id):
        raise ValueError(
            f"sale {sale_id} is ({row[1]}, {row[3]}, {row[2]}), not ({key}, {mode}, {showtime_id})"
        )
    return tuple(row)


def _move(store: Store, sale_id: str, current: str, to_state: str, fields: dict[str, Any]) -> None:
    if to_state not in TRANSITIONS[current]:
        raise IllegalTransition(f"sale {sale_id}", current, to_state)
    sets = "".join(f", {name} = ?" for name in fields)
    store.db.execute(
        f"UPDATE sales SET state = ?, updated_at = ?{sets} WHERE id = ? AND state = ?",
        [to_state, store.now_iso(), *fields.values(), sale_id, current],
    )


def _pay(
    store: Store,
    sale_id: str,
    lines: Sequence[Line],
    payments: Sequence[models.Payment],
    money: tuple[int, int, int],
    shift_id: str | None,
) -> None:
    current = _state(store, sale_id)
    _move(store, sale_id, current, "paid", {})
    total, given, change = money
    store.db.execute(
        "UPDATE sales SET lines = ?, total = ?, tendered = ?, change = ?,"
        " shift_id = coalesce(?, shift_id) WHERE id = ?",
        [_lines_json(lines), total, given, change, shift_id, sale_id],
    )
    store.db.conn.executemany(
        "INSERT INTO sale_payments (sale_id, method, amount, reference) VALUES (?, ?, ?, ?)",
        [(sale_id, str(p.method), p.amount, p.reference) for p in payments],
    )


def _add_tickets(
    store: Store, sale_id: str, tickets: Sequence[tuple[str, str, str, int, str]]
) -> None:
    store.db.conn.executemany(
        "INSERT INTO sale_tickets (id, sale_id, seat, ticket_type, price, code)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(id_, sale_id, seat, kind, price, code) for id_, seat, kind, price, code in tickets],
    )


def _journal_sale(
    store: Store,
    sale_id: str,
    mode: str,
    key: str,
    lines: Sequence[Line],
    payments: Sequence[models.Payment],
    total: int,
) -> None:
    journal.append_all(store, [_sale_entry(sale_id, mode, key, lines, payments, total)])


def _sale_entry(
    sale_id: str,
    mode: str,
    key: str,
    lines: Sequence[Line],
    payments: Sequence[models.Payment],
    total: int,
) -> journal.Event:
    return journal.Event(
        "sale",
        {
            "mode": mode,
            "idempotency_key": key,
            "lines": [x.to_json() for x in lines],
            "payments": [p.model_dump(mode="json") for p in payments],
        },
        sale_id=sale_id,
        amount=total,
    )
