"""Who is at the till: staff PINs checked against the cached staff list (so login works
offline), and the lock after repeated wrong PINs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from contract import models
from contract.business_day import Clock
from contract.pins import verify_pin
from offline import cache
from offline.store import Store
from pos.counter.errors import CounterError, PinLocked, WrongPin

PIN_ATTEMPTS = 3
PIN_LOCKOUT = timedelta(seconds=30)


@dataclass
class PinGuard:
    """Wrong PINs in a row at this terminal; after PIN_ATTEMPTS it is locked for PIN_LOCKOUT."""

    failures: int = 0
    locked_until: datetime | None = None

    def check(self, now: datetime) -> None:
        if self.locked_until is not None and now < self.locked_until:
            seconds = max(1, int((self.locked_until - now).total_seconds() + 0.999))
            raise PinLocked(seconds)

    def failed(self, now: datetime) -> None:
        self.failures += 1
        if self.failures >= PIN_ATTEMPTS:
            self.failures = 0
            self.locked_until = now + PIN_LOCKOUT

    def succeeded(self) -> None:
        self.failures = 0
        self.locked_until = None


class Staff:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.guard = PinGuard()

    def check_pin(self, staff_id: str, pin: str, *, supervisor: bool = False) -> models.StaffMember:
        member = cache.get_staff(self.store, staff_id)
        if member is None or not verify_pin(pin, member.pin_hash):
            raise WrongPin(staff_id)
        if supervisor and member.role != "supervisor":
            raise CounterError("NOT_SUPERVISOR", f"{staff_id} is not a supervisor.")
        return member

    def log_in(self, staff_id: str, pin: str) -> models.StaffMember:
        """Check a cashier's PIN at the counter, locking the terminal (not just that id, so
        guessing across ids gains nothing) for a while after repeated wrong PINs."""
        now = self.clock()
        self.guard.check(now)
        try:
            member = self.check_pin(staff_id, pin)
        except WrongPin:
            self.guard.failed(now)
            self.guard.check(now)  # the wrong PIN that locks says so at once
            raise
        self.guard.succeeded()
        return member
