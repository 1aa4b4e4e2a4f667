"""The Z report, computed from the hash-chained journal alone, so it cannot disagree with it.

One pass over the whole journal, in order: every sale's payments are known when its refund or
void comes (even from another day), and only the entries the scope covers are tallied. The
sales table is read for two things the journal does not hold (which shift a sale belongs to,
and the central's sale id) and is cross-checked against the journal: a row that disagrees is
listed in `mismatches`, so editing the sales table behind the journal's back shows too.

Money given back is paid out cash first: a refund or void of a sale paid partly in cash takes
from its cash part until that is used up, then from the card part. That is the rule the drawer
follows, so `cash.expected` = float + cash sales - cash given back + cash in - cash out.

Reports are saved with their upload to the central (outbox kind "report") in one transaction;
the idempotency key exists before the first try, so a repeated upload is answered once.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from contract.money import cash_back
from contract.ticket_code import canonical_json
from offline import code_payments, journal, outbox
from offline.journal import JournalEntry
from offline.store import Store
from offline.values import from_iso, utc_iso

SHIFT_EVENTS = frozenset({"shift_open", "cash_in", "cash_out", "shift_close"})
SALE_EVENTS = frozenset({"sale", "refund", "void", "reprint"})
_STORED_STATES = "('paid', 'printed', 'synced', 'voided', 'refunded')"


@dataclass(frozen=True, slots=True)
class Scope:
    """Which journal entries a report covers.

    A day covers entries with `start <= at < end`. A shift covers its own drawer events, the
    entries of its sales and its cashier's pickups, from `start` up to and including `end`
    (its close; None while it is open), so a closed shift's report never changes.
    """

    kind: Literal["shift", "day"]
    key: str
    """The shift id, or the business date in ISO form."""
    business_date: date
    start: datetime
    end: datetime | None
    shift_id: str | None = None
    cashier_id: str | None = None


@dataclass(slots=True)
class Tally:
    count: int = 0
    amount: int = 0

    def add(self, amount: int, count: int = 1) -> None:
        self.count += count
        self.amount += amount


@dataclass(slots=True)
class ReportSale:
    """One sale as the journal tells it; what the central compares sale by sale."""

    sale_id: str
    idempotency_key: str
    central_sale_id: str | None
    mode: str
    total: int
    tickets: int
    payments: dict[str, int]
    refunded: int = 0
    tickets_refunded: int = 0
    voided: bool = False
    cash_given_back: int = 0

    @property
    def status(self) -> str:
        if self.voided:
            return "voided"
        if self.tickets_refunded and self.tickets_refunded >= self.tickets:
            return "refunded"
        return "partly_refunded" if self.refunded else "paid"


@dataclass(slots=True)
class Cash:
    opening_float: int = 0
    sales: int = 0
    given_back: int = 0
    """Cash paid out for refunds and voids."""
    cash_in: int = 0
    cash_out: int = 0
    counted: int | None = None
    """The blind count at close (a day: the sum of its closed shifts' counts)."""

    @property
    def expected(self) -> int:
        return self.opening_float + self.sales - self.given_back + self.cash_in - self.cash_out

    @property
    def variance(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected


@dataclass(frozen=True, slots=True)
class JournalSpan:
    entries: int
    first_seq: int | None
    last_seq: int | None
    first_hash: str | None
    last_hash: str | None
    chain_ok: bool
    chain_problem: str
    """"ok", or why the chain breaks and at which entry."""


@dataclass(slots=True)
class ZReport:
    scope: Scope
    generated_at: datetime
    sales: Tally = field(default_factory=Tally)
    by_ticket_type: dict[str, Tally] = field(default_factory=dict)
    by_discount: dict[str, Tally] = field(default_factory=dict)
    """Tickets sold with each of the cinema's discounts, and what they brought in."""
    by_mode: dict[str, Tally] = field(default_factory=dict)
    by_payment: dict[str, int] = field(default_factory=dict)
    refunds: Tally = field(default_factory=Tally)
    voids: Tally = field(default_factory=Tally)
    given_back_by_payment: dict[str, int] = field(default_factory=dict)
    pickups: int = 0
    reprints: int = 0
    cash: Cash = field(default_factory=Cash)
    cash_moves: list[dict[str, Any]] = field(default_factory=list)
    lines: list[ReportSale] = field(default_factory=list)
    journal: JournalSpan | None = None
    outbox: dict[str, int] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)
    day_close: dict[str, Any] | None = None
    """The day's close as journalled: who, when, and any supervisor override."""
    code_trades: list[dict[str, Any]] = field(default_factory=list)
    """The payment-code charges of these sales, with the providers' trade numbers."""

    @property
    def net(self) -> int:
        """Sales less refunds and voids: the journal's sale, refund and void amounts summed."""
        return self.sales.amount - self.refunds.amount - self.voids.amount

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["net"] = self.net
        data["cash"].update(expected=self.cash.expected, variance=self.cash.variance)
        for line, sale in zip(data["lines"], self.lines, strict=True):
            line["status"] = sale.status
        return json.loads(json.dumps(data, default=_jsonable))


def _jsonable(value: object) -> str:
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def build(store: Store, scope: Scope) -> ZReport:
    """The report of `scope` as the journal stands now."""
    report = ZReport(scope=scope, generated_at=store.now())
    rows = {
        row[0]: row
        for row in store.db.execute(
            "SELECT id, shift_id, central_sale_id, total, refunded, state, created_at"
            f" FROM sales WHERE state IN {_STORED_STATES}"
        )
    }
    every: dict[str, ReportSale] = {}
    covered: list[JournalEntry] = []
    for entry in journal.entries(store):
        inside = _covers(scope, entry, rows)
        if inside:
            covered.append(entry)
        _apply(report, entry, every, rows, inside)
    report.journal = _span(store, covered)
    report.outbox = _outbox_counts(store)
    report.mismatches = _mismatches(scope, report.lines, rows)
    report.code_trades = code_payments.trades_of(store, [s.sale_id for s in report.lines])
    return report


def _covers(scope: Scope, entry: JournalEntry, rows: dict[str, tuple[Any, ...]]) -> bool:
    at = from_iso(entry.at)
    if at < scope.start:
        return False
    if scope.kind == "day":
        return scope.end is None or at < scope.end
    if scope.end is not None and at > scope.end:
        return False
    if entry.kind in SHIFT_EVENTS:
        return entry.payload.get("shift_id") == scope.shift_id
    if entry.kind == "pickup":
        return entry.payload.get("cashier_id") == scope.cashier_id
    row = rows.get(entry.sale_id or "")
    return entry.kind in SALE_EVENTS and row is not None and row[1] == scope.shift_id


def _apply(
    report: ZReport,
    entry: JournalEntry,
    every: dict[str, ReportSale],
    rows: dict[str, tuple[Any, ...]],
    inside: bool,
) -> None:
    """Update the running state of every sale; tally the entry if the scope covers it."""
    p = entry.payload
    sale = every.get(entry.sale_id or "")
    if entry.kind == "sale" and entry.sale_id is not None:
        payments: dict[str, int] = {}
        for payment in p.get("payments", []):
            payments[payment["method"]] = payments.get(payment["method"], 0) + payment["amount"]
        row = rows.get(entry.sale_id)
        sale = ReportSale(
            sale_id=entry.sale_id,
            idempotency_key=p.get("idempotency_key", ""),
            central_sale_id=row[2] if row else None,
            mode=p.get("mode", "?"),
            total=entry.amount,
            tickets=len(p.get("lines", [])),
            payments=payments,
        )
        every[entry.sale_id] = sale
        if inside:
            _tally_sale(report, sale, p)
    elif entry.kind in ("refund", "void"):
        back = -entry.amount
        by_method = _give_back(sale, back)
        if sale is not None:
            sale.refunded += back if entry.kind == "refund" else 0
            sale.tickets_refunded += len(p.get("ticket_ids", []))
            sale.voided = sale.voided or entry.kind == "void"
        if inside:
            (report.refunds if entry.kind == "refund" else report.voids).add(back)
            for method, amount in by_method.items():
                report.given_back_by_payment[method] = (
                    report.given_back_by_payment.get(method, 0) + amount
                )
            report.cash.given_back += by_method.get("cash", 0)
    elif inside:
        _tally_other(report, entry)


def _tally_sale(report: ZReport, sale: ReportSale, payload: dict[str, Any]) -> None:
    report.lines.append(sale)
    report.sales.add(sale.total)
    report.by_mode.setdefault(sale.mode, Tally()).add(sale.total)
    for line in payload.get("lines", []):
        report.by_ticket_type.setdefault(line["ticket_type"], Tally()).add(line["price"])
        if line.get("discount"):
            report.by_discount.setdefault(line["discount"], Tally()).add(line["price"])
    for method, amount in sale.payments.items():
        report.by_payment[method] = report.by_payment.get(method, 0) + amount
    report.cash.sales += sale.payments.get("cash", 0)


def _give_back(sale: ReportSale | None, amount: int) -> dict[str, int]:
    """Split money given back by method, cash first (see the module docstring)."""
    if sale is None:
        return {"unknown": amount} if amount else {}
    cash = cash_back(amount, sale.payments.get("cash", 0), sale.cash_given_back)
    sale.cash_given_back += cash
    split = {"cash": cash} if cash else {}
    if amount > cash:
        split[next((m for m in sale.payments if m != "cash"), "card")] = amount - cash
    return split


def _tally_other(report: ZReport, entry: JournalEntry) -> None:
    p = entry.payload
    match entry.kind:
        case "pickup":
            report.pickups += 1
        case "reprint":
            report.reprints += 1
        case "shift_open":
            report.cash.opening_float += p.get("float", 0)
        case "cash_in" | "cash_out":
            if entry.kind == "cash_in":
                report.cash.cash_in += entry.amount
            else:
                report.cash.cash_out -= entry.amount
            report.cash_moves.append(
                {
                    "at": entry.at,
                    "shift_id": p.get("shift_id"),
                    "amount": entry.amount,
                    "reason": p.get("reason", ""),
                    "supervisor_id": p.get("supervisor_id"),
                }
            )
        case "shift_close":
            report.cash.counted = (report.cash.counted or 0) + p.get("counted", 0)
        case "day_close" if report.scope.kind == "day":
            if p.get("business_date") == report.scope.key:
                report.day_close = {"at": entry.at, **p}


def _span(store: Store, covered: list[JournalEntry]) -> JournalSpan:
    check = journal.verify(store)
    problem = "ok" if check.ok else f"broken at entry {check.first_bad_seq}: {check.reason}"
    first, last = (covered[0], covered[-1]) if covered else (None, None)
    return JournalSpan(
        entries=len(covered),
        first_seq=first.seq if first else None,
        last_seq=last.seq if last else None,
        first_hash=first.hash if first else None,
        last_hash=last.hash if last else None,
        chain_ok=check.ok,
        chain_problem=problem,
    )


def _outbox_counts(store: Store) -> dict[str, int]:
    counts = {"pending": 0, "in_flight": 0, "failed": 0}
    for state, n in store.db.execute(
        "SELECT state, count(*) FROM outbox WHERE state != 'done' GROUP BY state"
    ):
        counts[state] = n
    return counts


def _mismatches(
    scope: Scope, lines: list[ReportSale], rows: dict[str, tuple[Any, ...]]
) -> list[str]:
    """Sales whose row in the sales table disagrees with the journal, or has no entry in it."""
    found = []
    seen = set()
    for sale in lines:
        seen.add(sale.sale_id)
        row = rows.get(sale.sale_id)
        if row is None:
            found.append(f"sale {sale.sale_id} is in the journal but not in the sales table")
        elif (row[3], row[4]) != (sale.total, sale.refunded) or (row[5] == "voided") != (
            sale.voided
        ):
            found.append(
                f"sale {sale.sale_id}: the sales table says {row[3]} fen, {row[4]} refunded,"
                f" {row[5]}; the journal says {sale.total} fen, {sale.refunded} refunded,"
                f" {sale.status}"
            )
    for sale_id, row in rows.items():
        in_scope = (
            row[1] == scope.shift_id
            if scope.kind == "shift"
            else scope.start <= from_iso(row[6]) < (scope.end or from_iso(row[6]))
        )
        if in_scope and sale_id not in seen:
            found.append(f"sale {sale_id} is in the sales table but not in the journal")
    return found


# --- saving and uploading ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredReport:
    id: str
    kind: str
    scope: str
    idempotency_key: str
    body: dict[str, Any]
    """The report as it was closed and uploaded."""
    created_at: datetime
    upload_state: str | None
    """The outbox item's state: pending, in_flight, done or failed."""
    answer: dict[str, Any] | None
    """The central's answer, once it gave one."""


def save(store: Store, report_id: str, report: ZReport, upload: dict[str, Any]) -> str:
    """Keep the report and queue its upload in one transaction; returns the upload's key.

    The key is made here, before any try, so every retry is the same request to the central.
    """
    key = f"report-{report_id}"[:80]
    with store.atomic() as db:
        db.execute(
            "INSERT INTO reports (id, kind, scope, idempotency_key, body, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                report_id,
                report.scope.kind,
                report.scope.key,
                key,
                canonical_json(report.to_json()).decode(),
                store.now_iso(),
            ],
        )
        outbox.enqueue(store, "report", key, upload)
    return key


def stored(store: Store, kind: str, scope: str) -> StoredReport | None:
    """The report of a closed shift or day, with its upload's state and the central's answer."""
    row = store.db.execute(
        "SELECT r.id, r.kind, r.scope, r.idempotency_key, r.body, r.created_at, o.state, o.result"
        " FROM reports r LEFT JOIN outbox o ON o.idempotency_key = r.idempotency_key"
        " WHERE r.kind = ? AND r.scope = ?",
        [kind, scope],
    ).fetchone()
    if row is None:
        return None
    return StoredReport(
        id=row[0],
        kind=row[1],
        scope=row[2],
        idempotency_key=row[3],
        body=json.loads(row[4]),
        created_at=from_iso(row[5]),
        upload_state=row[6],
        answer=json.loads(row[7]) if row[7] else None,
    )
