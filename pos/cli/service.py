"""After-sale service at the counter: pickups of online bookings, refunds and voids (with a
supervisor's PIN), seat exchanges, and reprints."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from pos.cli.common import add_common, emit, with_counter

if TYPE_CHECKING:
    from pos.counter.service import Counter


def register(subparsers: argparse._SubParsersAction) -> None:
    pickup = subparsers.add_parser("pickup", help="hand out the tickets of an online booking")
    pickup.add_argument("code", help="booking code, e.g. WB7K2M")
    pickup.add_argument("--cashier", required=True)
    pickup.add_argument("--pin", required=True)
    add_common(pickup)
    pickup.set_defaults(func=run_pickup)

    for name, what in (("refund", "refund tickets of a sale"), ("void", "void a whole sale")):
        parser = subparsers.add_parser(name, help=f"{what} (supervisor)")
        parser.add_argument("sale", help="the sale id this terminal printed")
        parser.add_argument("--supervisor", required=True)
        parser.add_argument("--pin", required=True)
        parser.add_argument("--reason", default="")
        if name == "refund":
            parser.add_argument("--tickets", help="ticket ids, comma separated (default: all)")
        add_common(parser)
        parser.set_defaults(func=run_refund if name == "refund" else run_void)

    exchange = subparsers.add_parser(
        "exchange", help="exchange a sale's tickets for other seats (same showtime or another)"
    )
    exchange.add_argument("sale", help="the sale id this terminal printed")
    exchange.add_argument("--seats", required=True, help="the new seats, e.g. E5,E6")
    exchange.add_argument("--showtime", help="the new showtime (default: the same)")
    exchange.add_argument(
        "--tickets", help="ticket ids that go back, comma separated (default: all)"
    )
    exchange.add_argument("--cashier", required=True)
    exchange.add_argument("--pin", required=True)
    add_common(exchange)
    exchange.set_defaults(func=run_exchange)

    reprint = subparsers.add_parser("reprint", help="print a sale's tickets again, marked REPRINT")
    reprint.add_argument("sale")
    add_common(reprint)
    reprint.set_defaults(func=run_reprint)


def _sale_json(counter: Counter, sale: Any) -> dict[str, object]:
    return {
        "sale_id": sale.id,
        "state": sale.state,
        "queued_for_print": counter.queued_for_print(sale.id),
        "total": sale.total,
        "refunded": sale.refunded,
        "tickets": [{"id": t.id, "seat": t.seat, "refunded": t.refunded} for t in sale.tickets],
    }


def run_pickup(args: argparse.Namespace) -> int:
    async def action(counter: Counter) -> Any:
        counter.check_pin(args.cashier, args.pin)
        found = await counter.pick_up(args.code.upper(), args.cashier)
        booking = found.booking
        return {
            "code": booking.code,
            "showtime_id": booking.showtime_id,
            "customer": booking.customer,
            "seats": [t.seat for t in booking.tickets],
            "mode": counter.mode.value,
        }

    data = with_counter(args, action)
    emit(args, data, lambda d: f"Booking {d['code']} for {d['customer']}: {', '.join(d['seats'])}")
    return 0


def run_refund(args: argparse.Namespace) -> int:
    tickets = [t.strip() for t in args.tickets.split(",")] if args.tickets else None

    async def action(counter: Counter) -> Any:
        sale = await counter.refund(args.sale, args.supervisor, args.pin, tickets, args.reason)
        return _sale_json(counter, sale)

    data = with_counter(args, action)
    emit(args, data, lambda d: f"Sale {d['sale_id']}: {d['refunded']} fen refunded ({d['state']})")
    return 0


def run_void(args: argparse.Namespace) -> int:
    async def action(counter: Counter) -> Any:
        voided = await counter.void(args.sale, args.supervisor, args.pin, args.reason)
        return _sale_json(counter, voided)

    data = with_counter(args, action)
    emit(args, data, lambda d: f"Sale {d['sale_id']} voided")
    return 0


def run_exchange(args: argparse.Namespace) -> int:
    seats = [s.strip().upper() for s in args.seats.split(",") if s.strip()]
    tickets = [t.strip() for t in args.tickets.split(",")] if args.tickets else None

    async def action(counter: Counter) -> Any:
        counter.check_pin(args.cashier, args.pin)
        done = await counter.exchange(
            args.sale,
            seats,
            cashier_id=args.cashier,
            showtime_id=args.showtime,
            ticket_ids=tickets,
        )
        return {
            "returned": _sale_json(counter, done.returned),
            "sale": done.outcome.to_json(),
            "credit": done.credit,
            "cash_due": done.cash_due,
        }

    data = with_counter(args, action)
    emit(
        args,
        data,
        lambda d: (
            f"Sale {d['returned']['sale_id']} exchanged for sale {d['sale']['sale_id']}: "
            + ", ".join(t["seat"] for t in d["sale"]["tickets"])
            + f"; cash due {d['cash_due']} fen (below zero: give back)"
        ),
    )
    return 0


def run_reprint(args: argparse.Namespace) -> int:
    async def action(counter: Counter) -> Any:
        return {"sale_id": args.sale, "jobs": counter.reprint(args.sale)}

    data = with_counter(args, action, recover=False)
    emit(args, data, lambda d: f"{len(d['jobs'])} tickets queued again, marked REPRINT")
    return 0
