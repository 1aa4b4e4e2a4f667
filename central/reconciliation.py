"""Intake of a terminal's shift or day report, answered with our own figures and every
difference, sale by sale, so a supervisor sees exactly what disagrees before closing."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from central.context import Context, iso
from central.errors import ApiError
from contract.models import Difference, ReconciliationAnswer, ReconciliationRequest


def _window(ctx: Context, req: ReconciliationRequest) -> tuple[datetime, datetime]:
    if req.kind == "shift":
        if req.opened_at is None or req.closed_at is None:
            raise ApiError(422, "SHIFT_WINDOW", "A shift report needs opened_at and closed_at.")
        return req.opened_at, req.closed_at
    hh, mm = (int(x) for x in ctx.cinema.business_day_starts.split(":"))
    start = datetime.combine(req.business_date, time(hh, mm), ctx.zone)
    return start, start + timedelta(days=1)


def reconcile(ctx: Context, terminal_id: str, req: ReconciliationRequest) -> ReconciliationAnswer:
    """Same report id twice gives the same answer (the first one), so uploads may repeat."""
    conn = ctx.db.read()
    stored = conn.execute(
        "SELECT answer FROM reconciliations WHERE terminal_id = ? AND report_id = ?",
        (terminal_id, req.report_id),
    ).fetchone()
    if stored is not None:
        return ReconciliationAnswer.model_validate_json(stored["answer"])
    start, end = _window(ctx, req)
    reported = {line.idempotency_key: line for line in req.sales}
    marks = ",".join("?" * len(reported)) or "''"
    rows = conn.execute(
        "SELECT s.id, s.idempotency_key, s.total, s.status, s.payments,"
        " COALESCE((SELECT SUM(amount) FROM refunds r WHERE r.sale_id = s.id), 0) AS refunded"
        " FROM sales s WHERE s.terminal_id = ?"
        f" AND ((s.sold_at >= ? AND s.sold_at < ?) OR s.idempotency_key IN ({marks}))",
        (terminal_id, iso(start), iso(end), *reported),
    ).fetchall()
    central = {r["idempotency_key"]: r for r in rows}
    by_payment: dict[str, int] = {}
    count = gross = refunds = 0
    for r in central.values():
        if r["status"] == "cancelled":
            continue
        count += 1
        gross += r["total"]
        refunds += r["refunded"]
        for p in json.loads(r["payments"]):
            by_payment[p["method"]] = by_payment.get(p["method"], 0) + p["amount"]
    differences = []
    for key in sorted(set(reported) | set(central)):
        ours, theirs = central.get(key), reported.get(key)
        ours_live = ours is not None and ours["status"] != "cancelled"
        theirs_live = theirs is not None and theirs.status not in ("cancelled", "voided")
        why = None
        if theirs_live and not ours_live:
            why = "missing on the central" if ours is None else "cancelled on the central"
        elif ours_live and not theirs_live:
            why = "missing at the terminal" if theirs is None else "cancelled at the terminal"
        elif (
            ours_live
            and theirs is not None
            and ours is not None
            and (theirs.total != ours["total"] or theirs.refunded != ours["refunded"])
        ):
            why = "amounts differ"
        if why:
            differences.append(
                Difference(
                    idempotency_key=key,
                    sale_id=ours["id"] if ours else (theirs.sale_id if theirs else None),
                    terminal_total=(theirs.total - theirs.refunded) if theirs else None,
                    central_total=(ours["total"] - ours["refunded"]) if ours else None,
                    why=why,
                )
            )
    answer = ReconciliationAnswer(
        report_id=req.report_id,
        terminal_id=terminal_id,
        central_sales_count=count,
        central_gross=gross,
        central_refunds=refunds,
        central_by_payment=by_payment,
        differences=differences,
        received_at=ctx.now(),
    )
    with ctx.db.write() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO reconciliations (terminal_id, report_id, request, answer)"
            " VALUES (?, ?, ?, ?)",
            (terminal_id, req.report_id, req.model_dump_json(), answer.model_dump_json()),
        )
    return answer
