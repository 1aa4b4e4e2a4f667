"""The reference central's HTTP surface (/v1). Routes only translate HTTP to the operations in
the sibling modules; the OpenAPI document FastAPI derives from them is the contract's text."""

import math
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from central import (
    bookings,
    catalog,
    handovers,
    leasing,
    offline_sync,
    reconciliation,
    selling,
    terminals,
)
from central.context import Clock, Context, utc_now
from central.db import Database
from central.drill import BodyLimit, DrillControl, DrillMiddleware
from central.errors import ApiError
from central.seeding import is_seeded, load_identity, seed
from central.seeds import load_seeds
from contract.handover import Handover, HandoverResult
from contract.models import (
    API_PREFIX,
    Booking,
    CancelRequest,
    CancelResult,
    DrillSettings,
    DrillState,
    Enrollment,
    EnrollmentRequest,
    ErrorBody,
    Health,
    Hold,
    HoldRequest,
    KeyRing,
    Lease,
    LeaseRecall,
    LeaseRecallRequest,
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

MAX_BODY = 2 * 1024 * 1024
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,80}$")
"""The same form as `contract.models.IdempotencyKey`: the key is echoed back in a Sale."""
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 413, 422)
}


def _error(status: int, code: str, message: str, detail: Any = None) -> JSONResponse:
    body = ErrorBody(code=code, message=message, detail=jsonable_encoder(detail))
    return JSONResponse(body.model_dump(), status_code=status)


def _bytes_text(raw: bytes) -> str:
    return raw[:200].decode("utf-8", "replace")


def _finite(number: float) -> float | str:
    """Python's json reads Infinity and NaN; echoing them back would not be JSON."""
    return number if math.isfinite(number) else str(number)


