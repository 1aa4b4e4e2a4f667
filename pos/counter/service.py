"""The headless counter: everything a cashier, a supervisor or a script can do, without a
terminal. The TUI and the CLI are thin layers over this class.

It sells through the central when the breaker allows and from this terminal's leased seats
when it does not, keeps leases topped up, drains the outbox, and recovers at start from
whatever a crash left behind."""

from __future__ import annotations

import asyncio
import dataclasses
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from contract import models
from contract.models import HoldRequest, PickupRequest
from contract.pins import verify_pin
from contract.ticket_code import public_key_text
from offline import cache, journal, leases, outbox, sales, shifts
from offline.errors import AlreadyPickedUp, NotFound, StoreCorrupt
from offline.store import Store
from offline.values import system_clock
from pos.counter.connectivity import Breaker, Mode
from pos.counter.errors import CounterError, SeatUnavailable, WrongPin
from pos.counter.home import Home, RuntimeState, Settings, load_state, save_state
from pos.counter.selling import Order, Outcome, prices_for, sell
from pos.ports import client_for
from pos.ports.central_client import CentralError, Conflict, Rejected
from pos.ports.port import CentralPort

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Status:
    mode: Mode
    outbox: int
    leases: dict[str, int]
    """Seats available to sell offline, by showtime."""
    journal_ok: bool
    business_date: str | None


