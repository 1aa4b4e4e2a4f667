"""The headless counter: everything a cashier, a supervisor or a script can do, without a
terminal. The TUI and the CLI are thin layers over this class.

`Counter` is the composition root: it opens the store and builds the small collaborators that
do the work, each handed only what it needs (`Seller`, `OutboxSender`, `LeaseKeeper`,
`ShiftDesk`, `TicketPrinter`, `AfterSale`, `Staff`, `Today`). Its methods are the typed surface
the CLI and the TUI use; neither reaches into the store, the printer or the port."""

from __future__ import annotations

import asyncio
import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from contract import models
from contract.business_day import Clock, utc_now
from contract.phones import phone_matches
from contract.ticket_code import public_key_text
from offline import cache, handovers, journal, leases, outbox, sales
from offline.errors import StoreCorrupt
from offline.shifts import Shift
from offline.store import Store
from pos.counter.after_sale import AfterSale, Exchange, ExchangePlan
from pos.counter.code_payments import CodeTill, Reconciliation
from pos.counter.connectivity import Breaker, Mode
from pos.counter.door import DoorCheck, check_at_door
from pos.counter.errors import CounterError
from pos.counter.handover_asker import Asker
from pos.counter.home import (
    Home,
    RuntimeState,
    Settings,
    load_state,
    save_state,
    write_private,
)
from pos.counter.lease_keeping import LeaseKeeper
from pos.counter.payments import CODE_METHODS
from pos.counter.peer_server import PeerServer
from pos.counter.printing import PrintRun, TicketPrinter, preview_text
from pos.counter.selling import Order, Outcome, SeatView, Seller
from pos.counter.shifts import ShiftDesk
from pos.counter.staff import Staff
from pos.counter.sync import OutboxSender, Progress, SyncReport
from pos.counter.today import Today
from pos.ports import client_for
from pos.ports.errors import CentralError, Rejected
from pos.ports.port import CentralPort


@dataclass(frozen=True, slots=True)
class Status:
    mode: Mode
    outbox: int
    held: int
    """Of `outbox`, items the central refused but not as a verdict: retried, look at them."""
    conflicts: int
    """Operations the central refused for good (seat sold twice...): for the supervisor."""
    code_owed: int
    """Payment-code reversals and refunds a provider has not confirmed yet (retried)."""
    leases: dict[str, int]
    """Seats available to sell offline, by showtime."""
    journal_ok: bool
    business_date: str
    """The till's business day (ISO): the clock's, in the cinema's zone and day boundary
    (`Today.business_date`). Shifts open on it, the day's close closes it and its Z report
    covers it, so the bar shows this one."""
    schedule_date: str | None
    """The day of the showtimes the central last sent; a later day when the central sells
    ahead (the demo sells tomorrow, so every showtime is on sale)."""


