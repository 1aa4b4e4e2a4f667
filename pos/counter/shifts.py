"""Shifts and end of day at the counter: the API the CLI and the TUI share.

PINs are checked here (the cashier's own to open and close, a supervisor's for cash in/out and
for overriding the day's close); the business day comes from the cinema's `business_day_starts`
in its own zone. Every close becomes a Z report that is kept, queued for the printer and queued
for the central in one go, then uploaded at once if the central is reachable (else `pos sync`
or the background sync sends it later, under the same idempotency key).

Example (with an open Counter)::

    desk = counter.shifts
    shift = desk.open_shift("c01", "1111", {10000: 2, 1000: 5})
    desk.cash_move("out", 5000, reason="bank drop", supervisor_id="s01", pin="9999")
    closing = await desk.close_shift("c01", "1111", counts)   # blind: count first
    closing.report.cash.variance, closing.answer
    ready = desk.day_readiness()                                # before closing the day
    closing = await desk.close_day(supervisor_id="s01", pin="9999")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from offline import journal, shifts, zreport
from offline.shifts import DENOMINATIONS, Shift
from offline.store import Store
from offline.zreport import StoredReport, ZReport
from pos.counter.connectivity import Breaker
from pos.counter.errors import CounterError
from pos.counter.printing import TicketPrinter
from pos.counter.staff import Staff
from pos.counter.sync import OutboxSender
from pos.counter.today import Today
from pos.counter.zreport import face, reconciliation_request, report_id, to_json


@dataclass(frozen=True, slots=True)
class Closing:
    """A closed shift or day: its report, as kept and uploaded, and the central's answer."""

    report: ZReport
    stored: StoredReport
    print_job: int

    @property
    def answer(self) -> dict[str, Any] | None:
        """The central's totals and differences, once it answered (None while queued)."""
        return self.stored.answer

    def to_json(self) -> dict[str, Any]:
        return {
            "report_id": self.stored.id,
            "idempotency_key": self.stored.idempotency_key,
            "upload": self.stored.upload_state,
            "print_job": self.print_job,
            "report": to_json(self.report, self.answer),
        }


@dataclass(frozen=True, slots=True)
class Readiness:
    """What stands between a business day and its close; show it before asking to close."""

    business_date: date
    open_shifts: list[Shift]
    outbox_items: int
    closed: bool

    @property
    def ready(self) -> bool:
        return not self.closed and not self.open_shifts and not self.outbox_items


