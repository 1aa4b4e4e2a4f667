"""`pos enroll`: make this machine a terminal of a cinema (home, key, token, first sync)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contract.ticket_code import new_private_key
from pos.cli.common import add_common, emit, home_of, with_counter
from pos.counter.enrollment import central_settings, pretix_settings
from pos.counter.errors import CounterError
from pos.counter.home import Settings, check_changes
from pos.ports.pretix.config import PretixSettings

if TYPE_CHECKING:
    from pos.counter.service import Counter


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("enroll", help="enroll this terminal with the central")
    parser.add_argument("--central", help="central base URL")
    parser.add_argument("--code", help="enrollment code from the central team")
    pretix = parser.add_argument_group("selling through pretix instead (see README)")
    pretix.add_argument("--pretix", metavar="URL", help="pretix base URL")
    pretix.add_argument("--organizer", help="pretix organizer slug")
    pretix.add_argument("--event", help="pretix event series slug")
    pretix.add_argument("--token", help="pretix API token")
    pretix.add_argument("--terminal", default="T01", help="this terminal's id (pretix)")
    pretix.add_argument("--staff", type=Path, help="seeds folder with the staff list (pretix)")
    parser.add_argument("--printer", default="dummy:", help="printer setting (e.g. tcp://HOST)")
    parser.add_argument("--language", choices=("en", "zh"), default="en")
    parser.add_argument("--lease-seats", type=int, default=8, help="seats leased per showtime")
    parser.add_argument("--force", action="store_true", help="re-enroll an enrolled home")
    add_common(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    home = home_of(args)
    if home.exists() and not args.force:
        raise CounterError("ALREADY_ENROLLED", f"{home.path} is already a terminal; use --force.")
    chosen = {"printer": args.printer, "language": args.language, "lease_seats": args.lease_seats}
    check_changes(**chosen)
    key = new_private_key()

    async def enroll() -> Settings:
        if args.pretix:
            return await _enroll_pretix(args)
        if not (args.central and args.code):
            raise CounterError("USAGE", "Give --central URL --code CODE (or --pretix URL ...).")
        return await central_settings(args.central, args.code, key)

    settings = asyncio.run(enroll()).updated(**chosen)
    home.save_key(key)
    home.save(settings)

    async def first_sync(counter: Counter) -> Any:
        await counter.refresh()
        return counter.status()

    status = with_counter(args, first_sync, recover=False)
    emit(
        args,
        {
            "terminal_id": settings.terminal_id,
            "home": str(home.path),
            "cinema": settings.cinema_id,
            "leased_seats": sum(status.leases.values()),
        },
        lambda d: (
            f"Enrolled as {d['terminal_id']} in {d['home']}; "
            f"{d['leased_seats']} seats leased for offline sales."
        ),
    )
    return 0


async def _enroll_pretix(args: argparse.Namespace) -> Settings:
    from central.seeds import load_seeds  # the seeds' staff list, only for a pretix terminal
    from central.server import DEFAULT_SEEDS
    from devtools.pretix.seeding import seeded_staff

    if not (args.organizer and args.event and args.token):
        raise CounterError("USAGE", "--pretix needs --organizer, --event and --token.")
    staff = seeded_staff(load_seeds(args.staff or DEFAULT_SEEDS))
    pretix = PretixSettings(organizer=args.organizer, event=args.event, staff=staff)
    return await pretix_settings(args.pretix, args.token, args.terminal, pretix)
