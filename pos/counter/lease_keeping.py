"""Keeping seats leased: as many per showtime on sale as this counter will likely sell before
the central could come back (`contract.leasing.lease_target`: its own recent sales of the
showtime, the time left, the seats free, the counter allotment), released before the start so
the central can sell them to someone else.

Three moments change a lease besides the regular upkeep (`keep`):
- the central turns DEGRADED: `on_degraded` tops up the showtimes this counter is selling for
  the worse case (`brace`), before the central dies;
- the central recalls seats for online sale: `answer_recalls` releases the recalled seats not
  sold here through the outbox (a seat sold here is never given back);
- the start nears: unsold seats go back (`release_unsold`)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from contract.leasing import (
    BRACING_HEADROOM,
    HEADROOM,
    OUTAGE_HORIZON,
    RATE_WINDOW,
    Demand,
    allotment_seats,
    lease_target,
    sales_close,
    seats_per_hour,
)
from contract.models import (
    DEFAULT_COUNTER_SHARE,
    MAX_SEATS_PER_REQUEST,
    Lease,
    LeaseDemand,
    LeaseRequest,
    Showtime,
)
from offline import cache, leases, outbox
from offline.store import Store
from offline.values import from_iso, utc_iso
from pos.counter.today import Today
from pos.ports.errors import CentralError
from pos.ports.port import CentralPort

COUNTED_STATES = ("paid", "printed", "synced", "refunded")
"""Sales that show demand (a refund later does not undo that someone wanted the seat)."""
MAX_REQUESTS = 8
"""Lease requests per showtime in one round: a hot showtime reaches its target at once."""


class LeaseKeeper:
    def __init__(
        self,
        store: Store,
        port: CentralPort,
        today: Today,
        *,
        seats: int,
        release_minutes: int,
        horizon: timedelta = OUTAGE_HORIZON,
        rate_window: timedelta = RATE_WINDOW,
        recall_every: timedelta = timedelta(seconds=30),
        reask_after: timedelta = timedelta(seconds=60),
        brace_every: timedelta = timedelta(seconds=60),
    ) -> None:
        self.store = store
        self.port = port
        self.today = today
        self.seats = seats
        """The cold lease: seats kept for a showtime with no recent sales here (the policy's
        floor; demand raises it)."""
        self.cutoff = timedelta(minutes=release_minutes)
        """Unsold leased seats go back to the central this long before the start."""
        self.horizon = horizon
        """How long an outage the leases are sized for (a drill at ten times the pace passes
        a tenth)."""
        self.rate_window = rate_window
        """Sales of this long ago and since make the rate (a drill passes a tenth, too)."""
        self.recall_every = recall_every
        self.reask_after = reask_after
        self.brace_every = brace_every
        self._short: dict[str, tuple[int, datetime]] = {}
        """Showtimes whose last grant came short (allotment or house full): the target asked
        and when, so the counter does not ask again every round for what it cannot get."""
        self._recalls_read: datetime | None = None
        self._braced_at: datetime | None = None
        self.brace_task: asyncio.Task[dict[str, int]] | None = None
        """The brace `on_degraded` started, if any."""

    # --- what the policy is fed ------------------------------------------------------------

    def rates(self, now: datetime | None = None) -> dict[str, float]:
        """Seats per hour this counter sold of each showtime lately, offline sales included."""
        now = now or self.today.now()
        marks = ", ".join("?" * len(COUNTED_STATES))
        rows = self.store.db.execute(
            "SELECT showtime_id, created_at, json_array_length(lines) FROM sales"
            f" WHERE created_at >= ? AND state IN ({marks})",
            [utc_iso(now - self.rate_window), *COUNTED_STATES],
        ).fetchall()
        by_showtime: dict[str, list[tuple[datetime, int]]] = {}
        for showtime_id, at, seats in rows:
            by_showtime.setdefault(showtime_id, []).append((from_iso(at), seats))
        since = self.selling_since(now)
        return {
            st: seats_per_hour(sales, now, self.rate_window, since=since)
            for st, sales in by_showtime.items()
        }

    def selling_since(self, now: datetime) -> datetime | None:
        """When this counter opened for the stretch of selling the rate window sees: the first
        shift still open or closed within the window (None without shifts: then the rate is
        read over the whole window)."""
        row = self.store.db.execute(
            "SELECT MIN(opened_at) FROM shifts WHERE closed_at IS NULL OR closed_at >= ?",
            [utc_iso(now - self.rate_window)],
        ).fetchone()
        return from_iso(row[0]) if row and row[0] else None

    def target(
        self, st: Showtime, available: int, rate: float, now: datetime, *, bracing: bool = False
    ) -> int:
        """Seats this counter should hold unsold for the showtime, as far as it can tell (the
        central, which also knows the other counters, may grant fewer)."""
        allotment = st.counter_allotment
        if allotment is None:
            allotment = allotment_seats(st.capacity, DEFAULT_COUNTER_SHARE)
        return lease_target(
            Demand(
                seats_per_hour=rate,
                until_close=sales_close(st.start) - now,
                free=max(0, st.free) + available,
                allotment=allotment,
                floor=self.seats,
                horizon=self.horizon,
                headroom=BRACING_HEADROOM if bracing else HEADROOM,
            )
        )

    # --- upkeep ----------------------------------------------------------------------------

    async def keep(self, listed: Iterable[Lease] | None = None, only: str | None = None) -> None:
        """Answer recalls, top up showtimes still on sale to their target, release those too
        close to their start. `listed` is the central's current list of this terminal's
        leases when the caller just fetched it; otherwise it is read every `recall_every`.
        `only` keeps one showtime's lease (a one-shot `pos sell` after its sale)."""
        now = self.today.now()
        if listed is None and self._recalls_due(now):
            listed = await self.port.leases()
            for lease in listed:
                leases.put_lease(self.store, lease)
        if listed is not None:
            self._recalls_read = now
            self.answer_recalls(listed)
        rates = self.rates(now)
        for st in self.today.schedule().showtimes:
            if only is not None and st.id != only:
                continue
            if now >= st.start - self.cutoff:
                if leases.available_seats(self.store, st.id):
                    self.release_unsold(st.id)
                continue
            await self._top_up(st, rates.get(st.id, 0.0), now)

    def _recalls_due(self, now: datetime) -> bool:
        return self._recalls_read is None or now - self._recalls_read >= self.recall_every

    async def _top_up(self, st: Showtime, rate: float, now: datetime, bracing: bool = False) -> int:
        """Lease up to the target; returns the seats gained."""
        gained = 0
        for _ in range(MAX_REQUESTS):
            available = len(leases.available_seats(self.store, st.id))
            target = self.target(st, available, rate, now, bracing=bracing)
            if available >= target or st.free <= 0:
                break
            short = self._short.get(st.id)
            if short and short[0] >= target and now - short[1] < self.reask_after:
                break
            ask = min(target - available, MAX_SEATS_PER_REQUEST)
            demand = LeaseDemand(
                seats_per_hour=round(rate, 3),
                floor=self.seats,
                bracing=bracing,
                available=available,
            )
            lease = await self.port.lease(
                LeaseRequest(showtime_id=st.id, count=ask, demand=demand), key=uuid.uuid4().hex
            )
            leases.put_lease(self.store, lease)
            got = len(leases.available_seats(self.store, st.id)) - available
            gained += max(0, got)
            if cache.get_seat_map(self.store, st.id) is None:
                # The layout only helps pick seats together offline; a miss is retried next round.
                with contextlib.suppress(CentralError):
                    cache.put_seat_map(self.store, await self.port.seat_map(st.id))
            if got < ask:
                self._short[st.id] = (target, now)
                break
            self._short.pop(st.id, None)
        return gained

    # --- the central wobbles: lease for the outage now ---------------------------------------

    async def brace(self) -> dict[str, int]:
        """Top up, for the worse case, the showtimes this counter is selling (hottest first),
        while the central still answers. Returns the seats gained by showtime. A call that
        fails ends the round: the central is going, and what was leased stays leased."""
        now = self.today.now()
        self._braced_at = now
        rates = self.rates(now)
        selling = [
            st
            for st in self.today.schedule().showtimes
            if rates.get(st.id, 0.0) > 0 and now < st.start - self.cutoff
        ]
        selling.sort(key=lambda st: -rates[st.id])
        gained: dict[str, int] = {}
        for st in selling:
            try:
                gained[st.id] = await self._top_up(st, rates[st.id], now, bracing=True)
            except CentralError:
                break
        return gained

    def on_degraded(self) -> None:
        """For the Counter, on the first DEGRADED transition: brace in the background (at most
        once every `brace_every`; nothing to do outside a running event loop)."""
        if self.brace_task is not None and not self.brace_task.done():
            return
        now = self.today.now()
        if self._braced_at is not None and now - self._braced_at < self.brace_every:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._braced_at = now
        self.brace_task = loop.create_task(self.brace())
        self.brace_task.add_done_callback(_swallow)

    async def aclose(self) -> None:
        """Stop a brace still running (the Counter closing)."""
        if self.brace_task is not None and not self.brace_task.done():
            self.brace_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, CentralError):
                await self.brace_task

    # --- giving seats back -------------------------------------------------------------------

    def answer_recalls(self, listed: Iterable[Lease]) -> dict[str, list[str]]:
        """Release the recalled seats not sold here (through the outbox); sold ones are kept,
        and the central clears their recall when the sale reaches it."""
        given: dict[str, list[str]] = {}
        for lease in listed:
            if not lease.recalled:
                continue
            mine = set(leases.available_seats(self.store, lease.showtime_id))
            back = [s for s in lease.recalled if s in mine]
            if back:
                given[lease.showtime_id] = self.release_unsold(lease.showtime_id, back)
        return given

    def release_unsold(self, showtime_id: str, seats: list[str] | None = None) -> list[str]:
        """Release locally and queue the release for the central, in one transaction (all
        unsold seats of the showtime, or those of `seats` still unsold), lease by lease: a
        showtime may have this counter's own lease and leases peers handed over."""
        wanted = None if seats is None else set(seats)
        released: list[str] = []
        with self.store.atomic():
            for lease_id, mine in leases.available_by_lease(self.store, showtime_id).items():
                chosen = [s for s in mine if wanted is None or s in wanted]
                if not chosen:
                    continue
                done = leases.release(self.store, showtime_id, chosen)
                outbox.enqueue(
                    self.store, "release", uuid.uuid4().hex, {"lease_id": lease_id, "seats": done}
                )
                released += done
        return released


def _swallow(task: asyncio.Task[dict[str, int]]) -> None:
    """A background brace that failed changed nothing worth a traceback."""
    if not task.cancelled():
        task.exception()
