"""A Z report (offline.zreport) in the shapes it leaves the terminal in: the upload to the
central, the printed face, CSV and JSON.

All of them are made from the same `ZReport`, so paper, files and the central's copy agree.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from zoneinfo import ZoneInfo

from contract.models import CodeTrade, ReconciliationRequest, ReportLine
from contract.money import format_money
from offline.zreport import ZReport
from printer.layout import ReportFace, ReportRow, ReportSection


def report_id(terminal_id: str, report: ZReport) -> str:
    """Unique per terminal and scope, so the central answers a repeated upload with the first."""
    return f"{terminal_id}-{report.scope.kind}-{report.scope.key}"


def reconciliation_request(report_id: str, report: ZReport) -> ReconciliationRequest:
    """What the central compares: totals of the live (not voided) sales, and every sale.

    A voided sale is cancelled at the central, so it is left out of the totals on both sides
    and sent as a line with status "voided".
    """
    live = [s for s in report.lines if not s.voided]
    by_payment: dict[str, int] = {}
    for sale in live:
        for method, amount in sale.payments.items():
            by_payment[method] = by_payment.get(method, 0) + amount
    scope = report.scope
    return ReconciliationRequest(
        kind=scope.kind,
        report_id=report_id,
        business_date=scope.business_date,
        opened_at=scope.start if scope.kind == "shift" else None,
        closed_at=scope.end if scope.kind == "shift" else None,
        sales_count=len(live),
        gross=sum(s.total for s in live),
        refunds=sum(s.refunded for s in live),
        by_payment=by_payment,
        code_trades=[CodeTrade.model_validate(t) for t in report.code_trades],
        sales=[
            ReportLine(
                sale_id=s.central_sale_id,
                idempotency_key=s.idempotency_key,
                total=s.total,
                refunded=s.refunded,
                status=s.status,
            )
            for s in report.lines
        ],
    )


def yuan(fen: int | None) -> str:
    if fen is None:
        return "-"
    return format_money(fen)


def _rows(report: ZReport) -> list[tuple[str, str, int | None, int | None]]:
    """(section, item, count, fen): the one flat list paper and CSV are both made from."""
    rows: list[tuple[str, str, int | None, int | None]] = []
    rows.append(("Sales", "all sales", report.sales.count, report.sales.amount))
    for kind, tally in sorted(report.by_ticket_type.items()):
        rows.append(("Ticket types", kind, tally.count, tally.amount))
    for code, tally in sorted(report.by_discount.items()):
        rows.append(("Discounts", code, tally.count, tally.amount))
    for method, amount in sorted(report.by_payment.items()):
        rows.append(("Payments", method, None, amount))
    for mode, tally in sorted(report.by_mode.items()):
        rows.append(("Online/offline", mode, tally.count, tally.amount))
    rows.append(("Returns", "refunds", report.refunds.count, report.refunds.amount))
    rows.append(("Returns", "voids", report.voids.count, report.voids.amount))
    for method, amount in sorted(report.given_back_by_payment.items()):
        rows.append(("Returns", f"given back: {method}", None, amount))
    for trade in report.code_trades:
        item = f"{trade['provider']} {trade['trade_no'] or trade['out_trade_no']}"
        rows.append(("Payment codes", item, None, trade["amount"] - trade["refunded"]))
    rows.append(("Counter", "pickups", report.pickups, None))
    rows.append(("Counter", "reprints", report.reprints, None))
    cash = report.cash
    rows += [
        ("Cash", "float", None, cash.opening_float),
        ("Cash", "cash sales", None, cash.sales),
        ("Cash", "cash given back", None, cash.given_back),
        ("Cash", "cash in", None, cash.cash_in),
        ("Cash", "cash out", None, cash.cash_out),
        ("Cash", "expected", None, cash.expected),
        ("Cash", "counted", None, cash.counted),
        ("Cash", "variance", None, cash.variance),
    ]
    for move in report.cash_moves:
        rows.append(
            ("Cash moves", f"{move['reason']} ({move['supervisor_id']})", None, move["amount"])
        )
    rows.append(("Totals", "net", None, report.net))
    for state, n in report.outbox.items():
        rows.append(("Outbox", state, n, None))
    return rows


def to_csv(report: ZReport) -> str:
    """One row per figure, then one per sale: money in fen, so a spreadsheet sums exactly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "count", "fen"])
    for section, item, count, amount in _rows(report):
        writer.writerow(
            [section, item, "" if count is None else count, "" if amount is None else amount]
        )
    writer.writerow([])
    writer.writerow(
        ["sale_id", "idempotency_key", "central_sale_id", "mode", "total", "refunded", "status"]
    )
    for s in report.lines:
        writer.writerow(
            [
                s.sale_id,
                s.idempotency_key,
                s.central_sale_id or "",
                s.mode,
                s.total,
                s.refunded,
                s.status,
            ]
        )
    return out.getvalue()


