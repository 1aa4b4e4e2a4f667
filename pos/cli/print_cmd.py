"""`pos print run` prints what the queue holds; `pos print preview` shows what a ticket,
receipt or report will say and look like, printer-free."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pos.cli.common import add_common, emit, with_counter
from pos.counter.printing import demo_layouts, preview_text, settings_for

if TYPE_CHECKING:
    from pos.counter.service import Counter


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("print", help="print queued jobs; preview tickets and reports")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = actions.add_parser("run", help="print every queued job now (exit 1 if some still wait)")
    add_common(run)
    run.set_defaults(func=run_queue)
    preview = actions.add_parser("preview", help="print the paper as text; --png draws it")
    what = preview.add_mutually_exclusive_group(required=True)
    what.add_argument("--demo", action="store_true", help="a demo ticket, receipt and Z report")
    what.add_argument("--ticket", metavar="SALE_ID", help="the tickets of a sale in the store")
    preview.add_argument("--png", type=Path, metavar="FILE", help="also draw the paper to FILE")
    preview.add_argument("--width", type=int, choices=(58, 80), default=80, help="paper mm")
    preview.add_argument("--lang", choices=("en", "zh"), default="en")
    add_common(preview)
    preview.set_defaults(func=run_preview)


def run_queue(args: argparse.Namespace) -> int:
    async def action(counter: Counter) -> Any:
        return counter.print_pending().to_json()

    result = with_counter(args, action, recover=False)
    emit(
        args,
        result,
        lambda r: (
            f"printed {len(r['printed'])} job(s); {r['pending']} waiting"
            + (f": {r['problem']['reason']} [{r['problem']['code']}]" if r["problem"] else "")
        ),
    )
    return 0 if result["pending"] == 0 else 1


def run_preview(args: argparse.Namespace) -> int:
    if args.demo:
        text = preview_text(demo_layouts(args.lang), settings_for(args.width, args.lang), args.png)
    else:

        async def action(counter: Counter) -> Any:
            return counter.preview_sale(args.ticket, args.png)

        text = with_counter(args, action, recover=False)
    emit(args, {"text": text, "png": str(args.png) if args.png else None}, lambda d: d["text"])
    if args.png and not args.json:
        print(f"pos print: drew {args.png}", file=sys.stderr)
    return 0
