"""Builders shared by the offline store tests: a clock that stands still, leases, offline sales."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from contract import models

START = datetime(2025, 6, 14, 0, 30, tzinfo=UTC)


class FakeClock:
    """A clock that stands still until told to move, so stored times are exact."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_lease(
    seats: Sequence[str], *, lease_id: str = "L1", showtime_id: str = "S1"
) -> models.Lease:
    return models.Lease(
        id=lease_id, showtime_id=showtime_id, terminal_id="T1", seats=list(seats), created_at=START
    )


def make_offline_sale(
    seats_prices: Sequence[tuple[str, int]],
    *,
    key: str = "sale-key-0001",
    lease_id: str = "L1",
    showtime_id: str = "S1",
    payments: Sequence[models.Payment] | None = None,
) -> models.OfflineSale:
    total = sum(price for _, price in seats_prices)
    return models.OfflineSale(
        idempotency_key=key,
        lease_id=lease_id,
        showtime_id=showtime_id,
        cashier_id="cashier-1",
        sold_at=START,
        tickets=[
            models.OfflineTicket(
                id=f"{key}-{seat}", seat=seat, ticket_type="adult", price=price, code=f"BO1.{seat}"
            )
            for seat, price in seats_prices
        ],
        payments=list(payments)
        if payments is not None
        else [models.Payment(method=models.PaymentMethod.CASH, amount=total)],
        signature="test-signature",
    )
