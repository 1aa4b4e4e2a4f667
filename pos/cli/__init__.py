"""The `pos` command: a thin layer over the library, one module per subcommand."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from contract.errors import BoxOfficeError
from pos import __version__

# Subcommand modules under pos.cli, in the order `pos --help` lists them.
COMMANDS = (
    "central",
    "enroll",
    "schedule",
    "sell",
    "service",
    "status",
    "sync",
    "verify",
    "print_cmd",
    "tui",
    "shift",  # end of day: shifts, the day's close and Z reports
    "eod",
    "report",
    "drill",
    "pretix",  # a seeded pretix on loopback; `pos enroll --pretix` sells through it
)


class OneLineParser(argparse.ArgumentParser):
    """argparse prints the whole usage on a bad flag; a cashier or a script wants one line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="pos", description="Box Office POS: the cinema counter client.")
    parser.add_argument("--version", action="version", version=f"pos {__version__}")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=OneLineParser
    )
    for name in COMMANDS:
        importlib.import_module(f"pos.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BoxOfficeError as exc:  # the one place the CLI turns an error into a line
        print(f"pos: error: {exc}", file=sys.stderr)
        return 2
