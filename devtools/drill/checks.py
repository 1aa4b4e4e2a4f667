"""The invariants, judged from final state: the central's record (the reference central's
database, or a pretix's orders read through its API) and every terminal's store, opened
read-only after every process has stopped.

The central refuses to sell a seat twice, so its own tables can never show a double sale. What
matters is what customers hold: every ticket a terminal handed over (its store) and every live
ticket at the central. A seat with two different tickets is double-sold; so is a seat of a
terminal sale the central rejected as a conflict, since that customer holds a ticket the
central does not honour."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pos.counter.seat_picking import SINGLE_SEAT_KINDS

CUSTOMER_STATES = ("paid", "printed", "synced")
"""Local sale states in which the customer walked away with tickets."""
SHOWN = 20
"""Examples listed per failed check; the counts are always complete."""


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        yield conn


@dataclass(frozen=True)
class TerminalState:
    terminal_id: str
    tickets: list[tuple[str, str, str, str]]
    """(sale key, ticket id, showtime id, seat) of every ticket a customer holds."""
    conflicts: list[tuple[str, str, list[str], str]]
    """(sale key, showtime id, seats, why) of offline sales the central refused."""
    outbox: int
    handovers: int = 0
    """Handovers this terminal received from its peers."""


def terminal_state(terminal_id: str, store: Path) -> TerminalState:
    with read_only(store) as conn:
        marks = ",".join("?" * len(CUSTOMER_STATES))
        tickets = conn.execute(
            "SELECT s.idempotency_key, t.id, s.showtime_id, t.seat FROM sales s"
            f" JOIN sale_tickets t ON t.sale_id = s.id WHERE s.state IN ({marks})"
            " AND t.refunded = 0",
            CUSTOMER_STATES,
        ).fetchall()
        conflicts = [
            (key, sale["showtime_id"], [t["seat"] for t in sale["tickets"]], error or "")
            for key, payload, error in conn.execute(
                "SELECT idempotency_key, payload, last_error FROM outbox"
                " WHERE kind = 'sale' AND state = 'failed'"
            )
            for sale in [json.loads(payload)]
        ]
        (depth,) = conn.execute(
            "SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')"
        ).fetchone()
        (handovers_left,) = conn.execute(
            "SELECT count(*) FROM handovers WHERE upload = 'pending'"
        ).fetchone()
        (received,) = conn.execute(
            "SELECT count(*) FROM handovers WHERE role = 'received'"
        ).fetchone()
    return TerminalState(terminal_id, tickets, conflicts, depth + handovers_left, received)


@dataclass
class Verdict:
    double_sold: int = 0
    conflicts: int = 0
    missing: int = 0
    duplicates: int = 0
    outbox_left: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def failures(self) -> list[str]:
        named = {
            "double_sold": "seats sold twice",
            "missing": "paid sales missing from the central",
            "duplicates": "sales the central counts twice or without a customer",
            "outbox_left": "operations never drained",
        }
        return [f"{getattr(self, k)} {text}" for k, text in named.items() if getattr(self, k)]


@dataclass(frozen=True)
class CentralRecord:
    """What the central holds at the end, whichever central it was (ours or a pretix)."""

    live: list[tuple[str, str, str]]
    """(ticket id, showtime id, seat) of every live ticket."""
    sales: list[tuple[str, str, str]]
    """(terminal id, idempotency key, status: paid or not) of every terminal's sale."""


BY_COUNT = {kind.value for kind in SINGLE_SEAT_KINDS}
"""Seat kinds a party sold by count can get (picked or leased)."""


@dataclass(frozen=True)
class SeatingRecord:
    """The central's showtimes and when each live ticket was sold."""

    showtimes: list[tuple[str, int, str]]
    """(showtime id, capacity, start) of every showtime."""
    sold_at: list[tuple[str, str]]
    """(showtime id, ISO time of its sale) of every live ticket."""
    set_aside: dict[str, int] = field(default_factory=dict)
    """Unsold seats by showtime that no counter customer could have had: wheelchair spaces,
    companion seats and love seats, which a party sold by count never gets (not picked,
    not leased: `pos.counter.seat_picking.SINGLE_SEAT_KINDS`). Empty where unknown (pretix)."""


def central_record(central_db: Path) -> CentralRecord:
    """The reference central's record, from its database."""
    with read_only(central_db) as conn:
        return CentralRecord(
            live=conn.execute(
                "SELECT t.id, t.showtime_id, t.seat FROM tickets t WHERE t.refunded = 0"
            ).fetchall(),
            sales=conn.execute(
                "SELECT terminal_id, idempotency_key, status FROM sales"
                " WHERE terminal_id IS NOT NULL"
            ).fetchall(),
        )


