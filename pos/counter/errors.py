"""The counter's own refusals (a wrong PIN, seats taken, a sale not paid, a showtime not on
sale): codes and messages under the one error root, told apart from what the central, the store
or the printer said by their class, not by parsing text."""

from __future__ import annotations

from contract.errors import BoxOfficeError


class CounterError(BoxOfficeError):
    code = "COUNTER_ERROR"


class WrongPin(CounterError):
    def __init__(self, who: str):
        super().__init__("WRONG_PIN", f"Wrong PIN for {who}.")


class PinLocked(CounterError):
    """Too many wrong PINs in a row: the till is locked for `seconds`."""

    def __init__(self, seconds: int):
        super().__init__(
            "PIN_LOCKED",
            f"Too many wrong PINs: locked, try again in {seconds} s.",
            {"seconds": seconds},
        )
        self.seconds = seconds


class SeatUnavailable(CounterError):
    """The seats were taken by someone else (or are not in this terminal's lease offline)."""


class NotPaid(CounterError):
    pass
