"""The deliberately broken build the festival drill must catch: a port onto the central that
gives every lease back as soon as it is taken (or listed), while the terminal goes on selling
its seats offline. The drill must then report double-sold seats; that is how we know its check
can fail. It lives here, not in the counter's settings, so no real counter can switch it on."""

from __future__ import annotations

import uuid
from typing import Any

from contract.models import Lease, LeaseRelease, LeaseRequest
from pos.ports.port import CentralPort


class UnprotectedLeases:
    def __init__(self, inner: CentralPort) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def _forget(self, lease: Lease) -> None:
        await self.inner.release(lease.id, LeaseRelease(seats=None), key=uuid.uuid4().hex)

    async def lease(self, request: LeaseRequest, key: str) -> Lease:
        lease = await self.inner.lease(request, key=key)
        await self._forget(lease)
        return lease

    async def leases(self) -> list[Lease]:
        held = await self.inner.leases()
        for lease in held:
            await self._forget(lease)
        return held
