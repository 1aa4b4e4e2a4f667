"""`pos verify CODE`: the door check, offline, against cached keys."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from pos.cli.common import add_common, emit, with_counter
from pos.counter.door import DoorVerdict

if TYPE_CHECKING:
    from pos.counter.service import Counter


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("verify", help="check a ticket code at the door (offline)")
    parser.add_argument("code", help="the code from the ticket's QR")
    parser.add_argument("--showtime", help="the showtime being let in")
    add_common(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    async def action(counter: Counter) -> Any:
        return counter.verify(args.code, args.showtime).to_json()

    result = with_counter(args, action, recover=False)
    emit(
        args,
        result,
        lambda r: (
            f"{r['verdict'].upper()}: {r['reason']}"
            + (f" (showtime {r['showtime_id']}, seat {r['seat']})" if r["seat"] else "")
        ),
    )
    return 0 if result["verdict"] == DoorVerdict.VALID else 1
