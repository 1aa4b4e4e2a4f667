"""Who is at the till: staff PINs checked against the cached staff list (so login works
offline), and the lock after repeated wrong PINs, kept per staff id in the store so it holds
for the TUI and every `pos` command alike (offline.lockouts)."""

from __future__ import annotations

import math

from contract import models
from contract.business_day import Clock
from contract.pins import verify_pin
from offline import cache, lockouts
from offline.store import Store
from pos.counter.errors import CounterError, PinLocked, WrongPin


class Staff:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def check_pin(self, staff_id: str, pin: str, *, supervisor: bool = False) -> models.StaffMember:
        """Every PIN the counter asks for comes here: login, sales from the command line,
        supervisor approvals. Wrong ones count against that staff id, known or not."""
        now = self.clock()
        until = lockouts.locked_until(self.store, staff_id, now)
        if until is not None:
            raise PinLocked(max(1, math.ceil((until - now).total_seconds())))
        member = cache.get_staff(self.store, staff_id)
        if member is None or not verify_pin(pin, member.pin_hash):
            until = lockouts.failed(self.store, staff_id, now)
            if until is not None:  # the wrong PIN that locks says so at once
                raise PinLocked(max(1, math.ceil((until - now).total_seconds())))
            raise WrongPin(staff_id)
        lockouts.succeeded(self.store, staff_id)
        if supervisor and member.role != "supervisor":
            raise CounterError("NOT_SUPERVISOR", f"{staff_id} is not a supervisor.")
        return member

    def log_in(self, staff_id: str, pin: str) -> models.StaffMember:
        return self.check_pin(staff_id, pin)