def parse_counts(text: str) -> dict[int, int]:
    """`100x2,0.5x3` → {10000: 2, 50: 3}: denominations in yuan, as printed on the money."""
    counts: dict[int, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        value, sep, pieces = part.lower().partition("x")
        try:
            denomination = int(Decimal(value) * 100)
            n = int(pieces)
        except (InvalidOperation, ValueError) as exc:
            raise CounterError(
                "BAD_COUNT", f"{part!r}: write DENOMINATIONxCOUNT, like 100x2."
            ) from exc
        if not sep or denomination not in DENOMINATIONS or n < 0:
            raise CounterError(
                "BAD_COUNT",
                f"{part!r}: CNY denominations are 100, 50, 20, 10, 5, 1, 0.5 and 0.1 yuan.",
            )
        counts[denomination] = counts.get(denomination, 0) + n
    return counts


class ShiftDesk:
    """Shifts and the day's close, for one terminal."""

    def __init__(
        self,
        store: Store,
        today: Today,
        staff: Staff,
        printer: TicketPrinter,
        sender: OutboxSender,
        breaker: Breaker,
        *,
        terminal_id: str,
        on_change: Callable[[], None],
    ) -> None:
        self.store = store
        self.today = today
        self.staff = staff
        self.printer = printer
        self.sender = sender
        self.breaker = breaker
        self.terminal_id = terminal_id
        self.on_change = on_change

    # --- shifts ----------------------------------------------------------------------------------

    def current_shift(self, cashier_id: str) -> Shift | None:
        return shifts.current(self.store, cashier_id)

    def open_shift(self, cashier_id: str, pin: str, float_counts: Mapping[int, int]) -> Shift:
        self.staff.check_pin(cashier_id, pin)
        day = self.today.business_date()
        self._refuse_closed_day(day)
        shift = shifts.open_shift(self.store, cashier_id, float_counts, business_date=day)
        self.on_change()
        return shift

    def cash_move(
        self,
        direction: Literal["in", "out"],
        amount: int,
        *,
        reason: str,
        supervisor_id: str,
        pin: str,
        cashier_id: str | None = None,
    ) -> journal.JournalEntry:
        """Supervisor only. Without `cashier_id`, the terminal's only open shift."""
        self.staff.check_pin(supervisor_id, pin, supervisor=True)
        shift = self._shift_for(cashier_id)
        self._refuse_closed_day(shift.business_date)
        return shifts.cash_move(
            self.store, shift.id, direction, amount, reason=reason, supervisor_id=supervisor_id
        )

    async def close_shift(self, cashier_id: str, pin: str, counts: Mapping[int, int]) -> Closing:
        """Blind close: the count goes in first; expected and variance come back in the report."""
        self.staff.check_pin(cashier_id, pin)
        shift = self._shift_for(cashier_id)
        with self.store.atomic():
            closed = shifts.close_shift(self.store, shift.id, counts)
            report, stored = self._keep(shifts.shift_scope(closed))
        return await self._print_and_upload(report, stored)

    def till_for(self, cashier_id: str | None) -> Shift:
        """The open shift money moves through: the cashier's own (for a supervisor's refund or
        void with no cashier named, any open one). No shift, no sale, pickup, refund or cash
        movement; and none on a business day already closed."""
        if cashier_id is None:
            open_ = shifts.list_shifts(self.store, state="open")
            if not open_:
                raise CounterError("NO_OPEN_SHIFT", "No shift is open at this terminal.")
            shift = open_[0]
        else:
            shift = self._shift_for(cashier_id)
        self._refuse_closed_day(shift.business_date)
        return shift

    def _refuse_closed_day(self, day: date) -> None:
        if shifts.day_closed(self.store, day) is not None:
            raise CounterError(
                "DAY_CLOSED", f"Business day {day} is closed; nothing more is sold on it."
            )

    def _shift_for(self, cashier_id: str | None) -> Shift:
        if cashier_id is not None:
            shift = shifts.current(self.store, cashier_id)
            if shift is None:
                raise CounterError(
                    "NO_OPEN_SHIFT", f"{cashier_id} has no open shift at this terminal."
                )
            return shift
        open_ = shifts.list_shifts(self.store, state="open")
        if len(open_) != 1:
            raise CounterError(
                "WHICH_SHIFT",
                f"{len(open_)} shifts are open here; say whose drawer with --cashier.",
                [s.id for s in open_],
            )
        return open_[0]

    # --- the day ---------------------------------------------------------------------------------

    def day_readiness(self, day: date | None = None) -> Readiness:
        day = day or self.today.business_date()
        return Readiness(
            business_date=day,
            open_shifts=shifts.list_shifts(self.store, state="open"),
            outbox_items=shifts.waiting_in_outbox(self.store),
            closed=shifts.day_closed(self.store, day) is not None,
        )

    async def close_day(
        self,
        day: date | None = None,
        *,
        supervisor_id: str | None = None,
        pin: str | None = None,
        override: bool = False,
        reason: str = "",
    ) -> Closing:
        """Close the business day: first send what is queued, then close only if every shift is
        closed and the outbox is empty, unless a supervisor overrides (journalled, on the report).

        Raises CounterError DAY_NOT_READY (detail: open shifts, outbox items) or DAY_ALREADY_CLOSED.
        """
        if override and (supervisor_id is None or pin is None):
            raise CounterError(
                "OVERRIDE_NEEDS_SUPERVISOR", "An override needs a supervisor and PIN."
            )
        if supervisor_id is not None:
            self.staff.check_pin(supervisor_id, pin or "", supervisor=True)
        day = day or self.today.business_date()
        await self._upload()
        try:
            with self.store.atomic():
                shifts.close_day(
                    self.store, day, closed_by=supervisor_id, override=override, reason=reason
                )
                report, stored = self._keep(
                    shifts.day_scope(day, self.today.day_starts(), self.today.zone)
                )
        except shifts.DayNotReady as exc:
            raise CounterError(
                "DAY_NOT_READY",
                exc.message,
                {
                    "open_shifts": exc.open_shifts,
                    "outbox_items": exc.outbox_items,
                    "journal_problem": exc.journal_problem,
                },
            ) from exc
        except shifts.DayAlreadyClosed as exc:
            raise CounterError("DAY_ALREADY_CLOSED", exc.message) from exc
        return await self._print_and_upload(report, stored)

    # --- reports ---------------------------------------------------------------------------------

    def shift_report(self, shift_id: str) -> tuple[ZReport, StoredReport | None]:
        """The shift's report from the journal now (an X report while it is open), and the copy
        kept and uploaded at its close, with the central's answer."""
        shift = shifts.get(self.store, shift_id)
        report = zreport.build(self.store, shifts.shift_scope(shift))
        return report, zreport.stored(self.store, "shift", shift_id)

    def day_report(self, day: date) -> tuple[ZReport, StoredReport | None]:
        report = zreport.build(
            self.store, shifts.day_scope(day, self.today.day_starts(), self.today.zone)
        )
        return report, zreport.stored(self.store, "day", day.isoformat())

    def _keep(self, scope: zreport.Scope) -> tuple[ZReport, StoredReport]:
        report = zreport.build(self.store, scope)
        rid = report_id(self.terminal_id, report)
        upload = reconciliation_request(rid, report).model_dump(mode="json")
        zreport.save(self.store, rid, report, upload)
        stored = zreport.stored(self.store, scope.kind, scope.key)
        assert stored is not None
        return report, stored

    def print_report(self, report: ZReport, answer: dict[str, Any] | None = None) -> int:
        """Queue a report for the printer (again), with the central's answer when there is one."""
        return self.printer.queue_layout(
            "report", face(report, self.terminal_id, self.today.zone, answer)
        )

    async def _print_and_upload(self, report: ZReport, stored: StoredReport) -> Closing:
        job = self.printer.queue_layout("report", face(report, self.terminal_id, self.today.zone))
        await self._upload()
        fresh = zreport.stored(self.store, stored.kind, stored.scope)
        assert fresh is not None
        self.on_change()
        return Closing(report=report, stored=fresh, print_job=job)

    async def _upload(self) -> None:
        """Send what is queued (sales before the reports that count them) if the central is up."""
        if not self.breaker.is_open:
            await self.sender.drain()
