"""`pos eod`: close the business day, headless, for automation.

It closes nothing silently: with a shift still open or anything left in the outbox it refuses
(exit 2, code DAY_NOT_READY, and what is in the way) unless a supervisor overrides, which is
journalled and printed on the day's report."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from contract.errors import BoxOfficeError
from pos.cli.common import add_common, emit, with_counter
from pos.cli.shift import closing_text

if TYPE_CHECKING:
    from pos.counter.service import Counter


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eod", help="close the business day and upload its Z report")
    parser.add_argument("--day", type=date.fromisoformat, help="business day (default: today's)")
    parser.add_argument("--override", action="store_true", help="close despite open shifts/outbox")
    parser.add_argument("--supervisor")
    parser.add_argument("--pin")
    parser.add_argument("--reason", default="", help="why the override (kept in the journal)")
    add_common(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    async def action(counter: Counter) -> Any:
        closing = await counter.shifts.close_day(
            args.day,
            supervisor_id=args.supervisor,
            pin=args.pin,
            override=args.override,
            reason=args.reason,
        )
        return closing.to_json()

    try:
        data = with_counter(args, action)
    except BoxOfficeError as exc:
        if not args.json:
            raise
        refusal = {"closed": False, "code": exc.code, "message": exc.message, "detail": exc.detail}
        json.dump(refusal, sys.stdout)
        sys.stdout.write("\n")
        return 2
    emit(args, {"closed": True, **data}, closing_text)
    return 0
