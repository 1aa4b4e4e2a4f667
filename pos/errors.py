"""Errors a cashier or IT can act on: a code to search for and a message in plain words.

The CLI prints them on one line and exits 2; the TUI shows the message. Anything else is a bug."""

from __future__ import annotations


class PosError(Exception):
    def __init__(self, code: str, message: str, detail: object | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


class WrongPin(PosError):
    def __init__(self, who: str):
        super().__init__("WRONG_PIN", f"Wrong PIN for {who}.")


class SeatUnavailable(PosError):
    """The seats were taken by someone else (or are not in this terminal's lease offline)."""


class NotPaid(PosError):
    pass