def create_app(
    db_path: Path,
    seeds_dir: Path,
    *,
    drill: bool = False,
    business_date: date | None = None,
    clock: Clock = utc_now,
) -> Any:
    """Build the ASGI app; seeds an empty database first. Returns the outermost ASGI layer."""
    db = Database(db_path)
    if not is_seeded(db):
        seed(db, load_seeds(seeds_dir), business_date, clock())
    cinema, key = load_identity(db)
    ctx = Context(db=db, key=key, cinema=cinema, clock=clock)
    control = DrillControl(clock)

    api = FastAPI(
        title="Box Office central ticketing API",
        version="1",
        docs_url=None,
        redoc_url=None,
        responses=ERRORS,
        max_body_size=MAX_BODY,  # BodyLimit sees only Content-Length; this counts chunked bodies
    )
    api.state.ctx = ctx

    @api.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message, exc.detail)

    @api.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()))
        # A body that is not JSON comes back as raw bytes in `input`, maybe not even UTF-8.
        readable = jsonable_encoder(errors, custom_encoder={bytes: _bytes_text, float: _finite})
        return _error(422, "INVALID_REQUEST", f"{where}: {first.get('msg')}", readable)

    @api.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = "BODY_TOO_LARGE" if exc.status_code == 413 else f"HTTP_{exc.status_code}"
        return _error(exc.status_code, code, str(exc.detail))

    def terminal(authorization: Annotated[str | None, Header()] = None) -> str:
        return terminals.terminal_for_token(ctx, authorization)

    def idem_key(
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> str:
        if not idempotency_key or not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise ApiError(
                400,
                "IDEMPOTENCY_KEY_REQUIRED",
                "Every change needs an Idempotency-Key header of 8 to 80 characters"
                " (letters, digits, _ . : -).",
            )
        return idempotency_key

    Terminal = Annotated[str, Depends(terminal)]
    Key = Annotated[str, Depends(idem_key)]
    v1 = API_PREFIX

    @api.get(f"{v1}/health", response_model=Health, tags=["health"])
    def health() -> Health:
        return Health(status="ok", time=ctx.now())

    guesses = terminals.Guesses()

    @api.post(f"{v1}/enrollments", response_model=Enrollment, tags=["terminals"])
    def enroll(req: EnrollmentRequest, request: Request) -> Enrollment:
        address = request.client.host if request.client else "unknown"
        return terminals.enroll(ctx, req, address, guesses)

    @api.get(f"{v1}/keys", response_model=KeyRing, tags=["terminals"])
    def keys(_: Terminal) -> KeyRing:
        return catalog.key_ring(ctx)

    @api.get(f"{v1}/refunded-tickets", response_model=RefundedTickets, tags=["sales"])
    def refunded_tickets(_: Terminal, day: date | None = None) -> RefundedTickets:
        return catalog.refunded_tickets(ctx, day)

    @api.get(f"{v1}/staff", response_model=list[StaffMember], tags=["terminals"])
    def staff(_: Terminal) -> list[StaffMember]:
        return catalog.staff(ctx)

    @api.get(f"{v1}/schedule", response_model=Schedule, tags=["schedule"])
    def schedule(request: Request, response: Response, _: Terminal, day: date | None = None) -> Any:
        body = catalog.schedule(ctx, day)
        etag = f'"{body.version}"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        response.headers["ETag"] = etag
        return body

    @api.get(f"{v1}/showtimes/{{showtime_id}}/seats", response_model=SeatMap, tags=["schedule"])
    def seat_map(showtime_id: str, _: Terminal) -> SeatMap:
        return catalog.seat_map(ctx, showtime_id)

    @api.post(f"{v1}/holds", response_model=Hold, tags=["sales"])
    def hold(req: HoldRequest, who: Terminal, key: Key) -> Hold:
        return selling.create_hold(ctx, who, key, req)

    @api.delete(f"{v1}/holds/{{hold_id}}", status_code=204, tags=["sales"])
    def release_hold(hold_id: str, who: Terminal) -> Response:
        selling.release_hold(ctx, who, hold_id)
        return Response(status_code=204)

    @api.post(f"{v1}/sales", response_model=Sale, tags=["sales"])
    def sell(req: SaleRequest, who: Terminal, key: Key) -> Sale:
        return selling.commit_sale(ctx, who, key, req)

    @api.get(f"{v1}/sales/by-key/{{sale_key}}", response_model=Sale, tags=["sales"])
    def sale_by_key(sale_key: str, who: Terminal) -> Sale:
        return selling.sale_for_key(ctx, who, sale_key)

    @api.get(f"{v1}/sales/{{sale_id}}", response_model=Sale, tags=["sales"])
    def get_sale(sale_id: str, who: Terminal) -> Sale:
        return selling.get_sale(ctx, who, sale_id)

    @api.post(f"{v1}/sales/cancellations", response_model=CancelResult, tags=["sales"])
    def cancel(req: CancelRequest, who: Terminal, key: Key) -> CancelResult:
        return selling.cancel_sale(ctx, who, key, req)

    @api.post(f"{v1}/sales/{{sale_id}}/refunds", response_model=Refund, tags=["sales"])
    def refund(sale_id: str, req: RefundRequest, who: Terminal, key: Key) -> Refund:
        return selling.refund_sale(ctx, who, key, sale_id, req)

    @api.get(f"{v1}/leases", response_model=list[Lease], tags=["leases"])
    def leases(who: Terminal) -> list[Lease]:
        return leasing.list_leases(ctx, who)

    @api.post(f"{v1}/leases", response_model=Lease, tags=["leases"])
    def lease(req: LeaseRequest, who: Terminal, key: Key) -> Lease:
        return leasing.lease_seats(ctx, who, key, req)

    @api.post(f"{v1}/leases/{{lease_id}}/top-ups", response_model=Lease, tags=["leases"])
    def top_up(lease_id: str, req: LeaseTopUp, who: Terminal, key: Key) -> Lease:
        return leasing.top_up(ctx, who, key, lease_id, req.count)

    @api.post(f"{v1}/leases/{{lease_id}}/releases", response_model=Lease, tags=["leases"])
    def release(lease_id: str, req: LeaseRelease, who: Terminal, key: Key) -> Lease:
        return leasing.release(ctx, who, key, lease_id, req)

    @api.post(
        f"{v1}/showtimes/{{showtime_id}}/lease-recalls", response_model=LeaseRecall, tags=["leases"]
    )
    def recall_leased(
        showtime_id: str, req: LeaseRecallRequest, who: Terminal, key: Key
    ) -> LeaseRecall:
        """Online demand needs seats the counters hold: ask them back (the online shop's or the
        back office's terminal of the same cinema calls this). Each terminal releases the
        recalled seats it has not sold at its next lease refresh; sold ones stay sold."""
        return leasing.recall(ctx, who, key, showtime_id, req)

    @api.post(f"{v1}/offline-sales", response_model=OfflineBatchResult, tags=["leases"])
    def offline_sales(batch: OfflineBatch, who: Terminal) -> OfflineBatchResult:
        return offline_sync.upload(ctx, who, batch)

    @api.post(f"{v1}/handovers", response_model=HandoverResult, tags=["leases"])
    def handover(req: Handover, who: Terminal) -> HandoverResult:
        """Seats a counter handed to another while the central was away, signed by the giver;
        idempotent by the handover's id (both sides upload it)."""
        return handovers.upload(ctx, who, req)

    @api.get(f"{v1}/bookings", response_model=list[Booking], tags=["bookings"])
    def list_bookings(_: Terminal, day: date | None = None) -> list[Booking]:
        return bookings.list_bookings(ctx, day)

    @api.get(f"{v1}/bookings/{{code}}", response_model=Booking, tags=["bookings"])
    def get_booking(code: str, _: Terminal) -> Booking:
        return bookings.get_booking(ctx, code)

    @api.post(f"{v1}/bookings/{{code}}/pickups", response_model=Booking, tags=["bookings"])
    def pick_up(code: str, req: PickupRequest, who: Terminal, key: Key) -> Booking:
        return bookings.pick_up(ctx, who, key, code, req)

    @api.post(f"{v1}/reconciliations", response_model=ReconciliationAnswer, tags=["end of day"])
    def reconcile(req: ReconciliationRequest, who: Terminal, _: Key) -> ReconciliationAnswer:
        return reconciliation.reconcile(ctx, who, req)

    @api.get(f"{v1}/drill", response_model=DrillState, tags=["drill"])
    def drill_state() -> DrillState:
        _drill_on()
        return control.state()

    @api.put(f"{v1}/drill", response_model=DrillState, tags=["drill"])
    def drill_set(settings: DrillSettings) -> DrillState:
        _drill_on()
        return control.apply(settings)

    def _drill_on() -> None:
        if not drill:
            raise ApiError(
                403, "DRILL_DISABLED", "Drill mode is off; start the central with --drill."
            )

    outer: Any = api
    if drill:
        outer = DrillMiddleware(outer, control)
    return BodyLimit(outer, MAX_BODY)
