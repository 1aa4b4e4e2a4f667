"""Shifts and business days: a cashier's drawer from float to blind count, and the day's close.

Every drawer event (open with a float, cash in, cash out, close with a count) and the day's
close are journalled, so the Z report (offline.zreport) reads them from the same hash chain as
the sales. The `shifts` and `business_days` tables only say what is open, for quick answers.

The close is blind: `close_shift` takes the count first and only then works out what the
drawer should hold, so nothing a cashier sees before counting can steer the count.

Example::

    shift = open_shift(store, "c01", {10000: 2, 1000: 5}, business_date=date(2026, 6, 13))
    cash_move(store, shift.id, "out", 5000, reason="bank drop", supervisor_id="s01")
    closed = close_shift(store, shift.id, {10000: 1, 1000: 5})
    closed.expected, closed.variance
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from contract.business_day import day_start
from contract.ticket_code import canonical_json
from offline import journal, zreport
from offline.errors import InvalidMoney, NotFound, StoreError
from offline.store import Store
from offline.values import fen, from_iso

DENOMINATIONS: tuple[int, ...] = (10000, 5000, 2000, 1000, 500, 100, 50, 10)
"""CNY notes and coins in fen: 100, 50, 20, 10, 5 and 1 yuan, 5 jiao, 1 jiao."""


class ShiftError(StoreError):
    code = "SHIFT_ERROR"


class ShiftAlreadyOpen(ShiftError):
    code = "SHIFT_ALREADY_OPEN"

    def __init__(self, cashier_id: str, shift_id: str) -> None:
        super().__init__(
            f"{cashier_id} already has shift {shift_id} open at this terminal; close it first"
        )
        self.shift_id = shift_id


class ShiftNotOpen(ShiftError):
    code = "SHIFT_NOT_OPEN"


class BadCount(ShiftError, InvalidMoney):
    """A cash count must name real CNY denominations with whole, non-negative counts."""

    code = "CASH_COUNT_INVALID"


class DayNotReady(ShiftError):
    """Shifts still open or operations the central has not acknowledged: the day stays open."""

    code = "DAY_NOT_READY"

    def __init__(
        self, day: date, open_shifts: list[str], outbox_items: int, journal_problem: str = ""
    ) -> None:
        why = []
        if journal_problem:
            why.append(f"the journal's hash chain is broken ({journal_problem})")
        if open_shifts:
            why.append(f"shifts still open: {', '.join(open_shifts)}")
        if outbox_items:
            why.append(f"{outbox_items} operations not yet acknowledged by the central")
        super().__init__(
            f"business day {day} cannot close ({'; '.join(why)}); close the shifts and sync,"
            " or have a supervisor override"
        )
        self.open_shifts = open_shifts
        self.outbox_items = outbox_items
        self.journal_problem = journal_problem


class DayAlreadyClosed(ShiftError):
    code = "DAY_ALREADY_CLOSED"


@dataclass(frozen=True, slots=True)
class Shift:
    id: str
    cashier_id: str
    business_date: date
    state: str
    float_total: int
    float_counts: dict[int, int]
    opened_at: datetime
    closed_at: datetime | None
    counted: int | None
    counts: dict[int, int] | None
    expected: int | None
    variance: int | None


@dataclass(frozen=True, slots=True)
class DayClose:
    business_date: date
    closed_at: datetime
    closed_by: str | None
    override: bool
    reason: str
    open_shifts: list[str]
    outbox_items: int


# --- money in the drawer ---------------------------------------------------------------------


def count_total(counts: Mapping[int, int]) -> int:
    """Fen in a count {denomination in fen: pieces}; an unknown denomination raises."""
    total = 0
    for denomination, pieces in counts.items():
        if denomination not in DENOMINATIONS:
            raise BadCount(f"{denomination} fen is not a CNY note or coin")
        if type(pieces) is not int or pieces < 0:
            raise BadCount(f"count of {denomination} fen pieces must be a whole number >= 0")
        total += denomination * pieces
    return total


def _counts_json(counts: Mapping[int, int]) -> dict[str, int]:
    return {str(d): counts[d] for d in DENOMINATIONS if counts.get(d)}


# --- business days ---------------------------------------------------------------------------


def day_scope(day: date, day_starts: time, zone: ZoneInfo) -> zreport.Scope:
    start = day_start(day, zone, day_starts)
    return zreport.Scope("day", day.isoformat(), day, start, start + timedelta(days=1))


def shift_scope(shift: Shift) -> zreport.Scope:
    return zreport.Scope(
        "shift",
        shift.id,
        shift.business_date,
        shift.opened_at,
        shift.closed_at,
        shift_id=shift.id,
        cashier_id=shift.cashier_id,
    )


# --- shifts ----------------------------------------------------------------------------------


def open_shift(
    store: Store, cashier_id: str, float_counts: Mapping[int, int], *, business_date: date
) -> Shift:
    """Open a shift with a counted float; a cashier's second open shift here raises."""
    total = count_total(float_counts)
    with store.atomic() as db:
        already = current(store, cashier_id)
        if already is not None:
            raise ShiftAlreadyOpen(cashier_id, already.id)
        (n,) = db.execute(
            "SELECT count(*) FROM shifts WHERE cashier_id = ? AND business_date = ?",
            [cashier_id, business_date.isoformat()],
        ).fetchone()
        shift_id = f"{business_date:%Y%m%d}-{cashier_id}-{n + 1}"
        entry = journal.append(
            store,
            "shift_open",
            payload={
                "shift_id": shift_id,
                "cashier_id": cashier_id,
                "float": total,
                "counts": _counts_json(float_counts),
            },
        )
        db.execute(
            "INSERT INTO shifts (id, cashier_id, business_date, state, float_total, float_counts,"
            " opened_at) VALUES (?, ?, ?, 'open', ?, ?, ?)",
            [
                shift_id,
                cashier_id,
                business_date.isoformat(),
                total,
                canonical_json(_counts_json(float_counts)).decode(),
                entry.at,
            ],
        )
    return get(store, shift_id)


