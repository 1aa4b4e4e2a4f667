"""Intake of sales a terminal made while it could not reach us.

Each sale is judged on its own: accepted, a duplicate of one already taken (same idempotency
key), or a conflict with the reason. A conflict never blocks the sales after it in the batch.

How a batch is taken:
1. Signatures (the sale's, and each ticket code's) depend on nothing in the database but the
   terminal's key, so they are checked first, outside the write lock and on every core, for the
   sales whose keys are not known yet (a re-sent batch costs no signature checks).
2. One write transaction, set-based: the rows the other checks need (known keys, tombstones,
   leases, showtimes, seats) are read once for the whole batch; the sales are judged in order
   against that view, which is kept current as each sale is accepted (a later sale sees the
   keys and seats of an earlier one); the accepted sales, their tickets and their seats are
   written with one statement per table.
3. Should the database still refuse a row (a ticket id already used, the same seat twice in
   one sale), step 2 is undone and done again one sale at a time, each in its own savepoint:
   the database's refusal becomes that sale's conflict, and the sales after it go on."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from central.catalog import ShowtimeRow, showtime
from central.context import Context, iso, new_id, parse_iso
from central.errors import ApiError
from central.seats import SeatRow, seat_rows
from central.selling import check_money
from contract.models import (
    SALES_CLOSE_AFTER_START,
    Discount,
    OfflineBatch,
    OfflineBatchResult,
    OfflineSale,
    OfflineSaleResult,
    SyncResult,
)
from contract.ticket_code import (
    CodeCheck,
    Ed25519PublicKey,
    Verdict,
    check_ticket_code,
    offline_sale_signing_bytes,
    public_key_from_text,
)
from contract.ticket_code import b64d as _b64d

VERIFIERS = min(4, os.cpu_count() or 1)
_verifiers = ThreadPoolExecutor(max_workers=VERIFIERS, thread_name_prefix="offline-verify")
"""Ed25519 verification releases the GIL: a batch's signatures are checked on every core."""

_INSERT_SALE = (
    "INSERT INTO sales (id, idempotency_key, terminal_id, showtime_id, cashier_id, channel,"
    " total, payments, created_at, sold_at, status, lease_id)"
    " VALUES (?, ?, ?, ?, ?, 'offline', ?, ?, ?, ?, 'paid', ?)"
)


class Refused(Exception):
    """A sale that cannot be taken, with the reason the terminal will show IT."""


# --- signatures: no database, any thread -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signatures:
    """What a sale's signatures say: the sale's own, and each ticket code's check."""

    sale: bool
    codes: tuple[CodeCheck, ...]

    @classmethod
    def of(cls, key: Ed25519PublicKey, key_id: str, sale: OfflineSale) -> Signatures:
        try:
            signing = offline_sale_signing_bytes(sale.model_dump(mode="json"))
            key.verify(_b64d(sale.signature), signing)
            signed = True
        except Exception:
            signed = False
        keys = {key_id: key}  # the terminal's current key: its tickets name it
        return cls(signed, tuple(check_ticket_code(t.code, keys) for t in sale.tickets))