def to_json(report: ZReport, answer: dict[str, Any] | None = None) -> dict[str, Any]:
    """The report, with the central's answer beside it once there is one."""
    return {**report.to_json(), "central": answer}


def face(
    report: ZReport, terminal_id: str, zone: ZoneInfo, answer: dict[str, Any] | None = None
) -> ReportFace:
    """The printed Z report: figures by section, then the journal hashes that seal it. A shift
    still open prints as an X report (the figures so far; nothing is closed)."""
    scope = report.scope
    span = report.journal
    fields = [
        ReportRow("Terminal", terminal_id),
        ReportRow("Business day", scope.business_date.isoformat()),
        ReportRow("From", scope.start.astimezone(zone).strftime("%Y-%m-%d %H:%M")),
        ReportRow(
            "To", scope.end.astimezone(zone).strftime("%Y-%m-%d %H:%M") if scope.end else "open"
        ),
    ]
    if scope.kind == "shift":
        fields[1:1] = [ReportRow("Shift", scope.key), ReportRow("Cashier", scope.cashier_id or "")]
    if report.day_close and report.day_close.get("override"):
        fields.append(
            ReportRow("OVERRIDE", f"{report.day_close['closed_by']}: {report.day_close['reason']}")
        )
    sections: dict[str, list[ReportRow]] = {}
    for section, item, count, amount in _rows(report):
        value = " ".join(
            v
            for v in (
                f"x{count}" if count is not None else "",
                yuan(amount) if amount is not None else "",
            )
            if v
        )
        sections.setdefault(section, []).append(ReportRow(item, value or "-"))
    journal_rows = [
        ReportRow("entries", str(span.entries if span else 0)),
        ReportRow("first", (span.first_hash or "-")[:16] if span else "-"),
        ReportRow("last", (span.last_hash or "-")[:16] if span else "-"),
        ReportRow("chain", span.chain_problem if span else "-"),
    ]
    sections["Journal"] = journal_rows
    if report.mismatches:
        sections["Store mismatches"] = [
            ReportRow(str(i + 1), m) for i, m in enumerate(report.mismatches)
        ]
    if answer is not None:
        sections["Central"] = [
            ReportRow("sales", f"x{answer['central_sales_count']} {yuan(answer['central_gross'])}"),
            ReportRow("refunds", yuan(answer["central_refunds"])),
            ReportRow("differences", str(len(answer["differences"]))),
            *(ReportRow(d["why"], d["idempotency_key"][:12]) for d in answer["differences"]),
        ]
    return ReportFace(
        title=f"{'X' if scope.end is None else 'Z'} report ({scope.kind})",
        fields=tuple(fields),
        sections=tuple(ReportSection(title, tuple(rows)) for title, rows in sections.items()),
        totals=(
            ReportRow("Net", yuan(report.net)),
            ReportRow("Cash expected", yuan(report.cash.expected)),
            ReportRow("Cash counted", yuan(report.cash.counted)),
            ReportRow("Variance", yuan(report.cash.variance)),
        ),
    )
