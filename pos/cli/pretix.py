"""`pos pretix up`: a pretix on loopback, seeded with our demo cinema (development helper).

It installs nothing: point it at the Python of a virtualenv where pretix is installed
(`--python`, or $POS_PRETIX_PYTHON; see README), with gunicorn and pgserver beside it for
`--db postgresql` (pretix as festivals deploy it). A folder that already holds one is started
again as it was."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pos.cli.common import emit
from pos.counter.errors import CounterError

INFO = "pretix.json"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("pretix", help="a seeded pretix on loopback (development)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = actions.add_parser("up", help="create (or restart) a seeded pretix in DIR")
    up.add_argument("--dir", type=Path, required=True, help="its config, data and log")
    up.add_argument("--python", type=Path, help="Python of the pretix virtualenv")
    up.add_argument("--port", type=int, default=0, help="0 picks a free port")
    up.add_argument(
        "--db",
        choices=["sqlite", "postgresql"],
        help="sqlite under runserver (default), or postgresql behind gunicorn",
    )
    up.add_argument("--workers", type=int, default=4, help="gunicorn workers (postgresql)")
    up.add_argument("--event", default="festival", help="event series slug")
    up.add_argument("--date", type=date.fromisoformat, help="business date (default: today)")
    up.add_argument("--showtimes", type=int, help="seed only the N first showtimes on sale")
    up.add_argument("--detach", action="store_true", help="leave it running and return")
    up.add_argument("--json", action="store_true", help="print a JSON object")
    up.set_defaults(func=run_up)


def run_up(args: argparse.Namespace) -> int:
    from central.seeds import load_seeds
    from central.server import DEFAULT_SEEDS
    from devtools.pretix.devserver import PretixServer, default_python, free_port
    from devtools.pretix.postgres import PostgresMissing
    from devtools.pretix.seeding import Api, seed_pretix, soon

    python = args.python or default_python()
    if python is None or not python.exists():
        raise CounterError(
            "NO_PRETIX", "No pretix to run: give --python (see README, 'Selling through pretix')."
        )
    folder: Path = args.dir.resolve()
    info_path = folder / INFO
    known = json.loads(info_path.read_text()) if info_path.exists() else None
    port = known["port"] if known else (args.port or free_port())
    db = (known or {}).get("db", "sqlite")
    if args.db and known and args.db != db:
        raise CounterError("PRETIX_DB_FIXED", f"{folder} holds a pretix on {db}, not {args.db}.")
    db = args.db or db
    if args.workers < 1:
        raise CounterError("BAD_WORKERS", "--workers must be at least 1.")
    server = PretixServer(python, folder, port=port, db=db, workers=args.workers)
    started = time.monotonic()
    try:
        server.prepare()
        server.start()
    except BaseException as exc:
        server.close()
        if isinstance(exc, PostgresMissing):
            raise CounterError("NO_POSTGRES", str(exc)) from exc
        raise
    info = known or {"port": port, "organizer": server.organizer, "event": args.event, "db": db}
    info.update(
        url=server.url,
        token=server.token,
        pid=server.process.pid if server.process else 0,
        postgres_pid=server.postgres.process.pid
        if server.postgres and server.postgres.process
        else 0,
    )
    if known is None:
        seeds = load_seeds(DEFAULT_SEEDS)
        day = args.date or datetime.now(ZoneInfo(seeds.cinema.timezone)).date()
        chosen = soon(seeds, day, datetime.now(UTC), args.showtimes) if args.showtimes else None
        api = Api.connect(server.url, server.token, server.organizer, args.event)
        ids = seed_pretix(api, seeds, day, chosen)
        info["business_date"] = day.isoformat()
        info["showtimes"] = ids
    info["seconds"] = round(time.monotonic() - started, 1)
    info_path.write_text(json.dumps(info, indent=2))
    emit(
        args,
        info,
        lambda d: (
            f"pretix at {d['url']} (organizer {d['organizer']}, event {d['event']}, "
            f"{d.get('db', 'sqlite')}), "
            f"token {d['token']}\n"
            f"enroll: pos enroll --pretix {d['url']} --organizer {d['organizer']} "
            f"--event {d['event']} --token {d['token']} --home DIR"
        ),
    )
    if args.detach:
        return 0
    print("Ctrl-C stops pretix.", file=sys.stderr, flush=True)
    try:
        while server.process and server.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0
