"""`pos sell`: one sale, online or from the lease, with the tickets and change as the answer."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pos.cli.common import add_common, emit, with_counter
from pos.counter.payments import parse_tenders
from pos.counter.selling import Order

if TYPE_CHECKING:
    from pos.counter.selling import Outcome
    from pos.counter.service import Counter


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sell", help="sell tickets (online, or offline from the lease)")
    parser.add_argument("--showtime", required=True)
    parser.add_argument("--seats", required=True, help="A5,A6 or auto:N for N seats together")
    parser.add_argument("--types", default="adult", help="one ticket type per seat, or one")
    parser.add_argument(
        "--discounts",
        help="the cinema's discount or coupon code per seat, or one for all; - for none"
        " (e.g. MEMBER,-)",
    )
    parser.add_argument(
        "--pay",
        required=True,
        help="cash=10000,card=3000:REF,code=6000:PAYMENTCODE (fen; 60.00 = yuan)",
    )
    parser.add_argument("--cashier", required=True)
    parser.add_argument("--pin", required=True)
    add_common(parser)
    parser.set_defaults(func=run)


def parse_seats(text: str) -> tuple[list[str] | None, int | None]:
    from pos.counter.errors import CounterError

    if text.startswith("auto:"):
        try:
            count = int(text.removeprefix("auto:"))
        except ValueError as exc:
            raise CounterError("BAD_SEATS", f"{text!r}: write auto:N with a number.") from exc
        return None, count
    seats = [s.strip().upper() for s in text.split(",") if s.strip()]
    if not seats:
        raise CounterError("BAD_SEATS", "No seats given.")
    return seats, None


def _waiting() -> Callable[[], None]:
    """Say once, on stderr, that the customer is still confirming in the app."""
    said: list[bool] = []

    def waiting() -> None:
        if not said:
            said.append(True)
            print("Waiting for the customer to confirm the payment…", file=sys.stderr)

    return waiting


def parse_discounts(text: str | None) -> list[str | None] | None:
    """`MEMBER,-,SPRING10` → one code per seat, `-` for none; None without the option."""
    if text is None:
        return None
    return [None if part.strip() in ("", "-") else part.strip() for part in text.split(",")]


async def sell_once(
    counter: Counter, order: Order, on_waiting: Callable[[], None] | None = None
) -> Outcome:
    """A sale by a process that exits after it: with no sync loop to keep leases, an online
    sale tops up its showtime's lease itself, so a counter run by one-shot `pos sell` calls
    still holds what its queue needs when the central dies."""
    outcome = await counter.sell(order, on_waiting=on_waiting)
    if outcome.mode == "online":
        await counter.keep_lease(order.showtime_id)
    return outcome


def run(args: argparse.Namespace) -> int:
    seats, count = parse_seats(args.seats)
    tenders = parse_tenders(args.pay)

    async def action(counter: Counter) -> Any:
        counter.check_pin(args.cashier, args.pin)
        order = Order(
            showtime_id=args.showtime,
            cashier_id=args.cashier,
            ticket_types=[t.strip() for t in args.types.split(",") if t.strip()],
            discounts=parse_discounts(args.discounts),
            tenders=tenders,
            seats=seats,
            count=count,
        )
        return (await sell_once(counter, order, _waiting())).to_json()

    result = with_counter(args, action)
    emit(
        args,
        result,
        lambda r: (
            f"Sold ({r['mode']}) sale {r['sale_id']}: "
            + ", ".join(t["seat"] for t in r["tickets"])
            + f"; total {r['total']} fen, change {r['change']} fen"
            + (f" [online failed: {r['failover']}]" if r["failover"] else "")
        ),
    )
    return 0
