"""The `pos` command: a thin layer over the library, one module per subcommand."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from contract.errors import BoxOfficeError
from pos import __version__

# Subcommand modules under pos.cli, in the order `pos --help` lists them, with the words each
# one registers. `pos WORD ...` imports only WORD's module and `pos --help` all of them, for
# start-up speed: most modules import the counter (pydantic, sqlite-utils, httpx) at the top.
COMMANDS: dict[str, tuple[str, ...]] = {
    "central": ("central",),
    "enroll": ("enroll",),
    "schedule": ("schedule", "seats"),
    "sell": ("sell",),
    "service": ("pickup", "refund", "void", "exchange", "reprint"),
    "status": ("status", "leases"),
    "sync": ("sync",),
    "peer": ("peer",),  # the endpoint the cinema's other counters ask for seats
    "verify": ("verify",),
    "print_cmd": ("print",),
    "tui": ("run", "demo"),
    "shift": ("shift",),  # end of day: shifts, the day's close and Z reports
    "eod": ("eod",),
    "report": ("report",),
    "drill": ("drill",),
    "pretix": ("pretix",),  # a seeded pretix on loopback; `pos enroll --pretix` sells through it
    "gateway": ("gateway",),  # the reference payment gateway (Alipay, WeChat Pay) on loopback
}
MODULE_OF = {word: module for module, words in COMMANDS.items() for word in words}


class OneLineParser(argparse.ArgumentParser):
    """argparse prints the whole usage on a bad flag; a cashier or a script wants one line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser(word: str | None = None) -> argparse.ArgumentParser:
    """The `pos` parser; with the `word` of a known command, only that command's module is
    imported and registered (what `main` does), otherwise all of them."""
    parser = OneLineParser(prog="pos", description="Box Office POS: the cinema counter client.")
    parser.add_argument("--version", action="version", version=f"pos {__version__}")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=OneLineParser
    )
    modules = [MODULE_OF[word]] if word in MODULE_OF else list(COMMANDS)
    for name in modules:
        before = set(subparsers.choices)
        importlib.import_module(f"pos.cli.{name}").register(subparsers)
        added = tuple(w for w in subparsers.choices if w not in before)
        if added != COMMANDS[name]:  # the table above drifted from what the module registers
            raise RuntimeError(f"pos.cli.{name} registers {added}, COMMANDS says {COMMANDS[name]}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv and not argv[0].startswith("-") else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BoxOfficeError as exc:  # the one place the CLI turns an error into a line
        print(f"pos: error: {exc}", file=sys.stderr)
        return 2
