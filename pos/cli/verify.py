"""`pos verify CODE`: the door check, offline, against cached keys."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from offline import cache, sales
from pos.cli.common import add_common, emit, with_counter
from pos.counter.door import DoorVerdict, check_at_door

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
        keys = cache.public_keys(counter.store)
        keys[counter.settings.terminal_id] = counter.key_text
        keys.setdefault(counter.settings.central_key_id, counter.settings.central_public_key)
        refunded = {
            t.id
            for s in sales.list_sales(counter.store)
            for t in s.tickets
            if t.refunded or s.state == "voided"
        }
        return check_at_door(
            args.code, keys, showtime_id=args.showtime, refunded_ticket_ids=refunded
        ).to_json()

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