@dataclass(frozen=True, slots=True)
class LeaseView:
    """One showtime's lease as this terminal holds it."""

    showtime_id: str
    lease_id: str
    leased: int
    sold: int
    available: int
    released: int
    seats: list[str]
    """Seats still free to sell offline."""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class Counter:
    def __init__(
        self,
        home: Home,
        *,
        client: CentralPort | None = None,
        clock: Clock = utc_now,
        breaker: Breaker | None = None,
    ):
        self.home = home
        self.settings: Settings = home.load()
        self.key = home.key()
        self.clock = clock
        self.port: CentralPort = client or client_for(self.settings)
        self.breaker = breaker or Breaker()
        self.state: RuntimeState = load_state(home)
        self.listeners: list[Callable[[], None]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self.breaker.listeners.append(self._mode_changed)
        # Built by open(), once the store is open and checked.
        self.store: Store
        self.journal_check: journal.JournalCheck | None = None
        self.today: Today
        self.staff: Staff
        self.printer: TicketPrinter
        self.sender: OutboxSender
        self.lease_keeper: LeaseKeeper
        self.seller: Seller
        self.after_sale: AfterSale
        self.shifts: ShiftDesk
        self.asker: Asker | None = None
        self.peer_server: PeerServer | None = None
        self.peer_error: CounterError | None = None
        """Why the peer endpoint is not listening, if it should be and is not."""
        self.code_till: CodeTill

    # --- lifecycle -----------------------------------------------------------------------

    async def open(self) -> Counter:
        """Open and check the store, build the collaborators, then finish or unwind whatever
        a crash interrupted (outbox items in flight, sales half made, a job half printed)."""
        self.home.make_private()
        try:
            self.store = Store.open(self.home.store_path, clock=self.clock)
        except StoreCorrupt as exc:
            raise CounterError(
                "STORE_CORRUPT", f"Refusing to sell: {exc.message}", str(exc.path)
            ) from exc
        s = self.settings
        self.today = Today(self.store, ZoneInfo(s.timezone), self.clock, self.state.business_date)
        self.staff = Staff(self.store, self.clock)
        self.printer = TicketPrinter(self.store, self.today, s)
        self.sender = OutboxSender(
            self.store,
            self.port,
            self.breaker,
            self.clock,
            on_reconciled=self._reconciled,
            on_change=self.notify,
        )
        self.lease_keeper = LeaseKeeper(
            self.store,
            self.port,
            self.today,
            seats=s.lease_seats,
            release_minutes=s.lease_release_minutes,
        )
        if s.peers:
            self.asker = Asker(
                self.store,
                self.key,
                s.peers,
                terminal_id=s.terminal_id,
                key_id=s.key_id,
                cinema_id=s.cinema_id,
                timeout=s.peer_timeout,
                clock=self.clock,
            )
        self.seller = Seller(
            self.store,
            self.port,
            self.breaker,
            self.today,
            self.printer,
            key=self.key,
            terminal_id=s.terminal_id,
            key_id=s.key_id,
            sale_budget=s.sale_budget,
            on_change=self.notify,
            asker=self.asker,
            peer_ask=s.lease_seats,
        )
        self.code_till = CodeTill(
            self.store,
            self.seller,
            s.code_pay,
            self.home.path,
            terminal_id=s.terminal_id,
            clock=self.clock,
            on_change=self.notify,
        )
        self.after_sale = AfterSale(
            self.store,
            self.port,
            self.breaker,
            self.staff,
            self.seller,
            self.printer,
            self.clock,
            self.notify,
            give_back=self.code_till.give_back,
        )
        self.shifts = ShiftDesk(
            self.store,
            self.today,
            self.staff,
            self.printer,
            self.sender,
            self.breaker,
            terminal_id=s.terminal_id,
            on_change=self.notify,
        )
        self.journal_check = journal.verify(self.store)
        outbox.recover_in_flight(self.store)
        self.printer.recover()
        self._resume_unfinished()
        if s.code_pay is not None:
            await self.code_till.recover()  # charges a crash left open: completed or reversed
        if self.state.mode == Mode.OFFLINE:
            self.breaker.trip()
        return self

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self.lease_keeper.aclose()
        if self.peer_server is not None:
            await asyncio.to_thread(self.peer_server.stop)
        if self.asker is not None:
            await self.asker.aclose()
        await self.code_till.aclose()
        await self.port.aclose()
        self._save_state()
        self.printer.close()
        self.store.close()

    async def __aenter__(self) -> Counter:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _resume_unfinished(self) -> None:
        """A draft or hold whose online outcome is unknown is cancelled by its key (the
        central then refuses it forever); a paid sale that never reached the printer is
        handed to it now."""
        for sale in sales.unfinished(self.store):
            with self.store.atomic():
                if sale.state in ("draft", "held"):
                    if sale.mode == "online":
                        self.seller.queue_cancel(sale.idempotency_key)
                    sales.advance(self.store, sale.id, "cancelled")
                else:
                    self.seller.paid(sale)

    def _mode_changed(self, mode: Mode) -> None:
        if mode == Mode.DEGRADED and hasattr(self, "lease_keeper"):
            self.lease_keeper.on_degraded()  # top up the hot showtimes before the central dies
        self.state.mode = mode.value
        self._save_state()
        self.notify()

    def notify(self) -> None:
        for listener in list(self.listeners):
            listener()

    def _save_state(self) -> None:
        if hasattr(self, "today"):
            self.state.business_date = self.today.selling
        save_state(self.home, self.state)

    def _reconciled(self, answer: models.ReconciliationAnswer) -> None:
        """Keep the central's answer to a report beside the terminal's own copy."""
        folder = self.home.path / "reports"
        folder.mkdir(mode=0o700, exist_ok=True)
        write_private(
            folder / f"{answer.report_id}.central.json", answer.model_dump_json(indent=2).encode()
        )

    # --- what the counter knows ----------------------------------------------------------

    @property
    def key_text(self) -> str:
        """This terminal's public key, which signs its offline tickets."""
        return public_key_text(self.key)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def now(self) -> datetime:
        return self.clock()

    def schedule(self) -> models.Schedule:
        return self.today.schedule()

    def showtime(self, showtime_id: str) -> models.Showtime:
        return self.today.showtime(showtime_id)

    @property
    def mode(self) -> Mode:
        return self.breaker.mode

    async def checked_status(self) -> Status:
        """The status after one timed probe (unless the breaker is open: then it is OFFLINE
        until the probes say otherwise)."""
        if not self.breaker.is_open:
            await self.probe_mode()
        return self.status()

    def status(self) -> Status:
        return Status(
            mode=self.breaker.mode,
            outbox=outbox.depth(self.store) + handovers.pending(self.store),
            held=outbox.held(self.store),
            conflicts=outbox.conflicts(self.store),
            code_owed=self.code_till.owed(),
            leases={s.showtime_id: s.available for s in leases.leases(self.store)},
            journal_ok=bool(self.journal_check and self.journal_check.ok),
            business_date=self.today.business_date().isoformat(),
            schedule_date=self.today.selling,
        )

    def leases(self) -> list[LeaseView]:
        return [
            LeaseView(
                showtime_id=s.showtime_id,
                lease_id=s.lease_id,
                leased=s.leased,
                sold=s.sold,
                available=s.available,
                released=s.released,
                seats=leases.available_seats(self.store, s.showtime_id),
            )
            for s in leases.leases(self.store)
        ]

    def check_pin(self, staff_id: str, pin: str, *, supervisor: bool = False) -> models.StaffMember:
        return self.staff.check_pin(staff_id, pin, supervisor=supervisor)

    def log_in(self, staff_id: str, pin: str) -> models.StaffMember:
        return self.staff.log_in(staff_id, pin)

    def current_shift(self, cashier_id: str) -> Shift | None:
        return self.shifts.current_shift(cashier_id)

    def set_language(self, lang: str) -> None:
        """The cashier's language, kept: it is also the language tickets print in."""
        self.settings.language = lang
        self.home.save(self.settings)

    def verify(self, code: str, showtime_id: str | None = None) -> DoorCheck:
        """The door check, with no network: this terminal's key, the central's, and every
        key the central last listed; refunds and voids made here, and those the central
        listed at the last refresh (made anywhere), are refused."""
        keys = cache.public_keys(self.store)
        keys[self.settings.key_id or self.settings.terminal_id] = self.key_text
        keys.setdefault(self.settings.central_key_id, self.settings.central_public_key)
        refunded = cache.refunded_ids(self.store) | {
            t.id
            for s in sales.list_sales(self.store)
            for t in s.tickets
            if t.refunded or s.state == "voided"
        }
        return check_at_door(code, keys, showtime_id=showtime_id, refunded_ticket_ids=refunded)

    # --- talking to the central ----------------------------------------------------------

    async def refresh(self) -> None:
        """Fetch schedule, staff, keys, bookings and leases, then top leases up."""
        cached = self.today.cached()
        fresh = await self.port.schedule(etag=cached.etag if cached else None)
        if fresh is not None:
            self.today.replace(fresh)
        cache.replace_staff(self.store, await self.port.staff())
        cache.put_public_keys(self.store, (await self.port.keys()).keys)
        cache.put_refunded(self.store, await self.port.refunded_tickets())
        cache.put_bookings(self.store, await self.port.bookings())
        listed = await self.port.leases()
        for lease in listed:
            leases.put_lease(self.store, lease)
        await self.lease_keeper.keep(listed)
        self._save_state()
        self.notify()

    async def refresh_if_online(self) -> None:
        """A fresh schedule when the central answers; the cached one otherwise."""
        if not self.breaker.is_open:
            try:
                await self.refresh()
            except CentralError:
                self.breaker.record_failure()

    async def probe(self) -> bool:
        """One health check; after enough good ones, drain the outbox, then go ONLINE."""
        try:
            await self.port.health(deadline=self.settings.connect_timeout + 0.5)
        except CentralError:
            self.breaker.probe_failed()
            return False
        if self.breaker.probe_succeeded():
            # Close once everything queued before recovery went through; sales made during
            # the drain are left to the sync loop, or a busy counter would never come back.
            report = await self.sender.drain(now=True)
            if report.error is None:
                self.breaker.close()
        return True

    async def probe_mode(self) -> Mode:
        """One timed health check, for a one-shot status: unreachable means OFFLINE, slow or
        with operations still queued means DEGRADED."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            await self.port.health(deadline=self.settings.connect_timeout + 0.5)
        except CentralError:
            self.breaker.trip()
            return self.breaker.mode
        self.breaker.record_success(loop.time() - started)
        if outbox.depth(self.store) and self.breaker.mode == Mode.ONLINE:
            self.breaker.record_failure()
        return self.breaker.mode

    async def recover_if_possible(self) -> None:
        """For one-shot CLI calls: if the last run ended OFFLINE, probe before deciding."""
        if self.breaker.is_open:
            for _ in range(self.breaker.good_probes_to_close):
                if not await self.probe():
                    return

    async def keep_lease(self, showtime_id: str) -> None:
        """For one-shot CLI sales, which have no sync loop to keep leases: after an online
        sale, answer recalls and top up the lease of the showtime just sold, so the lease
        follows the demand the sale showed before the central may go. A failure changes
        nothing: the sale is done, and the next sale tries again."""
        if self.breaker.is_open:
            return
        try:
            await self.lease_keeper.keep(only=showtime_id)
        except CentralError as exc:
            if not isinstance(exc, Rejected):
                self.breaker.record_failure()

    async def connect(self) -> Mode:
        """At start: one timed probe, and if the central answers, fetch today's data."""
        mode = await self.probe_mode()
        if mode != Mode.OFFLINE:
            try:
                await self.refresh()
            except Rejected as exc:
                raise CounterError(exc.code, exc.message, exc.detail) from exc
            except CentralError:
                self.breaker.record_failure()
        return self.breaker.mode

    async def sync(self, progress: Progress | None = None) -> SyncReport:
        """`pos sync`: send everything queued now, refresh, and go ONLINE if nothing is left.
        The report counts every drain since the counter opened (a terminal coming back from
        OFFLINE drains while it probes, before this one)."""
        await self.sender.drain(progress, now=True)
        report = self.sender.since_open
        if report.error is None and not self.breaker.is_open:
            try:
                await self.refresh()
            except CentralError as exc:
                report.error = str(exc)
        if report.remaining == 0 and report.error is None:
            self.breaker.close()
        return report

    # --- background upkeep (TUI, demo, drill) ----------------------------------------------

    def start_background(
        self,
        *,
        probe_every: float = 1.0,
        sync_every: float = 2.0,
        refresh_every: float = 60.0,
        peers: bool = True,
    ) -> None:
        """Probe, sync and refresh loops, and (with `peers`) the peer endpoint: a counter that
        cannot listen still sells, and says why in `peer_error`."""
        if peers:
            try:
                self.serve_peers()
            except CounterError as exc:
                self.peer_error = exc
        self._tasks.append(asyncio.create_task(self._probe_loop(probe_every)))
        self._tasks.append(asyncio.create_task(self._sync_loop(sync_every, refresh_every)))
        if self.settings.code_pay is not None:
            self._tasks.append(asyncio.create_task(self._code_retry_loop(refresh_every / 2)))

    async def _code_retry_loop(self, every: float) -> None:
        """Money owed back through a payment provider that did not answer goes back as soon
        as it does, not only at the next start."""
        while True:
            await asyncio.sleep(every * random.uniform(0.8, 1.2))
            await self.code_till.retry()

    def serve_peers(self) -> PeerServer:
        """Answer the cinema's other counters' asks for seats at `peer_listen`, in a thread."""
        if self.peer_server is None:
            server = PeerServer(self.home.store_path, self.settings, self.key, self.clock)
            self.peer_server = server.start()
        return self.peer_server

    def handover_counts(self) -> dict[str, int]:
        """Handovers given and received here, and those the central has not taken yet."""
        return handovers.counts(self.store)

    async def _probe_loop(self, every: float) -> None:
        while True:
            await asyncio.sleep(every * random.uniform(0.7, 1.3))
            if self.breaker.is_open:
                await self.probe()
                self.notify()

    async def _sync_loop(self, every: float, refresh_every: float) -> None:
        last_refresh = self.clock()
        while True:
            await asyncio.sleep(every * random.uniform(0.8, 1.2))
            if self.breaker.is_open:
                continue
            try:
                if outbox.depth(self.store) or handovers.pending(self.store):
                    await self.sender.drain()
                if self.clock() - last_refresh > timedelta(seconds=refresh_every):
                    last_refresh = self.clock()
                    await self.refresh()
                else:
                    await self.lease_keeper.keep()
            except CentralError as exc:
                if not isinstance(exc, Rejected):
                    self.breaker.record_failure()
            self.notify()

    # --- counter operations ----------------------------------------------------------------

    async def sell(self, order: Order, on_waiting: Callable[[], None] | None = None) -> Outcome:
        """A sale goes into its cashier's open shift (the drawer the cash lands in). With a
        payment code the provider is charged first; `on_waiting` is called while the customer
        is still confirming in the app."""
        shift = self.shifts.till_for(order.cashier_id)
        order = dataclasses.replace(order, shift_id=shift.id)
        if any(t.method in CODE_METHODS for t in order.tenders):
            return await self.code_till.sell(order, on_waiting)
        return await self.seller.sell(order)

    async def hold(self, showtime_id: str, seats: list[str]) -> str | None:
        return await self.seller.hold(showtime_id, seats)

    async def release_hold(self, hold_id: str) -> None:
        await self.seller.release_hold(hold_id)

    def find_bookings(self, query: str) -> list[cache.CachedBooking]:
        """Today's online bookings (as last cached) whose code or customer name contains
        `query`, case-insensitively, or whose phone number is it or ends with it (four digits
        or more): pickup by code, or by name or phone when the code is lost."""
        wanted = query.strip().casefold()
        if not wanted:
            return []
        return [
            b
            for b in cache.bookings(self.store)
            if wanted in b.booking.code.casefold()
            or wanted in b.booking.customer.casefold()
            or phone_matches(b.booking.phone, wanted)
        ]

    async def seat_view(self, showtime_id: str) -> SeatView:
        return await self.seller.seat_view(showtime_id)

    def quote(
        self, showtime_id: str, ticket_types: list[str], discounts: list[str | None] | None = None
    ) -> int:
        return self.seller.quote(showtime_id, ticket_types, discounts)

    async def pick_up(self, code: str, cashier_id: str) -> cache.CachedBooking:
        self.shifts.till_for(cashier_id)
        return await self.after_sale.pick_up(code, cashier_id)

    async def refund(
        self,
        sale_id: str,
        supervisor_id: str,
        pin: str,
        ticket_ids: list[str] | None = None,
        reason: str = "",
        cashier_id: str | None = None,
    ) -> sales.Sale:
        """The money goes back out of a drawer: `cashier_id`'s shift, or the only one open."""
        self.shifts.till_for(cashier_id)
        sale = await self.after_sale.refund(sale_id, supervisor_id, pin, ticket_ids, reason)
        await self.code_till.send_refunds()  # the wallet's share; retried at the next start
        return sale

    async def void(
        self,
        sale_id: str,
        supervisor_id: str,
        pin: str,
        reason: str = "",
        cashier_id: str | None = None,
    ) -> sales.Sale:
        self.shifts.till_for(cashier_id)
        sale = await self.after_sale.void(sale_id, supervisor_id, pin, reason)
        await self.code_till.send_refunds()
        return sale

    async def exchange(
        self,
        sale_id: str,
        seats: list[str],
        *,
        cashier_id: str,
        showtime_id: str | None = None,
        ticket_ids: list[str] | None = None,
        hold_id: str | None = None,
    ) -> Exchange:
        """Seats exchanged through `cashier_id`'s open shift (its drawer takes the difference)."""
        shift = self.shifts.till_for(cashier_id)
        return await self.after_sale.exchange(
            sale_id,
            seats,
            cashier_id=cashier_id,
            shift_id=shift.id,
            showtime_id=showtime_id,
            ticket_ids=ticket_ids,
            hold_id=hold_id,
        )

    def exchange_plan(self, sale_id: str, showtime_id: str | None = None) -> ExchangePlan:
        return self.after_sale.exchange_plan(sale_id, showtime_id)

    def reconcile_codes(self, statement: list[dict[str, Any]]) -> Reconciliation:
        """This terminal's payment-code charges against a provider's statement."""
        return self.code_till.reconcile(statement)

    async def reconcile_code_bills(self, day: date) -> Reconciliation:
        """This terminal's payment-code charges of `day` against the providers' own bills."""
        return self.code_till.reconcile(await self.code_till.bills(day), day)

    def reprint(self, sale_id: str) -> list[int]:
        return self.after_sale.reprint(sale_id)

    def sale(self, sale_id: str) -> sales.Sale:
        return self.after_sale.sale(sale_id)

    def recent_sales(self, limit: int = 50) -> list[sales.Sale]:
        """This terminal's latest sales, newest first, for refund, void and reprint."""
        return sales.list_sales(self.store)[::-1][:limit]

    def queued_for_print(self, sale_id: str) -> bool:
        """True until every ticket and the receipt of the sale came out of the printer."""
        return self.printer.unprinted(sale_id) > 0

    # --- printing --------------------------------------------------------------------------

    def print_pending(self, previews: Path | None = None) -> PrintRun:
        """Print what the queue holds (any thread; one run at a time)."""
        return self.printer.print_pending(previews)

    def preview_sale(self, sale_id: str, png: Path | None = None) -> str:
        """A stored sale's tickets and receipt as the printer would get them, as text."""
        sale = self.sale(sale_id)
        layouts: list[Any] = list(
            self.printer.ticket_faces(
                sale.showtime_id, sale.tickets, offline=sale.mode == "offline"
            )
        )
        layouts.append(self.printer.receipt_face(sale))
        return preview_text(layouts, self.printer.print_settings, png)