def seating_record(central_db: Path) -> SeatingRecord:
    with read_only(central_db) as conn:
        kinds = {
            aud_id: {seat["label"]: seat["kind"] for seat in json.loads(body)["seats"]}
            for aud_id, body in conn.execute("SELECT id, body FROM auditoriums")
        }
        set_aside: dict[str, int] = defaultdict(int)
        for showtime_id, aud_id, label in conn.execute(
            "SELECT st.id, st.auditorium_id, s.label FROM seats s"
            " JOIN showtimes st ON st.id = s.showtime_id WHERE s.sale_id IS NULL"
        ):
            if kinds[aud_id].get(label) not in BY_COUNT:
                set_aside[showtime_id] += 1
        return SeatingRecord(
            showtimes=conn.execute("SELECT id, capacity, start FROM showtimes").fetchall(),
            sold_at=conn.execute(
                "SELECT t.showtime_id, s.sold_at FROM tickets t JOIN sales s ON s.id = t.sale_id"
                " WHERE t.refunded = 0"
            ).fetchall(),
            set_aside=dict(set_aside),
        )


def judge(central: Path | CentralRecord, terminals: list[TerminalState]) -> Verdict:
    record = central if isinstance(central, CentralRecord) else central_record(central)
    live = record.live
    central_sales = record.sales
    live_ids = {ticket_id for ticket_id, _, _ in live}
    verdict = Verdict(outbox_left=sum(t.outbox for t in terminals))

    holders: dict[str, set[str]] = defaultdict(set)
    for ticket_id, showtime_id, seat in live:
        holders[f"{showtime_id}/{seat}"].add(ticket_id)
    refused: set[str] = set()
    for t in terminals:
        for _, ticket_id, showtime_id, seat in t.tickets:
            holders[f"{showtime_id}/{seat}"].add(ticket_id)
        for _, showtime_id, seats, _ in t.conflicts:
            refused.update(f"{showtime_id}/{seat}" for seat in seats)
    twice = sorted({seat for seat, ids in holders.items() if len(ids) > 1} | refused)
    verdict.double_sold = len(twice)
    verdict.conflicts = sum(len(t.conflicts) for t in terminals)
    verdict.examples["double_sold"] = twice[:SHOWN]
    verdict.examples["conflicts"] = [
        f"{t.terminal_id} {key}: {why}" for t in terminals for key, _, _, why in t.conflicts
    ][:SHOWN]

    paid_at_central = {(tid, key) for tid, key, status in central_sales if status == "paid"}
    missing: list[str] = []
    for t in terminals:
        by_sale: dict[str, list[str]] = defaultdict(list)
        for key, ticket_id, _, _ in t.tickets:
            by_sale[key].append(ticket_id)
        for key, ticket_ids in by_sale.items():
            if (t.terminal_id, key) not in paid_at_central or not live_ids.issuperset(ticket_ids):
                missing.append(f"{t.terminal_id} {key}")
    verdict.missing = len(missing)
    verdict.examples["missing"] = missing[:SHOWN]

    held = {(t.terminal_id, key) for t in terminals for key, _, _, _ in t.tickets}
    counters = {t.terminal_id for t in terminals}
    ghosts = sorted(
        f"{tid} {key}"
        for tid, key, status in central_sales
        if tid in counters and status == "paid" and (tid, key) not in held
    )
    verdict.duplicates = len(ghosts)
    verdict.examples["duplicates"] = ghosts[:SHOWN]
    return verdict


@dataclass(frozen=True)
class ShowtimeSales:
    """One showtime's seats at the end of the drill, from the central's live tickets."""

    capacity: int
    start: str
    sold: int
    sold_before: int
    """Live tickets whose sale is dated before the moment asked about (the outage)."""
    set_aside: int = 0
    """Of the unsold seats, those no counter customer could have had (`SeatingRecord`)."""

    @property
    def unsold(self) -> int:
        return self.capacity - self.sold

    @property
    def sellable(self) -> int:
        """Unsold seats a counter customer could still have been sold."""
        return self.unsold - self.set_aside


def showtime_sales(central: Path | SeatingRecord, moment: float) -> dict[str, ShowtimeSales]:
    """Seats sold by showtime, at the end and before `moment` (seconds since the epoch)."""
    record = central if isinstance(central, SeatingRecord) else seating_record(central)
    sold: dict[str, int] = defaultdict(int)
    before: dict[str, int] = defaultdict(int)
    for showtime_id, sold_at in record.sold_at:
        sold[showtime_id] += 1
        if datetime.fromisoformat(sold_at).timestamp() < moment:
            before[showtime_id] += 1
    return {
        sid: ShowtimeSales(capacity, start, sold[sid], before[sid], record.set_aside.get(sid, 0))
        for sid, capacity, start in record.showtimes
    }
