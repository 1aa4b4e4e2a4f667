"""Keeping seats leased: enough per showtime on sale to serve a few parties offline, released
before the start so the central can sell them to someone else."""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from contract.models import LeaseRelease, LeaseRequest
from offline import cache, leases, outbox
from pos.ports.central_client import CentralError

if TYPE_CHECKING:
    from pos.counter.service import Counter


async def keep_leases(counter: Counter) -> None:
    """Top up showtimes still on sale; release those too close to their start."""
    cutoff = timedelta(minutes=counter.settings.lease_release_minutes)
    now = counter.now()
    want = counter.settings.lease_seats
    for st in counter.schedule().showtimes:
        available = leases.available_seats(counter.store, st.id)
        if now >= st.start - cutoff:
            if available:
                release_unsold(counter, st.id)
            continue
        if len(available) >= want or st.free == 0:
            continue
        lease = await counter.client.lease(
            LeaseRequest(showtime_id=st.id, count=want - len(available)), key=uuid.uuid4().hex
        )
        leases.put_lease(counter.store, lease)
        if cache.get_seat_map(counter.store, st.id) is None:
            # The layout only helps pick seats together offline; a miss is retried next round.
            with contextlib.suppress(CentralError):
                cache.put_seat_map(counter.store, await counter.client.seat_map(st.id))
    if counter.settings.unprotected_leases:
        await _unprotect(counter)


async def _unprotect(counter: Counter) -> None:
    """The broken build (see Settings.unprotected_leases): the central forgets every lease
    while this terminal goes on selling its seats offline."""
    for held in leases.leases(counter.store):
        await counter.client.release(held.lease_id, LeaseRelease(seats=None), key=uuid.uuid4().hex)


def release_unsold(counter: Counter, showtime_id: str) -> list[str]:
    """Release locally and queue the release for the central, in one transaction."""
    lease = leases.lease_for(counter.store, showtime_id)
    if lease is None:
        return []
    with counter.store.atomic():
        seats = leases.release(counter.store, showtime_id)
        if seats:
            outbox.enqueue(
                counter.store,
                "release",
                uuid.uuid4().hex,
                {"lease_id": lease.id, "seats": seats},
            )
    return seats
