"""`pos run` (the counter TUI for an enrolled terminal) and `pos demo` (a whole counter on one
machine: reference central, fresh terminal, file printer, TUI; leaving stops it all). In the
demo, F12 takes the central down and brings it back, so a trainer can show failover."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pos.cli.common import home_at, require_extra
from pos.cli.gateway import DRILLS

if TYPE_CHECKING:
    from pos.counter.service import Counter
    from pos.tui.app import PosApp


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
    demo.add_argument(
        "--payment-drill",
        choices=DRILLS,
        default="instant",
        help="how the demo's payment gateway answers scanned codes (default: at once)",
    )
    demo.set_defaults(func=run_demo)


def counter_app(home: Path | None, **options: Any) -> PosApp:
    """The counter TUI over the terminal home in `home` (None: the default one), as `pos run`
    and `pos demo` start it: the login is up first, and the counter, with the imports behind it,
    is built in a thread and opened after that first paint. `options` go to PosApp."""
    from pos.tui.app import PosApp  # lazy: `pos --help` stays fast

    def build() -> Counter:
        from pos.counter.service import Counter  # lazy, for start-up speed: after the first paint

        return Counter(home_at(home))

    return PosApp(build, **options)


def run_app(app: PosApp) -> int:
    """Run the TUI; a counter that could not open (not enrolled, a corrupt store) is reported
    like any other `pos` error, once the screen is back to normal."""
    app.run()
    if app.open_error is not None:
        raise app.open_error
    return 0


def run_tui(args: argparse.Namespace) -> int:
    return run_app(counter_app(args.home))


def run_demo(args: argparse.Namespace) -> int:
    require_extra("central", "fastapi", "uvicorn")
    # lazy, for start-up speed (and the central only with the [central] extra)
    import asyncio
    import tempfile
    from zoneinfo import ZoneInfo

    from central.server import CentralThread
    from contract.business_day import tomorrow
    from devtools.gateway.join import join_gateway
    from devtools.gateway.ledger import Drill
    from devtools.gateway.server import GatewayThread
    from pos.counter.enrollment import enroll
    from pos.counter.errors import CounterError

    folder = args.home or Path(tempfile.mkdtemp(prefix="pos-demo-"))
    if folder.exists() and any(folder.iterdir()):
        raise CounterError("DEMO_HOME_NOT_EMPTY", f"{folder} is not empty; give an empty folder.")
    folder.mkdir(parents=True, exist_ok=True)
    day = args.business_date or tomorrow(ZoneInfo("Asia/Shanghai"))
    terminal = folder / "terminal"
    tickets = folder / "tickets.bin"
    print(f"pos demo: central and terminal in {folder} (business day {day})", file=sys.stderr)
    with (
        CentralThread(folder / "central.db", business_date=day) as central,
        GatewayThread() as gateway,
    ):
        gateway.set_drill(Drill(args.payment_drill))
        code = central.info()["terminals"][0]["enrollment_code"]
        asyncio.run(
            enroll(
                home_at(terminal),
                central.url,
                code,
                printer=tickets.as_uri(),
                language=args.language,
            )
        )
        join_gateway(home_at(terminal), gateway.url)
        run_app(counter_app(terminal, previews=folder / "previews", drill=central))
    print(
        f"pos demo: tickets in {tickets}, pictures in {folder / 'previews'}; "
        "log in as c01 / 1111 (supervisor s01 / 9999); scan to pay (F8) with an Alipay code"
        " such as 286012345678901234 or a WeChat Pay one such as 134567890123456789",
        file=sys.stderr,
    )
    return 0