def cash_move(
    store: Store,
    shift_id: str,
    direction: Literal["in", "out"],
    amount: int,
    *,
    reason: str,
    supervisor_id: str,
) -> journal.JournalEntry:
    """Cash put into or taken out of an open shift's drawer (change top-up, bank drop)."""
    if direction not in ("in", "out"):
        raise ValueError(f"direction must be in or out, not {direction!r}")
    if fen(amount, "cash moved") == 0:
        raise InvalidMoney("cash moved must be more than 0 fen")
    if not reason.strip():
        raise ShiftError("a cash movement needs a reason")
    with store.atomic():
        _open(store, shift_id)
        return journal.append(
            store,
            f"cash_{direction}",
            amount=amount if direction == "in" else -amount,
            payload={"shift_id": shift_id, "reason": reason, "supervisor_id": supervisor_id},
        )


def close_shift(store: Store, shift_id: str, counts: Mapping[int, int]) -> Shift:
    """Close with a blind count: the count is taken as given, then compared with the journal."""
    counted = count_total(counts)
    with store.atomic() as db:
        shift = _open(store, shift_id)
        expected = zreport.build(store, shift_scope(shift)).cash.expected
        entry = journal.append(
            store,
            "shift_close",
            payload={
                "shift_id": shift_id,
                "counts": _counts_json(counts),
                "counted": counted,
                "expected": expected,
                "variance": counted - expected,
            },
        )
        db.execute(
            "UPDATE shifts SET state = 'closed', closed_at = ?, counted = ?, counts = ?,"
            " expected = ?, variance = ? WHERE id = ?",
            [
                entry.at,
                counted,
                canonical_json(_counts_json(counts)).decode(),
                expected,
                counted - expected,
                shift_id,
            ],
        )
    return get(store, shift_id)


def get(store: Store, shift_id: str) -> Shift:
    found = _select(store, "id = ?", [shift_id])
    if not found:
        raise NotFound(f"shift {shift_id} does not exist at this terminal")
    return found[0]


def current(store: Store, cashier_id: str) -> Shift | None:
    """The cashier's open shift at this terminal, if any."""
    found = _select(store, "cashier_id = ? AND state = 'open'", [cashier_id])
    return found[0] if found else None


