"""`pos run` (the counter TUI for an enrolled terminal) and `pos demo` (a whole counter on one
machine: reference central, fresh terminal, file printer, TUI; leaving stops it all)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from contract.business_day import tomorrow
from pos.cli.common import home_of, require_extra
from pos.counter.errors import CounterError
from pos.counter.home import Home


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="open the counter TUI for this terminal")
    run.add_argument(
        "--home", type=Path, default=None, help="terminal home folder (default: $POS_HOME)"
    )
    run.set_defaults(func=run_tui)

    demo = subparsers.add_parser(
        "demo", help="start a demo central, enroll a fresh terminal and open the TUI"
    )
    demo.add_argument(
        "--home", type=Path, default=None, help="empty folder for the demo (default: a temp dir)"
    )
    demo.add_argument("--language", choices=("en", "zh"), default="en")
    demo.add_argument(
        "--business-date",
        type=date.fromisoformat,
        default=None,
        help="the seeded day's date (default: tomorrow in Shanghai, so every showtime is on sale)",
    )
    demo.set_defaults(func=run_demo)


def run_tui(args: argparse.Namespace) -> int:
    from pos.counter.service import Counter  # lazy: `pos --help` stays fast
    from pos.tui.app import PosApp

    PosApp(Counter(home_of(args))).run()
    return 0


def run_demo(args: argparse.Namespace) -> int:
    require_extra("central", "fastapi", "uvicorn")
    from central.server import CentralThread  # only with the [central] extra
    from pos.counter.enrollment import enroll
    from pos.counter.service import Counter
    from pos.tui.app import PosApp

    folder = args.home or Path(tempfile.mkdtemp(prefix="pos-demo-"))
    if folder.exists() and any(folder.iterdir()):
        raise CounterError("DEMO_HOME_NOT_EMPTY", f"{folder} is not empty; give an empty folder.")
    folder.mkdir(parents=True, exist_ok=True)
    day = args.business_date or tomorrow(ZoneInfo("Asia/Shanghai"))
    home = Home(folder / "terminal")
    tickets = folder / "tickets.bin"
    print(f"pos demo: central and terminal in {folder} (business day {day})", file=sys.stderr)
    with CentralThread(folder / "central.db", business_date=day) as central:
        code = central.info()["terminals"][0]["enrollment_code"]
        asyncio.run(
            enroll(home, central.url, code, printer=tickets.as_uri(), language=args.language)
        )
        PosApp(Counter(home), previews=folder / "previews").run()
    print(
        f"pos demo: tickets in {tickets}, pictures in {folder / 'previews'}; "
        "log in as c01 / 1111 (supervisor s01 / 9999)",
        file=sys.stderr,
    )
    return 0
