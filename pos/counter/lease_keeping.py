"""Keeping seats leased: enough per showtime on sale to serve a few parties offline, released
before the start so the central can sell them to someone else."""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta

from contract.models import LeaseRequest
from offline import cache, leases, outbox
from offline.store import Store
from pos.counter.today import Today
from pos.ports.errors import CentralError
from pos.ports.port import CentralPort


class LeaseKeeper:
    def __init__(
        self, store: Store, port: CentralPort, today: Today, *, seats: int, release_minutes: int
    ) -> None:
        self.store = store
        self.port = port
        self.today = today
        self.seats = seats
        """Seats kept leased per showtime on sale."""
        self.cutoff = timedelta(minutes=release_minutes)
        """Unsold leased seats go back to the central this long before the start."""

    async def keep(self) -> None:
        """Top up showtimes still on sale; release those too close to their start."""
        now = self.today.now()
        for st in self.today.schedule().showtimes:
            available = leases.available_seats(self.store, st.id)
            if now >= st.start - self.cutoff:
                if available:
                    self.release_unsold(st.id)
                continue
            if len(available) >= self.seats or st.free == 0:
                continue
            lease = await self.port.lease(
                LeaseRequest(showtime_id=st.id, count=self.seats - len(available)),
                key=uuid.uuid4().hex,
            )
            leases.put_lease(self.store, lease)
            if cache.get_seat_map(self.store, st.id) is None:
                # The layout only helps pick seats together offline; a miss is retried next round.
                with contextlib.suppress(CentralError):
                    cache.put_seat_map(self.store, await self.port.seat_map(st.id))

    def release_unsold(self, showtime_id: str) -> list[str]:
        """Release locally and queue the release for the central, in one transaction."""
        lease = leases.lease_for(self.store, showtime_id)
        if lease is None:
            return []
        with self.store.atomic():
            seats = leases.release(self.store, showtime_id)
            if seats:
                outbox.enqueue(
                    self.store,
                    "release",
                    uuid.uuid4().hex,
                    {"lease_id": lease.id, "seats": seats},
                )
        return seats
