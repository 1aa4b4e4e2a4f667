"""Wire types of the central contract (/v1).

One set of models, used by the reference central to validate requests and by the counter to
validate answers, so the two sides can never drift apart silently. Money is integer fen; every
time on the wire is an aware UTC datetime.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
)

API_PREFIX = "/v1"
SALES_CLOSE_AFTER_START = timedelta(minutes=15)
"""Late-comers may still buy a ticket for a quarter of an hour after the start; the central
enforces it, the counter, selling offline, follows the same rule, and a lease protects its seats
exactly as long (`contract.leasing.lease_protects`)."""
MAX_SEATS_PER_REQUEST = 50
MAX_BATCH = 500
DEFAULT_COUNTER_SHARE = 0.25
"""Share of a house the counters together may hold leased and unsold at once, unless the cinema
sets another per auditorium or showtime (`CounterAllotment`; the sizing is contract.leasing)."""

Fen = Annotated[int, Field(ge=0, le=10_000_000)]
SeatLabel = Annotated[
    str, StringConstraints(min_length=1, max_length=8, pattern=r"^[A-Z]{1,2}\d{1,3}$")
]
Ident = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
]
IdempotencyKey = Annotated[
    str, StringConstraints(min_length=8, max_length=80, pattern=r"^[A-Za-z0-9_.:-]+$")
]
ShortText = Annotated[str, StringConstraints(max_length=200)]


class Request(BaseModel):
    """Requests refuse unknown fields: a typo must fail loudly, not be ignored."""

    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    """Answers tolerate unknown fields so a newer central does not break older counters."""

    model_config = ConfigDict(extra="ignore")


class SeatKind(StrEnum):
    STANDARD = "standard"
    WHEELCHAIR = "wheelchair"
    COMPANION = "companion"
    LOVE = "love"
    VIP = "vip"


class SeatState(StrEnum):
    FREE = "free"
    HELD = "held"
    SOLD = "sold"
    LEASED = "leased"


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    ALIPAY = "alipay"
    WECHAT = "wechat"
    """Payment codes scanned at the counter; the reference is the merchant order number."""


class Channel(StrEnum):
    COUNTER = "counter"
    OFFLINE = "offline"
    ONLINE = "online"


class SyncResult(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"


class ErrorBody(Answer):
    """Every 4xx/5xx carries a code IT can search for and a message a cashier can read."""

    code: str
    message: str
    detail: object | None = None


# --- health and enrollment -------------------------------------------------------------------


class Health(Answer):
    status: str
    time: AwareDatetime


class EnrollmentRequest(Request):
    code: Annotated[str, StringConstraints(min_length=4, max_length=64)]
    public_key: Annotated[str, StringConstraints(min_length=40, max_length=64)]
    """Raw 32-byte Ed25519 public key, urlsafe base64."""


Share = Annotated[float, Field(ge=0, le=1)]


class CounterAllotment(Answer):
    """The cinema's counter allotment: the share of a house all counters together may hold
    leased and unsold at once (a share of the house kept for the counters' queues). The most
    specific setting wins: showtime, then auditorium, then `share`."""

    share: Share = DEFAULT_COUNTER_SHARE
    auditoriums: dict[str, Share] = {}
    showtimes: dict[str, Share] = {}

    def share_for(self, showtime_id: str, auditorium_id: str) -> float:
        if showtime_id in self.showtimes:
            return self.showtimes[showtime_id]
        return self.auditoriums.get(auditorium_id, self.share)


class Discount(Answer):
    """A price rule the cinema sets (seeds: `[[cinema.discounts]]`): a member price, a coupon
    the customer brings, a staff ticket. Exactly one of `percent_off`, `amount_off` and `price`
    says the rule; `contract.discounts.price_of` applies it, on the counter and the central."""

    code: Ident
    kind: Literal["member", "coupon", "staff"]
    name: str
    name_en: str
    percent_off: Annotated[int, Field(ge=1, le=100)] | None = None
    amount_off: Fen | None = None
    """Off each ticket, never below zero."""
    price: Fen | None = None
    """A fixed price per ticket (never above the ticket type's own)."""
    ticket_types: list[Ident] = Field(default_factory=list)
    """The ticket types it applies to; empty: every type."""


class Cinema(Answer):
    id: Ident
    name: str
    name_en: str
    timezone: str
    currency: str
    business_day_starts: str = "06:00"
    counter_allotment: CounterAllotment = Field(default_factory=CounterAllotment)
    discounts: list[Discount] = Field(default_factory=list)


class Enrollment(Answer):
    terminal_id: Ident
    key_id: str | None = None
    """The id this terminal's offline tickets name their key by: the terminal id at first,
    `T01.2` after its machine was replaced (older keys stay valid at the door)."""
    token: str
    cinema: Cinema
    central_key_id: str
    central_public_key: str


class PublicKey(Answer):
    key_id: str
    public_key: str


class KeyRing(Answer):
    keys: list[PublicKey]


class RefundedTickets(Answer):
    """Tickets of a business day refunded or voided anywhere (any counter, online): every door
    refuses them once its terminal has refreshed, not only the terminal that refunded them."""

    business_date: date
    ticket_ids: list[str]


# --- staff -----------------------------------------------------------------------------------


class StaffMember(Answer):
    id: Ident
    name: str
    role: str
    pin_hash: str
    """scrypt hash, so a counter can check a PIN while offline without ever storing it."""


# --- schedule and seat maps ------------------------------------------------------------------


class Film(Answer):
    id: Ident
    title: str
    title_en: str
    original_title: str | None = None
    year: int | None = None
    runtime_min: int
    rating: str


class TicketType(Answer):
    code: Ident
    name: str
    name_en: str


class Showtime(Answer):
    id: Ident
    film_id: Ident
    auditorium_id: Ident
    start: AwareDatetime
    end: AwareDatetime
    business_date: date
    prices: dict[str, Fen]
    festival: bool = False
    capacity: int
    free: int
    counter_allotment: int | None = None
    """Seats all counters together may hold leased and unsold now (None: a central that does
    not say; the terminal then assumes `DEFAULT_COUNTER_SHARE` of the capacity)."""


class AuditoriumSummary(Answer):
    id: Ident
    name: str
    name_en: str
    capacity: int


class Schedule(Answer):
    business_date: date
    version: str
    cinema: Cinema
    films: list[Film]
    auditoriums: list[AuditoriumSummary]
    ticket_types: list[TicketType]
    showtimes: list[Showtime]


class Seat(Answer):
    label: SeatLabel
    row: str
    number: int
    x: int
    y: int
    kind: SeatKind
    pair: SeatLabel | None = None
    """The other half of a love seat, or the companion of a wheelchair space."""


class Auditorium(Answer):
    id: Ident
    name: str
    name_en: str
    width: int
    height: int
    seats: list[Seat]


class SeatStatus(Answer):
    label: SeatLabel
    state: SeatState
    leased_to: str | None = None


class SeatMap(Answer):
    showtime_id: Ident
    auditorium: Auditorium
    seats: list[SeatStatus]


# --- holds and sales -------------------------------------------------------------------------


class HoldRequest(Request):
    showtime_id: Ident
    seats: Annotated[list[SeatLabel], Field(min_length=1, max_length=MAX_SEATS_PER_REQUEST)]
    ttl_seconds: Annotated[int, Field(ge=10, le=1800)] = 300


class Hold(Answer):
    id: Ident
    showtime_id: Ident
    seats: list[SeatLabel]
    expires_at: AwareDatetime


class _Discounted(BaseModel):
    """A line that may carry a discount code: the code is left out of the JSON when there is
    none, so an undiscounted line is byte for byte what it was before discounts (signatures
    and idempotency fingerprints of older terminals still match)."""

    discount: Ident | None = None
    """The cinema's discount the price was worked out with (`Cinema.discounts`)."""

    @model_serializer(mode="wrap")
    def _no_empty_discount(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        if data.get("discount") is None:
            data.pop("discount", None)
        return data


class SaleLine(_Discounted, Request):
    seat: SeatLabel
    ticket_type: Ident
    price: Fen


class Payment(Request):
    method: PaymentMethod
    amount: Fen
    reference: ShortText | None = None


class SaleRequest(Request):
    showtime_id: Ident
    hold_id: Ident | None = None
    cashier_id: Ident
    lines: Annotated[list[SaleLine], Field(min_length=1, max_length=MAX_SEATS_PER_REQUEST)]
    payments: Annotated[list[Payment], Field(min_length=1, max_length=8)]


class Ticket(Answer):
    id: Ident
    seat: SeatLabel
    ticket_type: Ident
    price: Fen
    code: str
    refunded: bool = False


class Sale(Answer):
    id: Ident
    idempotency_key: IdempotencyKey
    terminal_id: Ident | None
    showtime_id: Ident
    cashier_id: Ident | None = None
    channel: Channel
    total: Fen
    payments: list[Payment]
    tickets: list[Ticket]
    created_at: AwareDatetime
    status: str


class CancelRequest(Request):
    idempotency_key: IdempotencyKey
    """The key of the sale to cancel, which the central may never have seen."""


class CancelResult(Answer):
    idempotency_key: IdempotencyKey
    outcome: str
    """`cancelled`: a sale existed and is void; `tombstoned`: none existed, the key is now dead."""
    sale_id: Ident | None = None


class RefundRequest(Request):
    ticket_ids: Annotated[list[Ident], Field(max_length=MAX_SEATS_PER_REQUEST)] | None = None
    """None refunds every ticket of the sale still unrefunded."""
    reason: ShortText = ""


class Refund(Answer):
    id: Ident
    sale_id: Ident
    ticket_ids: list[Ident]
    amount: Fen
    created_at: AwareDatetime


# --- leases and offline sync -----------------------------------------------------------------


class LeaseDemand(Request):
    """What the terminal sized its request from (contract.leasing), so the central can size
    the grant by the same policy with what only it knows (the other terminals)."""

    seats_per_hour: Annotated[float, Field(ge=0, le=100_000)]
    """The terminal's recent sales rate for the showtime, offline sales included."""
    floor: Annotated[int, Field(ge=0, le=2000)]
    """The terminal's cold lease (its `lease_seats` setting)."""
    bracing: bool = False
    """The central looks DEGRADED to the terminal: size for the worse case."""
    available: Annotated[int, Field(ge=0, le=100_000)] | None = None
    """Seats of its lease the terminal still has unsold: fewer than the central counts while
    offline sales are on their way."""


class LeaseRequest(Request):
    showtime_id: Ident
    count: Annotated[int, Field(ge=1, le=MAX_SEATS_PER_REQUEST)]
    demand: LeaseDemand | None = None
    """None: grant `count` as asked, within the counter allotment (a counter that sizes
    nothing). Given: grant at most what `contract.leasing.lease_target` allows."""


class LeaseTopUp(Request):
    count: Annotated[int, Field(ge=1, le=MAX_SEATS_PER_REQUEST)]


class LeaseRelease(Request):
    seats: Annotated[list[SeatLabel], Field(max_length=2000)] | None = None
    """None releases every seat of the lease not sold."""


class Lease(Answer):
    id: Ident
    showtime_id: Ident
    terminal_id: Ident
    seats: list[SeatLabel]
    created_at: AwareDatetime
    recalled: list[SeatLabel] = []
    """Seats of `seats` the central asks back for online sale: the terminal releases those it
    has not sold (through its outbox); until then they stay its own."""


class LeaseRecallRequest(Request):
    count: Annotated[int, Field(ge=1, le=2000)]
    """Unsold leased seats wanted back for online sale."""


class LeaseRecall(Answer):
    showtime_id: Ident
    requested: int
    recalled: int
    """Seats asked back (fewer than requested when the counters hold fewer unsold)."""
    terminals: dict[str, int]
    """Seats asked back, by terminal."""
    counter_allotment: int
    """The showtime's counter allotment from now on (lowered by the recall)."""


class OfflineTicket(_Discounted, Request):
    id: Ident
    seat: SeatLabel
    ticket_type: Ident
    price: Fen
    code: Annotated[str, StringConstraints(max_length=1000)]


class OfflineSale(Request):
    idempotency_key: IdempotencyKey
    lease_id: Ident
    showtime_id: Ident
    cashier_id: Ident
    sold_at: AwareDatetime
    tickets: Annotated[list[OfflineTicket], Field(min_length=1, max_length=MAX_SEATS_PER_REQUEST)]
    payments: Annotated[list[Payment], Field(min_length=1, max_length=8)]
    signature: Annotated[str, StringConstraints(max_length=200)]
    """Terminal's Ed25519 signature over `offline_sale_signing_bytes(sale)`."""


class OfflineBatch(Request):
    sales: Annotated[list[OfflineSale], Field(min_length=1, max_length=MAX_BATCH)]


class OfflineSaleResult(Answer):
    idempotency_key: IdempotencyKey
    result: SyncResult
    sale_id: Ident | None = None
    reason: str | None = None


class OfflineBatchResult(Answer):
    results: list[OfflineSaleResult]


# --- bookings --------------------------------------------------------------------------------


class Booking(Answer):
    code: Ident
    showtime_id: Ident
    customer: str
    phone: str | None = None
    """The customer's mobile number as given when booking (`contract.phones`), if any."""
    tickets: list[Ticket]
    total: Fen
    status: str
    """`paid` or `picked_up`."""
    picked_up_by: str | None = None


class PickupRequest(Request):
    cashier_id: Ident
    picked_up_at: AwareDatetime | None = None


# --- reconciliation --------------------------------------------------------------------------


class ReportLine(Request):
    sale_id: Ident | None = None
    idempotency_key: IdempotencyKey
    total: int
    refunded: Fen = 0
    status: str


class CodeTrade(Request):
    """One payment-code charge as the provider numbered it (Alipay, WeChat Pay)."""

    provider: PaymentMethod
    out_trade_no: Ident
    trade_no: Ident | None
    sale_key: IdempotencyKey
    amount: Fen
    refunded: Fen = 0


class ReconciliationRequest(Request):
    kind: Annotated[str, StringConstraints(pattern=r"^(shift|day)$")]
    report_id: Ident
    business_date: date
    opened_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    sales_count: int
    gross: int
    refunds: int
    by_payment: dict[str, int]
    sales: Annotated[list[ReportLine], Field(max_length=100_000)]
    code_trades: Annotated[list[CodeTrade], Field(max_length=100_000)] = []
    """Payment-code charges of these sales, with the provider's trade numbers."""


class Difference(Answer):
    idempotency_key: str
    sale_id: str | None
    terminal_total: int | None
    central_total: int | None
    why: str


class ReconciliationAnswer(Answer):
    report_id: Ident
    terminal_id: Ident
    central_sales_count: int
    central_gross: int
    central_refunds: int
    central_by_payment: dict[str, int]
    differences: list[Difference]
    received_at: AwareDatetime


# --- drill mode (reference server only) ------------------------------------------------------


class FaultKind(StrEnum):
    LATENCY = "latency"
    ERROR = "error"
    HANG = "hang"
    RESET = "reset"
    MALFORMED = "malformed"
    SLOW_BODY = "slow_body"


class Fault(Request):
    kind: FaultKind
    path_prefix: str = "/v1/"
    """Which requests the fault touches; health included only if the prefix covers it."""
    probability: Annotated[float, Field(ge=0, le=1)] = 1.0
    latency_ms: Annotated[int, Field(ge=0, le=120_000)] = 0
    status: Annotated[int, Field(ge=400, le=599)] = 503


class Outage(Request):
    starts_in_s: Annotated[float, Field(ge=0, le=86_400)]
    length_s: Annotated[float, Field(gt=0, le=86_400)]
    kind: FaultKind = FaultKind.HANG


class DrillSettings(Request):
    faults: list[Fault] = []
    outage: Outage | None = None


class DrillState(Answer):
    faults: list[Fault]
    outage_from: datetime | None = None
    outage_until: datetime | None = None
