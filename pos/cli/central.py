"""`pos central serve`: the reference central ticketing API, for demos, tests and drills."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from datetime import date
from pathlib import Path

from pos.cli.common import emit, require_extra
from pos.counter.errors import CounterError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("central", help="run the reference central ticketing API")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    serve = actions.add_parser("serve", help="serve the API on loopback (seeds an empty db)")
    serve.add_argument("--db", type=Path, required=True, help="SQLite file (created if missing)")
    serve.add_argument("--seed", type=Path, default=None, help="seeds folder (default: seeds/)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700, help="0 picks a free port")
    serve.add_argument("--drill", action="store_true", help="allow fault injection (tests only)")
    serve.add_argument("--ready-file", type=Path, help="write {url, terminals} here once up")
    serve.add_argument(
        "--business-date", type=date.fromisoformat, help="place the seeded day on this date"
    )
    serve.set_defaults(func=run_serve)
    code = actions.add_parser(
        "new-code", help="issue a fresh one-time enrollment code for a terminal (a new machine)"
    )
    code.add_argument("--db", type=Path, required=True, help="the central's SQLite file")
    code.add_argument("--terminal", required=True, help="terminal id, e.g. T01")
    code.add_argument("--json", action="store_true", help="print a JSON object")
    code.set_defaults(func=run_new_code)


def run_new_code(args: argparse.Namespace) -> int:
    require_extra("central", "fastapi", "uvicorn")
    from central.db import Database  # only with the [central] extra
    from central.errors import ApiError
    from central.terminals import issue_code

    if not args.db.exists():
        raise CounterError("NO_CENTRAL_DB", f"No central database at {args.db}.")
    try:
        code = issue_code(Database(args.db), args.terminal)
    except ApiError as exc:
        raise CounterError(exc.code, exc.message) from exc
    emit(
        args,
        {"terminal": args.terminal, "code": code},
        lambda d: (
            f"{d['terminal']}: {d['code']} (works once; the old machine's token stops"
            " working when the new one enrolls)"
        ),
    )
    return 0


def run_serve(args: argparse.Namespace) -> int:
    require_extra("central", "fastapi", "uvicorn")
    from central.server import DEFAULT_SEEDS, serve  # only with the [central] extra

    def announce(info: dict) -> None:
        print(f"central listening on {info['url']}", file=sys.stderr)
        print(json.dumps(info), flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        serve(
            args.db,
            args.seed or DEFAULT_SEEDS,
            args.host,
            args.port,
            drill=args.drill,
            ready_file=args.ready_file,
            business_date=args.business_date,
            announce=announce,
        )
    return 0
