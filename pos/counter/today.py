"""What the counter knows of the business day it sells: the schedule the central last sent
(parsed once per refresh, since a sale asks for it several times), its showtimes, and the
cinema's day boundary and zone. Every collaborator that needs "today" is handed this."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from contract import models
from contract.business_day import DEFAULT_DAY_STARTS, Clock, business_date_of
from offline import cache
from offline.store import Store
from pos.counter.errors import CounterError


class Today:
    def __init__(self, store: Store, zone: ZoneInfo, clock: Clock, selling: str | None) -> None:
        self.store = store
        self.zone = zone
        self.clock = clock
        self.selling = selling
        """The business date the central's schedule is for (ISO), as it last said."""
        self._schedule: models.Schedule | None = None

    def now(self) -> datetime:
        return self.clock()

    def schedule(self) -> models.Schedule:
        if self._schedule is not None:
            return self._schedule
        found = (
            cache.get_schedule(self.store, date.fromisoformat(self.selling))
            if self.selling
            else None
        )
        if found is None:
            raise CounterError(
                "NO_SCHEDULE", "No schedule cached yet; connect to the central and run `pos sync`."
            )
        self._schedule = found.schedule
        return self._schedule

    def cached(self) -> cache.CachedSchedule | None:
        """The cached schedule with its ETag, to revalidate against the central."""
        if not self.selling:
            return None
        return cache.get_schedule(self.store, date.fromisoformat(self.selling))

    def replace(self, fresh: models.Schedule) -> None:
        """A fresh schedule from the central: cache it and sell from it."""
        cache.put_schedule(self.store, fresh, etag=fresh.version)
        self._schedule = fresh
        self.selling = fresh.business_date.isoformat()

    def showtime(self, showtime_id: str) -> models.Showtime:
        for st in self.schedule().showtimes:
            if st.id == showtime_id:
                return st
        raise CounterError("UNKNOWN_SHOWTIME", f"No showtime {showtime_id!r} today.")

    def day_starts(self) -> time:
        """The cinema's day boundary, from the cached schedule (the seed's 06:00 before one)."""
        try:
            return time.fromisoformat(self.schedule().cinema.business_day_starts)
        except CounterError:
            return DEFAULT_DAY_STARTS

    def business_date(self, moment: datetime | None = None) -> date:
        return business_date_of(moment or self.clock(), self.zone, self.day_starts())
