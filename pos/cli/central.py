"""`pos central serve`: the reference central ticketing API, for demos, tests and drills."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from datetime import date
from pathlib import Path

from pos.cli.common import require_extra


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