class Counter:
    def __init__(
        self,
        home: Home,
        *,
        client: CentralPort | None = None,
        clock: Clock = system_clock,
        breaker: Breaker | None = None,
    ):
        self.home = home
        self.settings: Settings = home.load()
        self.key = home.key()
        self.clock = clock
        # pretix adapter: the settings say which central this terminal sells through
        self.client: CentralPort = client or client_for(self.settings)
        self.breaker = breaker or Breaker()
        self.state: RuntimeState = load_state(home)
        self.store: Store
        self.journal_check: journal.JournalCheck | None = None
        self._schedule: models.Schedule | None = None
        self.listeners: list[Callable[[], None]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self.breaker.listeners.append(self._mode_changed)

    # --- lifecycle -----------------------------------------------------------------------

    async def open(self) -> Counter:
        """Open and check the store, then finish or unwind whatever a crash interrupted."""
        try:
            self.store = Store.open(self.home.store_path, clock=self.clock)
        except StoreCorrupt as exc:
            raise CounterError(
                "STORE_CORRUPT", f"Refusing to sell: {exc.message}", str(exc.path)
            ) from exc
        self.journal_check = journal.verify(self.store)
        outbox.recover_in_flight(self.store)
        self._resume_unfinished()
        if self.state.mode == Mode.OFFLINE:
            self.breaker.trip()
        return self

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self.client.aclose()
        self._save_state()
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
            if sale.state in ("draft", "held"):
                with self.store.atomic():
                    if sale.mode == "online":
                        self._queue_cancel(sale.idempotency_key)
                    sales.advance(self.store, sale.id, "cancelled")
            else:
                self.after_paid(sale)

    def _queue_cancel(self, sale_key: str) -> None:
        outbox.enqueue(self.store, "cancel", f"{sale_key}-cancel", {"sale_key": sale_key})

    def after_paid(self, sale: sales.Sale) -> sales.Sale:
        """Hand the tickets to the printer; the print queue keeps them until they print."""
        from pos.counter.printing import queue_sale_tickets

        queue_sale_tickets(self, sale)
        return sales.advance(self.store, sale.id, "printed")

    def _mode_changed(self, mode: Mode) -> None:
        self.state.mode = mode.value
        self._save_state()
        self.notify()

    def notify(self) -> None:
        for listener in list(self.listeners):
            listener()

    def _save_state(self) -> None:
        save_state(self.home, self.state)

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
        """The day's schedule, parsed once per refresh: a sale asks for it several times."""
        if self._schedule is not None:
            return self._schedule
        day = self.state.business_date
        found = cache.get_schedule(self.store, date.fromisoformat(day)) if day else None
        if found is None:
            raise CounterError(
                "NO_SCHEDULE", "No schedule cached yet; connect to the central and run `pos sync`."
            )
        self._schedule = found.schedule
        return self._schedule

    def showtime(self, showtime_id: str) -> models.Showtime:
        for st in self.schedule().showtimes:
            if st.id == showtime_id:
                return st
        raise CounterError("UNKNOWN_SHOWTIME", f"No showtime {showtime_id!r} today.")

    def status(self) -> Status:
        return Status(
            mode=self.breaker.mode,
            outbox=outbox.depth(self.store),
            leases={s.showtime_id: s.available for s in leases.leases(self.store)},
            journal_ok=bool(self.journal_check and self.journal_check.ok),
            business_date=self.state.business_date,
        )

    def check_pin(self, staff_id: str, pin: str, *, supervisor: bool = False) -> models.StaffMember:
        member = cache.get_staff(self.store, staff_id)
        if member is None or not verify_pin(pin, member.pin_hash):
            raise WrongPin(staff_id)
        if supervisor and member.role != "supervisor":
            raise CounterError("NOT_SUPERVISOR", f"{staff_id} is not a supervisor.")
        return member

    # --- talking to the central ----------------------------------------------------------

    async def refresh(self) -> None:
        """Fetch schedule, staff, keys, bookings and leases, then top leases up."""
        from pos.counter.lease_keeping import keep_leases

        cached = None
        if self.state.business_date:
            cached = cache.get_schedule(self.store, date.fromisoformat(self.state.business_date))
        fresh = await self.client.schedule(etag=cached.etag if cached else None)
        if fresh is not None:
            cache.put_schedule(self.store, fresh, etag=fresh.version)
            self._schedule = fresh
            self.state.business_date = fresh.business_date.isoformat()
        cache.replace_staff(self.store, await self.client.staff())
        cache.put_public_keys(self.store, (await self.client.keys()).keys)
        cache.put_bookings(self.store, await self.client.bookings())
        for lease in await self.client.leases():
            leases.put_lease(self.store, lease)
        await keep_leases(self)
        self._save_state()
        self.notify()

    async def probe(self) -> bool:
        """One health check; after enough good ones, drain the outbox, then go ONLINE."""
        from pos.counter.sync import drain

        try:
            await self.client.health(deadline=self.settings.connect_timeout + 0.5)
        except CentralError:
            self.breaker.probe_failed()
            return False
        if self.breaker.probe_succeeded():
            # Close once everything queued before recovery went through; sales made during
            # the drain are left to the sync loop, or a busy counter would never come back.
            report = await drain(self, now=True)
            if report.error is None:
                self.breaker.close()
        return True

    async def probe_mode(self) -> Mode:
        """One timed health check, for a one-shot status: unreachable means OFFLINE, slow or
        with operations still queued means DEGRADED."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            await self.client.health(deadline=self.settings.connect_timeout + 0.5)
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

    # --- background upkeep (TUI, demo, drill) ----------------------------------------------

    def start_background(
        self, *, probe_every: float = 1.0, sync_every: float = 2.0, refresh_every: float = 60.0
    ) -> None:
        self._tasks.append(asyncio.create_task(self._probe_loop(probe_every)))
        self._tasks.append(asyncio.create_task(self._sync_loop(sync_every, refresh_every)))

    async def _probe_loop(self, every: float) -> None:
        while True:
            await asyncio.sleep(every * random.uniform(0.7, 1.3))
            if self.breaker.is_open:
                await self.probe()
                self.notify()

    async def _sync_loop(self, every: float, refresh_every: float) -> None:
        from pos.counter.lease_keeping import keep_leases
        from pos.counter.sync import drain

        last_refresh = self.clock()
        while True:
            await asyncio.sleep(every * random.uniform(0.8, 1.2))
            if self.breaker.is_open:
                continue
            try:
                if outbox.depth(self.store):
                    await drain(self)
                if self.clock() - last_refresh > timedelta(seconds=refresh_every):
                    last_refresh = self.clock()
                    await self.refresh()
                else:
                    await keep_leases(self)
            except CentralError as exc:
                if not isinstance(exc, Rejected):
                    self.breaker.record_failure()
            self.notify()

    # --- counter operations ----------------------------------------------------------------

    async def sell(self, order: Order) -> Outcome:
        # shifts: a sale made while its cashier's shift is open carries the shift's id
        if order.shift_id is None:
            shift = shifts.current(self.store, order.cashier_id)
            order = dataclasses.replace(order, shift_id=shift.id if shift else None)
        return await sell(self, order)

    async def pick_up(self, code: str, cashier_id: str) -> cache.CachedBooking:
        """Online when possible (so a second pickup elsewhere is refused at once); from the
        cached bookings otherwise, told to the central later under the same key."""
        key = uuid.uuid4().hex
        cached = cache.get_booking(self.store, code)
        if not self.breaker.is_open:
            try:
                booking = await self.client.pick_up(
                    code, PickupRequest(cashier_id=cashier_id), key=key
                )
            except Rejected as exc:
                raise CounterError(exc.code, exc.message, exc.detail) from exc
            except CentralError:
                self.breaker.record_failure()
            else:
                with self.store.atomic():
                    cache.put_bookings(self.store, [booking])
                    found = cache.get_booking(self.store, code)
                    assert found is not None
                    self._print_booking(found.booking, cashier_id)
                return found
        if cached is None:
            raise CounterError("UNKNOWN_BOOKING", f"No booking {code!r} in today's list.")
        with self.store.atomic():
            try:
                found = cache.mark_picked_up(self.store, code, cashier_id)
            except AlreadyPickedUp as exc:
                raise CounterError("ALREADY_PICKED_UP", exc.message) from exc
            outbox.enqueue(
                self.store,
                "pickup",
                key,
                {"code": code, "cashier_id": cashier_id, "picked_up_at": self.now().isoformat()},
            )
            self._print_booking(found.booking, cashier_id)
        self.notify()
        return found

    def _print_booking(self, booking: models.Booking, cashier_id: str) -> None:
        """Tickets to the printer and the pickup to the journal: call inside the transaction
        that records the pickup, so a crash can never keep one without the other."""
        from pos.counter.printing import queue_booking_tickets

        queue_booking_tickets(self, booking)
        # the cashier puts the pickup on that cashier's shift report
        journal.append(
            self.store, "pickup", payload={"code": booking.code, "cashier_id": cashier_id}
        )

    async def refund(
        self,
        sale_id: str,
        supervisor_id: str,
        pin: str,
        ticket_ids: list[str] | None = None,
        reason: str = "",
    ) -> sales.Sale:
        """Supervisor only. Recorded here at once; the central hears of it through the outbox."""
        self.check_pin(supervisor_id, pin, supervisor=True)
        sale = self._sale(sale_id)
        live = {t.id: t for t in sale.tickets if not t.refunded}
        wanted = ticket_ids or list(live)
        if not wanted or any(t not in live for t in wanted):
            raise CounterError(
                "NOTHING_TO_REFUND", "Those tickets are already refunded or not here."
            )
        amount = sum(live[t].price for t in wanted)
        with self.store.atomic():
            refunded = sales.mark_refunded(self.store, sale.id, wanted, amount, reason=reason)
            outbox.enqueue(
                self.store,
                "refund",
                uuid.uuid4().hex,
                {"sale_key": sale.idempotency_key, "ticket_ids": wanted, "reason": reason},
            )
        self.notify()
        return refunded

    async def void(
        self, sale_id: str, supervisor_id: str, pin: str, reason: str = ""
    ) -> sales.Sale:
        """Supervisor only: the whole sale is undone here and cancelled at the central."""
        self.check_pin(supervisor_id, pin, supervisor=True)
        sale = self._sale(sale_id)
        with self.store.atomic():
            voided = sales.mark_voided(self.store, sale.id, reason=reason, by=supervisor_id)
            self._queue_cancel(sale.idempotency_key)
        self.notify()
        return voided

    def reprint(self, sale_id: str) -> list[int]:
        """Tickets again, marked REPRINT, and the reprint journalled."""
        from pos.counter.printing import queue_reprint

        sale = self._sale(sale_id)
        with self.store.atomic():
            jobs = queue_reprint(self, sale)
            journal.append(self.store, "reprint", sale_id=sale.id, payload={"jobs": jobs})
        return jobs

    def _sale(self, sale_id: str) -> sales.Sale:
        try:
            return sales.get(self.store, sale_id)
        except NotFound as exc:
            raise CounterError("UNKNOWN_SALE", f"No sale {sale_id!r} at this terminal.") from exc

    def reconciled(self, answer: models.ReconciliationAnswer) -> None:
        """Keep the central's answer to a report beside the terminal's own copy."""
        folder = self.home.path / "reports"
        folder.mkdir(exist_ok=True)
        (folder / f"{answer.report_id}.central.json").write_text(answer.model_dump_json(indent=2))

    # --- for the TUI ---------------------------------------------------------------------------

    async def hold(self, showtime_id: str, seats: list[str]) -> str | None:
        """Hold chosen seats while the customer picks ticket types and pays; None when the
        central is away (the sale then goes on without a hold, and fails over if it must)."""
        if self.breaker.is_open:
            return None
        key = uuid.uuid4().hex
        try:
            hold = await self.client.hold(
                HoldRequest(showtime_id=showtime_id, seats=seats),
                key=key,
                deadline=self.settings.sale_budget,
            )
        except Conflict as exc:
            raise SeatUnavailable(exc.code, exc.message, exc.detail) from exc
        except Rejected as exc:
            raise CounterError(exc.code, exc.message, exc.detail) from exc
        except CentralError:
            self.breaker.record_failure()
            return None
        return hold.id

    @cached_property
    def _pin_guard(self) -> PinGuard:
        return PinGuard()

    def log_in(self, staff_id: str, pin: str) -> models.StaffMember:
        """Check a cashier's PIN at the counter, locking the terminal (not just that id, so
        guessing across ids gains nothing) for a while after repeated wrong PINs."""
        guard = self._pin_guard
        now = self.now()
        guard.check(now)
        try:
            member = self.check_pin(staff_id, pin)
        except WrongPin:
            guard.failed(now)
            guard.check(now)  # the wrong PIN that locks says so at once
            raise
        guard.succeeded()
        return member

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

    async def seat_view(self, showtime_id: str) -> SeatView:
        """The seat map to choose from: fresh from the central when it answers, else the cached
        copy, with the seats this terminal may sell now (free ones online; only its own
        leased ones offline)."""
        fresh: models.SeatMap | None = None
        if not self.breaker.is_open:
            try:
                fresh = await self.client.seat_map(showtime_id)
            except Rejected as exc:
                raise CounterError(exc.code, exc.message, exc.detail) from exc
            except CentralError:
                self.breaker.record_failure()
            else:
                cache.put_seat_map(self.store, fresh)
        seat_map = fresh
        if seat_map is None:
            cached = cache.get_seat_map(self.store, showtime_id)
            if cached is None:
                raise CounterError(
                    "NO_SEAT_MAP", "No seat map for this showtime while the central is away."
                )
            seat_map = cached.seat_map
        mine = frozenset(leases.available_seats(self.store, showtime_id))
        offline = fresh is None
        if offline:
            selectable = mine
        else:
            selectable = frozenset(s.label for s in seat_map.seats if s.state == "free")
        return SeatView(seat_map=seat_map, mine=mine, selectable=selectable, offline=offline)

    def quote(self, showtime_id: str, ticket_types: list[str]) -> int:
        """What a basket costs, in fen, at this showtime's prices."""
        return sum(prices_for(self, showtime_id, ticket_types))

    def recent_sales(self, limit: int = 50) -> list[sales.Sale]:
        """This terminal's latest sales, newest first, for refund, void and reprint."""
        return sales.list_sales(self.store)[::-1][:limit]


