"""Errors of the terminal's store, as a small hierarchy.

Each carries a `code` IT can search for and a message a cashier or supervisor can act on;
`str(error)` ends with the code, as every error of the one root does.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from contract.errors import BoxOfficeError


class StoreError(BoxOfficeError):
    """Base of every error the offline store raises on purpose."""

    code = "STORE_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(None, message)


class StoreFull(StoreError):
    """The disk (or the store's size limit) is full: the change was rolled back whole."""

    code = "STORE_FULL"

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"the disk holding {path} is full; nothing was recorded. Free some space, then "
            "try again (every earlier sale is safe)."
        )
        self.path = path


class StoreUnavailable(StoreError):
    """The file could not be opened at all (missing folder rights, a directory, a lock)."""

    code = "STORE_UNAVAILABLE"

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"cannot open the terminal's store {path}: {why}")
        self.path = path


class StoreCorrupt(StoreError):
    """The file is not a healthy store; it is left exactly as found."""

    code = "STORE_CORRUPT"

    def __init__(self, path: Path, finding: str) -> None:
        super().__init__(
            f"the terminal's store {path} is damaged ({finding}). The file was not modified; "
            "restore from backup or move it aside, then start again."
        )
        self.path = path
        self.finding = finding


class StoreTooNew(StoreError):
    """The file was written by a newer version; an older one must not guess at its schema."""

    code = "STORE_TOO_NEW"

    def __init__(self, path: Path, unknown: Iterable[str], known: int) -> None:
        unknown = sorted(unknown)
        super().__init__(
            f"the terminal's store {path} was written by a newer version of Box Office POS "
            f"(schema steps {', '.join(unknown)}; this version knows {known}). Nothing was "
            "changed; install the newer version or open another store."
        )
        self.path = path
        self.unknown = tuple(unknown)


class NotFound(StoreError, LookupError):
    """A sale, outbox item or booking the caller named does not exist in this store."""

    code = "STORE_NOT_FOUND"


class DuplicateKey(StoreError):
    """An idempotency key was used twice; reusing one would make two operations look like one."""

    code = "STORE_DUPLICATE_KEY"

    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"{what} with idempotency key {key!r} already exists")
        self.key = key


class InvalidMoney(StoreError, ValueError):
    """Money must be a whole number of fen; a float or a stray negative is a bug, not a price."""

    code = "MONEY_INVALID"


class SeatNotLeased(StoreError):
    """Seats asked for are not available in this terminal's lease (sold, released, not leased)."""

    code = "SEAT_NOT_LEASED"

    def __init__(self, showtime_id: str, seats: Iterable[str], why: str = "") -> None:
        seats = tuple(seats)
        reason = why or "not available in this terminal's lease"
        super().__init__(
            f"seat{'s' if len(seats) != 1 else ''} {', '.join(seats)} of showtime "
            f"{showtime_id}: {reason}; choose other seats or go back online"
        )
        self.showtime_id = showtime_id
        self.seats = seats


class IllegalTransition(StoreError):
    """A state change the state machine does not allow (a sale or an outbox item)."""

    code = "STATE_ILLEGAL_TRANSITION"

    def __init__(self, what: str, current: str, wanted: str, hint: str = "") -> None:
        super().__init__(
            f"{what} is {current} and cannot become {wanted}" + (f"; {hint}" if hint else "")
        )
        self.current = current
        self.wanted = wanted


class AlreadyPickedUp(StoreError):
    """A booking handed out once must not be handed out twice."""

    code = "BOOKING_PICKED_UP"

    def __init__(self, code: str, at: str, by: str | None) -> None:
        super().__init__(f"booking {code} was already picked up at {at} by {by or 'unknown'}")
        self.booking_code = code
