"""The port the Counter sells through: what it needs from a central, whoever runs it.

`CentralClient` speaks our own contract; an adapter for another ticketing system (pretix)
implements the same methods, takes and answers the same contract models, and raises the same
errors (`pos.ports.central_client.CentralError` and its subclasses), so selling, failover, sync and
end of day work unchanged."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from contract.handover import Handover, HandoverResult
from contract.models import (
    Booking,
    CancelResult,
    Health,
    Hold,
    HoldRequest,
    KeyRing,
    Lease,
    LeaseRelease,
    LeaseRequest,
    OfflineBatch,
    OfflineBatchResult,
    PickupRequest,
    ReconciliationAnswer,
    ReconciliationRequest,
    Refund,
    RefundedTickets,
    RefundRequest,
    Sale,
    SaleRequest,
    Schedule,
    SeatMap,
    StaffMember,
)


class CentralPort(Protocol):
    async def aclose(self) -> None: ...

    async def health(self, deadline: float | None = None) -> Health: ...

    async def keys(self) -> KeyRing: ...

    async def staff(self) -> list[StaffMember]: ...

    async def refunded_tickets(self, day: date | None = None) -> RefundedTickets: ...

    async def schedule(
        self, day: date | None = None, etag: str | None = None
    ) -> Schedule | None: ...

    async def seat_map(self, showtime_id: str, deadline: float | None = None) -> SeatMap: ...

    async def hold(self, req: HoldRequest, key: str, deadline: float | None = None) -> Hold: ...

    async def release_hold(self, hold_id: str) -> None: ...

    async def sell(self, req: SaleRequest, key: str, deadline: float | None = None) -> Sale: ...

    async def sale_by_key(self, sale_key: str) -> Sale: ...

    async def cancel(self, sale_key: str, key: str) -> CancelResult: ...

    async def refund(self, sale_id: str, req: RefundRequest, key: str) -> Refund: ...

    async def leases(self) -> list[Lease]: ...

    async def lease(self, req: LeaseRequest, key: str) -> Lease: ...

    async def release(self, lease_id: str, req: LeaseRelease, key: str) -> Lease: ...

    async def upload_offline(self, batch: OfflineBatch) -> OfflineBatchResult: ...

    async def upload_handover(self, handover: Handover) -> HandoverResult: ...

    async def bookings(self, day: date | None = None) -> list[Booking]: ...

    async def pick_up(self, code: str, req: PickupRequest, key: str) -> Booking: ...

    async def reconcile(self, req: ReconciliationRequest, key: str) -> ReconciliationAnswer: ...
