"""The counter's HTTP client for the central contract (/v1).

Every call has a deadline; every answer is validated against the contract's models before
anything trusts it; every failure becomes one of a few named errors the failover logic can
reason about. Mutating calls take the idempotency key from the caller, who persisted it before
the first try, so a retry or a resend after a crash can never act twice."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from contract.handover import Handover, HandoverResult
from contract.models import (
    Booking,
    CancelRequest,
    CancelResult,
    Enrollment,
    EnrollmentRequest,
    ErrorBody,
    Health,
    Hold,
    HoldRequest,
    KeyRing,
    Lease,
    LeaseRelease,
    LeaseRequest,
    LeaseTopUp,
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
from pos.ports.calls import transport_errors, within_budget
from pos.ports.errors import (
    BadAnswer,
    CentralError,
    CentralTimeout,
    Conflict,
    Rejected,
    ServerFault,
    Unauthorized,
    Unreachable,
)

__all__ = [
    "BadAnswer",
    "CentralClient",
    "CentralError",
    "CentralTimeout",
    "Conflict",
    "Rejected",
    "ServerFault",
    "Unauthorized",
    "Unreachable",
]

MAX_ANSWER_BYTES = 8 * 1024 * 1024


T = TypeVar("T")


class CentralClient:
    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        connect_timeout: float = 1.0,
        read_timeout: float = 1.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.read_timeout = read_timeout
        self.http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
            ),
            transport=transport,
            limits=httpx.Limits(max_connections=10, max_keepalive_connections=5),
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> CentralClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _call(
        self,
        method: str,
        path: str,
        answer: Any,
        *,
        body: BaseModel | None = None,
        key: str | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        deadline: float | None = None,
    ) -> Any:
        """One call within `deadline` seconds, retrying only what never reached the central."""
        extra = dict(headers or {})
        if key is not None:
            extra["Idempotency-Key"] = key
        content = body.model_dump_json().encode() if body is not None else None
        if content is not None:
            extra["Content-Type"] = "application/json"
        budget = deadline if deadline is not None else self.read_timeout * 3
        return await within_budget(
            lambda: self._once(method, path, answer, content, extra, params),
            budget,
            f"{method} {path}",
        )

    async def _once(
        self,
        method: str,
        path: str,
        answer: Any,
        content: bytes | None,
        headers: dict[str, str],
        params: dict[str, str] | None,
    ) -> Any:
        with transport_errors("the central", path):
            request = self.http.build_request(
                method, path, content=content, headers=headers, params=params
            )
            response = await self.http.send(request, stream=True)
            try:
                raw = await self._read_capped(response)
            finally:
                await response.aclose()
        return self._decode(response, raw, answer, path)

    @staticmethod
    async def _read_capped(response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise BadAnswer("CENTRAL_BAD_ANSWER", "The central's answer is too large.")
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _decode(response: httpx.Response, raw: bytes, answer: Any, path: str) -> Any:
        status = response.status_code
        if status == 304:
            return None
        if status >= 500:
            raise ServerFault("CENTRAL_SERVER_ERROR", f"The central failed ({status}) on {path}.")
        try:
            data = json.loads(raw) if raw else None
        except ValueError as exc:
            if status >= 400:  # a proxy's HTML error page: still a refusal, just unexplained
                data = None
            else:
                raise BadAnswer(
                    "CENTRAL_BAD_ANSWER", f"The central's answer to {path} is not JSON."
                ) from exc
        if status >= 400:
            try:
                body = ErrorBody.model_validate(data)
            except ValidationError:
                body = ErrorBody(code=f"HTTP_{status}", message=f"The central refused ({status}).")
            if status == 409:
                raise Conflict(status, body)
            if status in (401, 403):
                raise Unauthorized(status, body)
            raise Rejected(status, body)
        if answer is None:
            return None
        try:
            return TypeAdapter(answer).validate_python(data)
        except ValidationError as exc:
            raise BadAnswer(
                "CENTRAL_BAD_ANSWER",
                f"The central's answer to {path} has the wrong shape: {exc.errors()[0]['msg']}.",
            ) from exc

    # --- the contract, one method per operation ---------------------------------------------

    async def health(self, deadline: float | None = None) -> Health:
        return await self._call("GET", "/v1/health", Health, deadline=deadline)

    async def enroll(self, code: str, public_key: str) -> Enrollment:
        req = EnrollmentRequest(code=code, public_key=public_key)
        return await self._call("POST", "/v1/enrollments", Enrollment, body=req)

    async def keys(self) -> KeyRing:
        return await self._call("GET", "/v1/keys", KeyRing)

    async def refunded_tickets(self, day: date | None = None) -> RefundedTickets:
        params = {"day": day.isoformat()} if day else None
        return await self._call("GET", "/v1/refunded-tickets", RefundedTickets, params=params)

    async def staff(self) -> list[StaffMember]:
        return await self._call("GET", "/v1/staff", list[StaffMember])

    async def schedule(self, day: date | None = None, etag: str | None = None) -> Schedule | None:
        """None means "not modified since `etag`"."""
        params = {"day": day.isoformat()} if day else None
        headers = {"If-None-Match": f'"{etag}"'} if etag else None
        return await self._call("GET", "/v1/schedule", Schedule, params=params, headers=headers)

    async def seat_map(self, showtime_id: str, deadline: float | None = None) -> SeatMap:
        path = f"/v1/showtimes/{showtime_id}/seats"
        return await self._call("GET", path, SeatMap, deadline=deadline)

    async def hold(self, req: HoldRequest, key: str, deadline: float | None = None) -> Hold:
        return await self._call("POST", "/v1/holds", Hold, body=req, key=key, deadline=deadline)

    async def release_hold(self, hold_id: str) -> None:
        await self._call("DELETE", f"/v1/holds/{hold_id}", None)

    async def sell(self, req: SaleRequest, key: str, deadline: float | None = None) -> Sale:
        return await self._call("POST", "/v1/sales", Sale, body=req, key=key, deadline=deadline)

    async def sale_by_key(self, sale_key: str) -> Sale:
        return await self._call("GET", f"/v1/sales/by-key/{sale_key}", Sale)

    async def cancel(self, sale_key: str, key: str) -> CancelResult:
        req = CancelRequest(idempotency_key=sale_key)
        return await self._call("POST", "/v1/sales/cancellations", CancelResult, body=req, key=key)

    async def refund(self, sale_id: str, req: RefundRequest, key: str) -> Refund:
        return await self._call("POST", f"/v1/sales/{sale_id}/refunds", Refund, body=req, key=key)

    async def leases(self) -> list[Lease]:
        return await self._call("GET", "/v1/leases", list[Lease])

    async def lease(self, req: LeaseRequest, key: str) -> Lease:
        return await self._call("POST", "/v1/leases", Lease, body=req, key=key)

    async def top_up(self, lease_id: str, count: int, key: str) -> Lease:
        req = LeaseTopUp(count=count)
        return await self._call("POST", f"/v1/leases/{lease_id}/top-ups", Lease, body=req, key=key)

    async def release(self, lease_id: str, req: LeaseRelease, key: str) -> Lease:
        path = f"/v1/leases/{lease_id}/releases"
        return await self._call("POST", path, Lease, body=req, key=key)

    async def upload_offline(self, batch: OfflineBatch) -> OfflineBatchResult:
        return await self._call(
            "POST",
            "/v1/offline-sales",
            OfflineBatchResult,
            body=batch,
            deadline=max(5.0, self.read_timeout * 4),
        )

    async def upload_handover(self, handover: Handover) -> HandoverResult:
        """Idempotent by the handover's id, which is the key."""
        return await self._call(
            "POST", "/v1/handovers", HandoverResult, body=handover, key=handover.id
        )

    async def bookings(self, day: date | None = None) -> list[Booking]:
        params = {"day": day.isoformat()} if day else None
        return await self._call("GET", "/v1/bookings", list[Booking], params=params)

    async def booking(self, code: str) -> Booking:
        return await self._call("GET", f"/v1/bookings/{code}", Booking)

    async def pick_up(self, code: str, req: PickupRequest, key: str) -> Booking:
        return await self._call("POST", f"/v1/bookings/{code}/pickups", Booking, body=req, key=key)

    async def reconcile(self, req: ReconciliationRequest, key: str) -> ReconciliationAnswer:
        return await self._call(
            "POST", "/v1/reconciliations", ReconciliationAnswer, body=req, key=key
        )
