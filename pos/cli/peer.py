"""`pos peer serve`: a headless terminal's peer endpoint (the TUI runs its own): answers the
cinema's other counters when they ask for seats while the central is away."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pos.cli.common import home_of


def register(subparsers: argparse._SubParsersAction) -> None:
    peer = subparsers.add_parser("peer", help="the peer endpoint other counters ask for seats")
    actions = peer.add_subparsers(dest="peer_command", metavar="ACTION")
    serve = actions.add_parser(
        "serve", help="answer peers' asks for seats at the settings' peer_listen (until Ctrl-C)"
    )
    serve.add_argument(
        "--home", type=Path, default=None, help="terminal home folder (default: $POS_HOME)"
    )
    serve.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    from pos.counter.peer_server import PeerServer  # lazy, for start-up speed

    server = PeerServer.for_home(home_of(args)).bind()
    print(f"answering peers at {server.url}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        return 0
    return 0