def check_signatures(
    key: Ed25519PublicKey, key_id: str, sales: Sequence[OfflineSale]
) -> list[Signatures]:
    """Signatures.of for each sale, in order, the sales split among the verifier threads."""

    def some(part: Sequence[OfflineSale]) -> list[Signatures]:
        return [Signatures.of(key, key_id, sale) for sale in part]

    if VERIFIERS == 1 or len(sales) < 2 * VERIFIERS:
        return some(sales)
    size = -(-len(sales) // VERIFIERS)
    parts = _verifiers.map(some, [sales[i : i + size] for i in range(0, len(sales), size)])
    return [checked for part in parts for checked in part]


# --- the checks, in the order every sale goes through them -----------------------------------


def _signed(signatures: Signatures) -> None:
    if not signatures.sale:
        raise Refused("signature does not verify with this terminal's key")


CLOCK_SKEW = timedelta(minutes=2)
"""How far a terminal's clock may run from ours before its `sold_at` is doubted."""


def _lease(lease: _Lease | None, terminal_id: str, sale: OfflineSale) -> None:
    if lease is None or lease.terminal_id != terminal_id:
        raise Refused(f"lease {sale.lease_id} is not this terminal's")
    if lease.showtime_id != sale.showtime_id:
        raise Refused("lease is for another showtime")
    if sale.sold_at < lease.created_at - CLOCK_SKEW:
        raise Refused("sold before the lease was granted")
    if lease.released_at is not None and sale.sold_at > lease.released_at + CLOCK_SKEW:
        raise Refused("sold after the lease was released")


def _when(st: ShowtimeRow, sale: OfflineSale) -> None:
    """A sale counts on its own business day only if it was made while the showtime was on
    sale; a later `sold_at` is a conflict, not a sale silently counted outside the day."""
    if sale.sold_at >= st.start + SALES_CLOSE_AFTER_START + CLOCK_SKEW:
        raise Refused("sold after sales for the showtime had closed")


@dataclass(frozen=True, slots=True)
class _Lease:
    terminal_id: str
    showtime_id: str
    created_at: datetime
    released_at: datetime | None


def _money(st: ShowtimeRow, sale: OfflineSale, discounts: Sequence[Discount]) -> None:
    try:
        check_money(st, sale.tickets, sale.payments, discounts)
    except ApiError as exc:
        raise Refused(exc.message) from exc


def _codes(sale: OfflineSale, signatures: Signatures) -> None:
    for ticket, check in zip(sale.tickets, signatures.codes, strict=True):
        claim = check.claim
        if check.verdict != Verdict.VALID or claim is None:
            raise Refused(f"ticket {ticket.id}: {check.reason}")
        if (claim.ticket_id, claim.seat, claim.showtime_id) != (
            ticket.id,
            ticket.seat,
            sale.showtime_id,
        ):
            raise Refused(f"ticket {ticket.id}: code does not match the ticket")


def _seats(sale: OfflineSale, rows: dict[str, SeatRow]) -> None:
    for label in (t.seat for t in sale.tickets):
        row = rows.get(label)
        if row is None:
            raise Refused(f"no seat {label}")
        if row.sale_id is not None:
            raise Refused(f"seat {label} is already sold")
        if row.lease_id != sale.lease_id:
            # Only seats of the sale's own lease: a seat never leased (a wheelchair space, a
            # seat the terminal had no right to) is refused even when it happens to be free.
            raise Refused(f"seat {label} is not in lease {sale.lease_id}")


def _sale_row(
    ctx: Context, terminal_id: str, st: ShowtimeRow, sale: OfflineSale
) -> tuple[str, tuple[object, ...]]:
    sale_id = new_id("S")
    return sale_id, (
        sale_id,
        sale.idempotency_key,
        terminal_id,
        st.id,
        sale.cashier_id,
        sum(t.price for t in sale.tickets),
        json.dumps([p.model_dump(mode="json") for p in sale.payments]),
        iso(ctx.now()),
        iso(sale.sold_at),
        sale.lease_id,
    )


def _result(
    key: str, result: SyncResult, sale_id: str | None = None, reason: str | None = None
) -> OfflineSaleResult:
    return OfflineSaleResult(idempotency_key=key, result=result, sale_id=sale_id, reason=reason)


# --- the batch, set-based --------------------------------------------------------------------


def _json(values: Iterable[str]) -> str:
    return json.dumps(sorted(set(values)))


def _keys(sales: Iterable[OfflineSale]) -> list[str]:
    return [s.idempotency_key for s in sales]


def _known(conn: sqlite3.Connection, terminal_id: str, keys: Iterable[str]) -> dict[str, str]:
    """Sale id by idempotency key, for the keys this terminal already used for a sale."""
    return {
        r[0]: r[1]
        for r in conn.execute(
            "SELECT idempotency_key, id FROM sales WHERE terminal_id = ?"
            " AND idempotency_key IN (SELECT value FROM json_each(?))",
            (terminal_id, _json(keys)),
        )
    }


@dataclass
class _View:
    """What the checks of a batch read, loaded once and kept current as sales are accepted."""

    known: dict[str, str]
    tombstoned: set[str]
    leases: dict[str, _Lease]
    staff: set[str]
    """Staff ids the cinema has: an offline sale's cashier must be one of them."""
    showtimes: dict[str, ShowtimeRow | str]
    """The showtime, or why there is none."""
    seats: dict[str, dict[str, SeatRow]]
    """Seat rows by showtime id and label, for the labels the batch names."""

    @classmethod
    def load(
        cls, conn: sqlite3.Connection, terminal_id: str, sales: Sequence[OfflineSale]
    ) -> _View:
        keys = _json(_keys(sales))
        tombstoned = {
            r[0]
            for r in conn.execute(
                "SELECT idempotency_key FROM tombstones WHERE terminal_id = ?"
                " AND idempotency_key IN (SELECT value FROM json_each(?))",
                (terminal_id, keys),
            )
        }
        leases = {
            r[0]: _Lease(r[1], r[2], parse_iso(r[3]), parse_iso(r[4]) if r[4] else None)
            for r in conn.execute(
                "SELECT id, terminal_id, showtime_id, created_at, released_at FROM leases"
                " WHERE id IN (SELECT value FROM json_each(?))",
                (_json(s.lease_id for s in sales),),
            )
        }
        staff = {r[0] for r in conn.execute("SELECT id FROM staff")}
        showtimes: dict[str, ShowtimeRow | str] = {}
        labels: dict[str, set[str]] = {}
        for s in sales:
            if s.showtime_id not in showtimes:
                try:
                    showtimes[s.showtime_id] = showtime(conn, s.showtime_id)
                except ApiError as exc:
                    showtimes[s.showtime_id] = exc.message
            labels.setdefault(s.showtime_id, set()).update(t.seat for t in s.tickets)
        seats = {
            st_id: seat_rows(conn, st_id, sorted(wanted))
            for st_id, wanted in labels.items()
            if isinstance(showtimes[st_id], ShowtimeRow)
        }
        known = _known(conn, terminal_id, _keys(sales))
        return cls(known, tombstoned, leases, staff, showtimes, seats)

    def judge(
        self,
        terminal_id: str,
        sale: OfflineSale,
        signatures: Signatures,
        discounts: Sequence[Discount],
    ) -> ShowtimeRow:
        """Every check of a sale, in order, against the view (prices by the cinema's
        `discounts`); returns its showtime."""
        _signed(signatures)
        if sale.idempotency_key in self.tombstoned:
            raise Refused("the terminal cancelled this sale")
        _lease(self.leases.get(sale.lease_id), terminal_id, sale)
        if sale.cashier_id not in self.staff:
            raise Refused(f"cashier {sale.cashier_id} is not on the staff list")
        st = self.showtimes[sale.showtime_id]
        if not isinstance(st, ShowtimeRow):
            raise Refused(st)
        _when(st, sale)
        _money(st, sale, discounts)
        _codes(sale, signatures)
        _seats(sale, self.seats[st.id])
        return st

    def take(self, st: ShowtimeRow, sale: OfflineSale, sale_id: str) -> None:
        """Each seat of an accepted sale as its ticket leaves it: sold, no hold, no lease."""
        self.known[sale.idempotency_key] = sale_id
        seats = self.seats[st.id]
        for t in sale.tickets:
            seats[t.seat] = replace(
                seats[t.seat],
                sale_id=sale_id,
                hold_id=None,
                hold_expires=None,
                lease_id=None,
                lease_terminal=None,
            )


def _take(
    conn: sqlite3.Connection,
    ctx: Context,
    terminal_id: str,
    sales: Sequence[OfflineSale],
    signatures: _Lazy,
    first: int = 0,
) -> list[OfflineSaleResult]:
    """Judge `sales` (the batch's from position `first`) in order and write the accepted ones,
    one statement per table."""
    view = _View.load(conn, terminal_id, sales)
    results: list[OfflineSaleResult] = []
    sale_rows: list[tuple[object, ...]] = []
    ticket_rows: list[tuple[object, ...]] = []
    seat_updates: list[tuple[str, str, str]] = []
    for i, sale in enumerate(sales):
        k = sale.idempotency_key
        if k in view.known:
            results.append(_result(k, SyncResult.DUPLICATE, sale_id=view.known[k]))
            continue
        try:
            st = view.judge(terminal_id, sale, signatures.at(first + i), ctx.cinema.discounts)
        except Refused as exc:
            results.append(_result(k, SyncResult.CONFLICT, reason=str(exc)))
            continue
        sale_id, row = _sale_row(ctx, terminal_id, st, sale)
        sale_rows.append(row)
        for t in sale.tickets:
            ticket_rows.append((t.id, sale_id, st.id, t.seat, t.ticket_type, t.price, t.code))
            seat_updates.append((sale_id, st.id, t.seat))
        view.take(st, sale, sale_id)
        results.append(_result(k, SyncResult.ACCEPTED, sale_id=sale_id))
    conn.executemany(_INSERT_SALE, sale_rows)
    conn.executemany(
        "INSERT INTO tickets (id, sale_id, showtime_id, seat, ticket_type, price, code)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        ticket_rows,
    )
    # What central.ticketing.insert_ticket does ticket by ticket, for the whole batch.
    conn.executemany(
        "UPDATE seats SET sale_id = ?, hold_id = NULL, hold_expires = NULL, lease_id = NULL,"
        " lease_terminal = NULL WHERE showtime_id = ? AND label = ?",
        seat_updates,
    )
    return results


# --- the upload ------------------------------------------------------------------------------


class _Lazy:
    """Signatures of a batch's sales by position: checked ahead where given, else on demand."""

    def __init__(self, key: tuple[str, str], sales: Sequence[OfflineSale]) -> None:
        self.key_id = key[0]
        self.key = public_key_from_text(key[1])
        self.sales = sales
        self.checked: dict[int, Signatures] = {}

    def ahead(self, positions: Sequence[int]) -> None:
        found = check_signatures(self.key, self.key_id, [self.sales[i] for i in positions])
        self.checked.update(zip(positions, found, strict=True))

    def at(self, i: int) -> Signatures:
        if i not in self.checked:
            self.checked[i] = Signatures.of(self.key, self.key_id, self.sales[i])
        return self.checked[i]


def _public_key(conn: sqlite3.Connection, terminal_id: str) -> tuple[str, str]:
    """The terminal's current signing key: (key id, public key text)."""
    row = conn.execute(
        "SELECT key_id, public_key FROM terminals WHERE id = ?", (terminal_id,)
    ).fetchone()
    return row["key_id"] or terminal_id, row["public_key"]


def upload(ctx: Context, terminal_id: str, batch: OfflineBatch) -> OfflineBatchResult:
    """Idempotent by each sale's own key, so the batch needs no key of its own."""
    sales = batch.sales
    conn = ctx.db.read()
    text = _public_key(conn, terminal_id)
    signatures = _Lazy(text, sales)
    # Ahead of the write lock: a key used already is a duplicate now and for ever after.
    known = _known(conn, terminal_id, _keys(sales))
    signatures.ahead([i for i, s in enumerate(sales) if s.idempotency_key not in known])
    with ctx.db.write() as conn:
        now = _public_key(conn, terminal_id)
        if now != text:  # the terminal's key changed meanwhile: check with the new one
            signatures = _Lazy(now, sales)
        conn.execute("SAVEPOINT batch")
        try:
            results = _take(conn, ctx, terminal_id, sales, signatures)
        except sqlite3.IntegrityError:
            conn.execute("ROLLBACK TO batch")
            results = [
                _take_one(conn, ctx, terminal_id, sales, signatures, i) for i in range(len(sales))
            ]
        conn.execute("RELEASE batch")
    return OfflineBatchResult(results=results)


def _take_one(
    conn: sqlite3.Connection,
    ctx: Context,
    terminal_id: str,
    sales: Sequence[OfflineSale],
    signatures: _Lazy,
    i: int,
) -> OfflineSaleResult:
    """Sale i taken on its own, in a savepoint: a row the database refuses is its conflict."""
    conn.execute("SAVEPOINT one_sale")
    try:
        [result] = _take(conn, ctx, terminal_id, sales[i : i + 1], signatures, first=i)
    except sqlite3.IntegrityError as exc:
        conn.execute("ROLLBACK TO one_sale")
        result = _result(sales[i].idempotency_key, SyncResult.CONFLICT, reason=str(exc))
    conn.execute("RELEASE one_sale")
    return result
