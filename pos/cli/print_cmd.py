"""`pos print preview`: what a ticket, receipt or report will say and look like, printer-free."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pos.cli.common import with_counter

if TYPE_CHECKING:
    from pos.counter.service import Counter
    from printer.layout import Layout


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("print", help="preview tickets, receipts and reports")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    preview = actions.add_parser("preview", help="print the paper as text; --png draws it")
    what = preview.add_mutually_exclusive_group(required=True)
    what.add_argument("--demo", action="store_true", help="a demo ticket, receipt and Z report")
    what.add_argument("--ticket", metavar="SALE_ID", help="the tickets of a sale in the store")
    preview.add_argument("--png", type=Path, metavar="FILE", help="also draw the paper to FILE")
    preview.add_argument("--width", type=int, choices=(58, 80), default=80, help="paper mm")
    preview.add_argument("--lang", choices=("en", "zh"), default="en")
    preview.add_argument(
        "--home", type=Path, default=None, help="terminal home folder (default: $POS_HOME)"
    )
    preview.set_defaults(func=run_preview)


def run_preview(args: argparse.Namespace) -> int:
    from printer.demo import demo_layouts
    from printer.errors import PrinterError
    from printer.preview import save_png, text_preview
    from printer.settings import PrintSettings

    settings = PrintSettings(paper_mm=args.width, lang=args.lang)
    try:
        layouts = demo_layouts(args.lang) if args.demo else load_ticket_layouts(args)
        print("\n".join(text_preview(layouts, settings)))
        if args.png:
            save_png(layouts, settings, args.png)
            print(f"pos print: drew {args.png}", file=sys.stderr)
    except PrinterError as exc:
        print(f"pos print: {exc}", file=sys.stderr)
        return 1
    return 0


def load_ticket_layouts(args: argparse.Namespace) -> list[Layout]:
    """The ticket faces and receipt of a stored sale, as the printer would get them."""
    from pos.counter.printing import receipt_face, ticket_faces

    async def action(counter: Counter) -> Any:
        sale = counter._sale(args.ticket)
        faces: list[Layout] = list(
            ticket_faces(counter, sale.showtime_id, sale.tickets, offline=sale.mode == "offline")
        )
        return [*faces, receipt_face(counter, sale)]

    return with_counter(args, action, recover=False)
