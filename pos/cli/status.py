"""`pos status` and `pos leases`: the counter's state at a glance."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from pos.cli.common import add_common, emit, with_counter

if TYPE_CHECKING:
    from pos.counter.service import Counter


def register(subparsers: argparse._SubParsersAction) -> None:
    status = subparsers.add_parser("status", help="mode, outbox depth and leases")
    add_common(status)
    status.set_defaults(func=run_status)
    lease = subparsers.add_parser("leases", help="seats leased to this terminal")
    add_common(lease)
    lease.set_defaults(func=run_leases)


def run_status(args: argparse.Namespace) -> int:
    async def action(counter: Counter) -> Any:
        s = await counter.checked_status()
        return {
            "terminal": counter.settings.terminal_id,
            "mode": s.mode.value,
            "outbox": s.outbox,
            "held": s.held,
            "conflicts": s.conflicts,
            "code_owed": s.code_owed,
            "leases": s.leases,
            "journal_ok": s.journal_ok,
            "business_date": s.business_date,
            "schedule_date": s.schedule_date,
            "handovers": counter.handover_counts(),
        }

    data = with_counter(args, action)
    emit(
        args,
        data,
        lambda d: (
            f"{d['terminal']}: {d['mode'].upper()}, outbox {d['outbox']}"
            + (f" ({d['held']} held: see `pos sync`)" if d["held"] else "")
            + (f", {d['conflicts']} conflicts for the supervisor" if d["conflicts"] else "")
            + (
                f", {d['code_owed']} payment-code refund(s) owed (retried)"
                if d["code_owed"]
                else ""
            )
            + ", "
            f"{sum(d['leases'].values())} seats leased over {len(d['leases'])} showtimes"
            + _handovers(d["handovers"])
            + ("" if d["journal_ok"] else "; JOURNAL BROKEN")
        ),
    )
    return 0 if data["journal_ok"] else 1  # a script checking the till must notice


def _handovers(counts: dict[str, int]) -> str:
    """Seats handed between counters, once there were any (pending: not yet uploaded)."""
    if not counts["given"] and not counts["received"]:
        return ""
    waiting = f", {counts['pending']} not yet uploaded" if counts["pending"] else ""
    return f"; handovers {counts['given']} given, {counts['received']} received{waiting}"


def run_leases(args: argparse.Namespace) -> int:
    async def action(counter: Counter) -> Any:
        return [lease.to_json() for lease in counter.leases()]

    rows = with_counter(args, action, recover=False)
    emit(
        args,
        rows,
        lambda rs: "\n".join(
            f"{r['showtime_id']:8} {r['available']:3} available, {r['sold']:3} sold  "
            f"{' '.join(r['seats'])}"
            for r in rs
        ),
    )
    return 0
