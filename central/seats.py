"""Who may take a seat right now. The one rule every channel goes through: a seat is taken by a
sale; an unexpired hold keeps it for its holder; a lease keeps it for its terminal until the
lease is released or the terminal may no longer sell the showtime
(`contract.leasing.lease_protects`: a quarter of an hour after the start, not at the start)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from central.context import iso, parse_iso
from contract.leasing import sales_close
from contract.models import SeatState


@dataclass(frozen=True, slots=True)
class SeatRow:
    label: str
    sale_id: str | None
    hold_id: str | None
    hold_expires: str | None
    lease_id: str | None
    lease_terminal: str | None
    lease_until: datetime | None = None
    """When a lease on this seat stops protecting it (`sales_close` of the showtime's start),
    as `seat_rows` loads it; None leaves a leased seat protected."""

    def held(self, now: datetime) -> bool:
        return self.hold_id is not None and (self.hold_expires or "") > iso(now)

    def leased(self, now: datetime) -> bool:
        return self.lease_id is not None and (self.lease_until is None or now < self.lease_until)

    def state(self, now: datetime) -> SeatState:
        """The lease's own end decides, not the showtime's start (contract.leasing)."""
        if self.sale_id:
            return SeatState.SOLD
        if self.held(now):
            return SeatState.HELD
        if self.leased(now):
            return SeatState.LEASED
        return SeatState.FREE

    def blocker(
        self,
        terminal_id: str,
        now: datetime,
        hold_id: str | None = None,
    ) -> str | None:
        """Why this terminal cannot take the seat, or None when it may."""
        if self.sale_id:
            return "sold"
        if self.held(now) and self.hold_id != hold_id:
            return "held"
        if self.leased(now) and self.lease_terminal != terminal_id:
            return "leased"
        return None


def seat_rows(
    conn: sqlite3.Connection, showtime_id: str, labels: list[str] | None = None
) -> dict[str, SeatRow]:
    start = conn.execute("SELECT start FROM showtimes WHERE id = ?", (showtime_id,)).fetchone()
    lease_until = sales_close(parse_iso(start[0])) if start else None
    sql = (
        "SELECT label, sale_id, hold_id, hold_expires, lease_id, lease_terminal"
        " FROM seats WHERE showtime_id = ?"
    )
    args: list[str] = [showtime_id]
    if labels is not None:
        sql += f" AND label IN ({','.join('?' * len(labels))})"
        args += labels
    return {
        r["label"]: SeatRow(**dict(r), lease_until=lease_until) for r in conn.execute(sql, args)
    }
