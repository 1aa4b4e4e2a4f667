"""`pos sync`: send everything queued; exit 0 only when the outbox is empty."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pos.cli.common import add_common, emit, with_counter
from pos.counter.sync import drain
from pos.ports.central_client import CentralError

if TYPE_CHECKING:
    from pos.counter.service import Counter


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sync", help="drain the outbox to the central")
    add_common(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    def progress(done: int, total: int) -> None:
        if not args.json and total:
            width = 30
            filled = int(width * min(done, total) / total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            sys.stderr.flush()

    async def action(counter: Counter) -> Any:
        report = await drain(counter, progress, now=True)
        if report.error is None and not counter.breaker.is_open:
            try:
                await counter.refresh()
            except CentralError as exc:
                report.error = str(exc)
        if report.remaining == 0 and report.error is None:
            counter.breaker.close()
        return report.to_json()

    result = with_counter(args, action)
    if not args.json:
        sys.stderr.write("\n")
    emit(
        args,
        result,
        lambda r: (
            f"sent {r['sent']}: {r['accepted']} accepted, {r['duplicates']} duplicates, "
            f"{r['conflicts']} conflicts, {r['failed']} failed; {r['remaining']} still queued"
            + (f" ({r['error']})" if r["error"] else "")
        ),
    )
    return 0 if result["remaining"] == 0 else 1
