"""`pos shift open|cash|close`: a cashier's drawer, from float to blind count."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from pos.cli.common import add_common, emit, with_counter
from pos.counter import shifts
from pos.counter.payments import parse_amount
from pos.counter.zreport import yuan

if TYPE_CHECKING:
    from offline.shifts import Shift
    from pos.counter.service import Counter

COUNT_HELP = "DENOMINATIONxCOUNT in yuan, e.g. 100x2,50x1,1x10,0.5x4,0.1x5"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("shift", help="open a shift, move cash, close with a count")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    opening = actions.add_parser("open", help="open a shift with a counted float")
    opening.add_argument("--cashier", required=True)
    opening.add_argument("--pin", required=True)
    opening.add_argument("--float", dest="counts", required=True, help=COUNT_HELP)
    add_common(opening)
    opening.set_defaults(func=run_open)

    cash = actions.add_parser("cash", help="cash in or out of a drawer (supervisor)")
    direction = cash.add_mutually_exclusive_group(required=True)
    direction.add_argument("--in", dest="cash_in", metavar="AMOUNT", help="fen, or yuan 50.00")
    direction.add_argument("--out", dest="cash_out", metavar="AMOUNT", help="fen, or yuan 50.00")
    cash.add_argument("--reason", required=True)
    cash.add_argument("--supervisor", required=True)
    cash.add_argument("--pin", required=True)
    cash.add_argument("--cashier", help="whose drawer, when more than one shift is open")
    add_common(cash)
    cash.set_defaults(func=run_cash)

    closing = actions.add_parser("close", help="close a shift with a blind cash count")
    closing.add_argument("--cashier", required=True)
    closing.add_argument("--pin", required=True)
    closing.add_argument("--count", dest="counts", required=True, help=COUNT_HELP)
    add_common(closing)
    closing.set_defaults(func=run_close)


def _shift_json(shift: Shift) -> dict[str, Any]:
    return {
        "shift_id": shift.id,
        "cashier_id": shift.cashier_id,
        "business_date": shift.business_date.isoformat(),
        "state": shift.state,
        "float": shift.float_total,
        "opened_at": shift.opened_at.isoformat(),
    }


def run_open(args: argparse.Namespace) -> int:
    counts = shifts.parse_counts(args.counts)

    async def action(counter: Counter) -> Any:
        return _shift_json(counter.shifts.open_shift(args.cashier, args.pin, counts))

    data = with_counter(args, action, recover=False)
    emit(args, data, lambda d: f"Shift {d['shift_id']} open, float {yuan(d['float'])}")
    return 0


def run_cash(args: argparse.Namespace) -> int:
    direction = "in" if args.cash_in is not None else "out"
    amount = parse_amount(args.cash_in if args.cash_in is not None else args.cash_out)

    async def action(counter: Counter) -> Any:
        entry = counter.shifts.cash_move(
            direction,
            amount,
            reason=args.reason,
            supervisor_id=args.supervisor,
            pin=args.pin,
            cashier_id=args.cashier,
        )
        return {"shift_id": entry.payload["shift_id"], "amount": entry.amount, "seq": entry.seq}

    data = with_counter(args, action, recover=False)
    emit(args, data, lambda d: f"Cash {direction} {yuan(abs(d['amount']))} on {d['shift_id']}")
    return 0


def run_close(args: argparse.Namespace) -> int:
    counts = shifts.parse_counts(args.counts)

    async def action(counter: Counter) -> Any:
        return (await counter.shifts.close_shift(args.cashier, args.pin, counts)).to_json()

    data = with_counter(args, action)
    emit(args, data, closing_text)
    return 0


def closing_text(d: dict[str, Any]) -> str:
    report = d["report"]
    cash = report["cash"]
    central = report["central"]
    lines = [
        f"{d['report_id']}: {report['sales']['count']} sales, net {yuan(report['net'])}",
        f"cash expected {yuan(cash['expected'])}, counted {yuan(cash['counted'])}, "
        f"variance {yuan(cash['variance'])}",
        f"journal {report['journal']['chain_problem']}; report upload {d['upload']}",
    ]
    if central is not None:
        lines.append(
            f"central: {central['central_sales_count']} sales, {yuan(central['central_gross'])},"
            f" {len(central['differences'])} differences"
        )
        lines += [f"  {x['why']}: {x['idempotency_key']}" for x in central["differences"]]
    return "\n".join(lines)