def list_shifts(
    store: Store,
    *,
    state: Literal["open", "closed"] | None = None,
    business_date: date | None = None,
) -> list[Shift]:
    where, params = ["1"], []
    if state is not None:
        where.append("state = ?")
        params.append(state)
    if business_date is not None:
        where.append("business_date = ?")
        params.append(business_date.isoformat())
    return _select(store, " AND ".join(where), params)


def _open(store: Store, shift_id: str) -> Shift:
    shift = get(store, shift_id)
    if shift.state != "open":
        raise ShiftNotOpen(f"shift {shift_id} is already closed")
    return shift


def _select(store: Store, where: str, params: list[Any]) -> list[Shift]:
    rows = store.db.execute(
        "SELECT id, cashier_id, business_date, state, float_total, float_counts, opened_at,"
        f" closed_at, counted, counts, expected, variance FROM shifts WHERE {where}"
        " ORDER BY opened_at, id",
        params,
    ).fetchall()
    return [
        Shift(
            id=r[0],
            cashier_id=r[1],
            business_date=date.fromisoformat(r[2]),
            state=r[3],
            float_total=r[4],
            float_counts=_counts(r[5]),
            opened_at=from_iso(r[6]),
            closed_at=from_iso(r[7]) if r[7] else None,
            counted=r[8],
            counts=_counts(r[9]) if r[9] else None,
            expected=r[10],
            variance=r[11],
        )
        for r in rows
    ]


def _counts(text: str) -> dict[int, int]:
    return {int(d): n for d, n in json.loads(text).items()}


# --- closing the day -------------------------------------------------------------------------


def waiting_in_outbox(store: Store) -> int:
    """Operations the central has not acknowledged, failed ones included: a human must look."""
    (n,) = store.db.execute("SELECT count(*) FROM outbox WHERE state != 'done'").fetchone()
    return int(n)


def close_day(
    store: Store, day: date, *, closed_by: str | None, override: bool = False, reason: str = ""
) -> DayClose:
    """Close a business day once every shift is closed, the outbox is empty and the journal's
    hash chain is whole.

    With `override` (a supervisor's decision, checked by the caller) it closes anyway, and
    the open shifts, waiting operations and a broken chain are journalled with who decided
    and why (the day's report, uploaded, says the chain is broken too).
    """
    with store.atomic() as db:
        if day_closed(store, day) is not None:
            raise DayAlreadyClosed(f"business day {day} is already closed")
        open_shifts = [s.id for s in list_shifts(store, state="open")]
        waiting = waiting_in_outbox(store)
        chain = journal.verify(store)
        broken = "" if chain.ok else f"entry {chain.first_bad_seq}: {chain.reason}"
        if (open_shifts or waiting or broken) and not override:
            raise DayNotReady(day, open_shifts, waiting, broken)
        overridden = override and bool(open_shifts or waiting or broken)
        entry = journal.append(
            store,
            "day_close",
            payload={
                "business_date": day.isoformat(),
                "closed_by": closed_by,
                "override": overridden,
                "reason": reason,
                "open_shifts": open_shifts,
                "outbox_items": waiting,
                "journal_broken": broken,
            },
        )
        db.execute(
            "INSERT INTO business_days (business_date, closed_at, closed_by, override, reason,"
            " open_shifts, outbox_items) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                day.isoformat(),
                entry.at,
                closed_by,
                int(overridden),
                reason,
                json.dumps(open_shifts),
                waiting,
            ],
        )
    closed = day_closed(store, day)
    assert closed is not None
    return closed


def day_closed(store: Store, day: date) -> DayClose | None:
    row = store.db.execute(
        "SELECT business_date, closed_at, closed_by, override, reason, open_shifts, outbox_items"
        " FROM business_days WHERE business_date = ?",
        [day.isoformat()],
    ).fetchone()
    if row is None:
        return None
    return DayClose(
        business_date=date.fromisoformat(row[0]),
        closed_at=from_iso(row[1]),
        closed_by=row[2],
        override=bool(row[3]),
        reason=row[4],
        open_shifts=json.loads(row[5]),
        outbox_items=row[6],
    )
