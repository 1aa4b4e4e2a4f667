"""`pos enroll`: make this machine a terminal of a cinema (home, key, token, first sync)."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

from contract.ticket_code import new_private_key, public_key_text
from pos.central_client import CentralClient, CentralError
from pos.errors import PosError
from pos.home import Settings

from .common import add_common, emit, home_of, with_counter

if TYPE_CHECKING:
    from pos.counter import Counter


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("enroll", help="enroll this terminal with the central")
    parser.add_argument("--central", required=True, help="central base URL")
    parser.add_argument("--code", required=True, help="enrollment code from the central team")
    parser.add_argument("--printer", default="dummy:", help="printer setting (e.g. tcp://HOST)")
    parser.add_argument("--language", choices=("en", "zh"), default="en")
    parser.add_argument("--lease-seats", type=int, default=8, help="seats leased per showtime")
    parser.add_argument("--force", action="store_true", help="re-enroll an enrolled home")
    add_common(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    home = home_of(args)
    if home.exists() and not args.force:
        raise PosError("ALREADY_ENROLLED", f"{home.path} is already a terminal; use --force.")
    key = new_private_key()

    async def enroll() -> Settings:
        async with CentralClient(args.central, read_timeout=5.0) as client:
            try:
                answer = await client.enroll(args.code, public_key_text(key))
            except CentralError as exc:
                raise PosError(exc.code, f"Enrollment failed: {exc.message}") from exc
        return Settings(
            central_url=args.central,
            terminal_id=answer.terminal_id,
            token=answer.token,
            cinema_id=answer.cinema.id,
            timezone=answer.cinema.timezone,
            central_key_id=answer.central_key_id,
            central_public_key=answer.central_public_key,
            printer=args.printer,
            language=args.language,
            lease_seats=args.lease_seats,
        )

    settings = asyncio.run(enroll())
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
