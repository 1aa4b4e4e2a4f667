"""`pos sync`: send everything queued; exit 0 only when the outbox is empty."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from pos.cli.common import add_common, emit, with_counter

if TYPE_CHECKING:
    from pos.counter.service import Counter


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sync", help="drain the outbox to the central")
    add_common(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # lazy: only this command draws a bar, and every command's module loads to build `pos`
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("sync"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=args.json,
    )
    task = bar.add_task("sync", total=None)

    def progress(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    async def action(counter: Counter) -> Any:
        return (await counter.sync(progress)).to_json()

    with bar:
        result = with_counter(args, action)
    emit(
        args,
        result,
        lambda r: (
            f"sent {r['sent']}: {r['accepted']} accepted, {r['duplicates']} duplicates, "
            f"{r['conflicts']} conflicts, {r['held']} held; {r['remaining']} still queued"
            + (f" ({r['error']})" if r["error"] else "")
        ),
    )
    return 0 if result["remaining"] == 0 else 1