PIN_ATTEMPTS = 3
PIN_LOCKOUT = timedelta(seconds=30)


@dataclass
class PinGuard:
    """Wrong PINs in a row at this terminal; after PIN_ATTEMPTS it is locked for PIN_LOCKOUT."""

    failures: int = 0
    locked_until: datetime | None = None

    def check(self, now: datetime) -> None:
        if self.locked_until is not None and now < self.locked_until:
            seconds = max(1, int((self.locked_until - now).total_seconds() + 0.999))
            raise CounterError(
                "PIN_LOCKED",
                f"Too many wrong PINs: locked, try again in {seconds} s.",
                {"seconds": seconds},
            )

    def failed(self, now: datetime) -> None:
        self.failures += 1
        if self.failures >= PIN_ATTEMPTS:
            self.failures = 0
            self.locked_until = now + PIN_LOCKOUT

    def succeeded(self) -> None:
        self.failures = 0
        self.locked_until = None


@dataclass(frozen=True, slots=True)
class SeatView:
    """A seat map with what this terminal may sell from it right now."""

    seat_map: models.SeatMap
    mine: frozenset[str]
    """This terminal's leased seats still unsold."""
    selectable: frozenset[str]
    offline: bool
    """True when the map came from the cache (the central did not answer or is away)."""
