"""`pos report`: a shift's or a day's Z report from the journal, with the central's answer;
exported as CSV or JSON, or printed again."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pos.cli.common import add_common, emit, with_counter
from pos.cli.shift import closing_text
from pos.counter.zreport import to_csv, to_json

if TYPE_CHECKING:
    from pos.counter.service import Counter


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="Z report of a shift or a business day")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--shift", metavar="ID")
    which.add_argument("--day", metavar="DATE", type=date.fromisoformat)
    parser.add_argument("--csv", type=Path, metavar="FILE", help="also write the report as CSV")
    parser.add_argument("--print", action="store_true", help="print it again (marked REPRINT)")
    add_common(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    async def action(counter: Counter) -> Any:
        if args.shift:
            report, stored = counter.shifts.shift_report(args.shift)
        else:
            report, stored = counter.shifts.day_report(args.day)
        answer = stored.answer if stored else None
        if args.csv:
            args.csv.write_text(to_csv(report), encoding="utf-8")
        job = None
        if args.print:
            job = counter.shifts.print_report(report, answer)
        return {
            "report_id": stored.id if stored else None,
            "idempotency_key": stored.idempotency_key if stored else None,
            "upload": stored.upload_state if stored else None,
            "uploaded_last_hash": stored.body["journal"]["last_hash"] if stored else None,
            "print_job": job,
            "report": to_json(report, answer),
        }

    data = with_counter(args, action, recover=False)
    emit(args, data, lambda d: closing_text({**d, "report_id": d["report_id"] or "(not closed)"}))
    return 0
