"""Asking a printer how it is, with `DLE EOT n`, without trusting silence.

python-escpos's `paper_status()` reads an empty reply as "plenty of paper", and a printer switched
off mid-job raises nothing (python-escpos issue #253). Here every query reads its own one-byte
reply, stale bytes are drained first, and no reply is UNKNOWN, which blocks printing on any link
that can report status.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from printer.strings import Lang, text

if TYPE_CHECKING:
    from escpos.escpos import Escpos

DLE_EOT = b"\x10\x04"
PRINTER_STATUS, OFFLINE_CAUSE, PAPER_SENSOR = 1, 2, 4

OFFLINE_BIT = 0x08
COVER_OPEN_BIT = 0x04
PAPER_STOP_BIT = 0x20
PAPER_NEAR_END_BITS = 0x0C
PAPER_END_BITS = 0x60
FIXED_MASK, FIXED_BITS = 0x93, 0x12
"""Bits 0, 1, 4 and 7 of every Epson status byte are fixed: 0, 1, 1, 0."""


class PrinterState(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    UNKNOWN = "unknown"


_KEYS = {
    "PRINTER_OK": "status_ok",
    "PRINTER_OFFLINE": "status_offline",
    "PRINTER_UNREACHABLE": "status_unreachable",
    "PRINTER_PAPER_OUT": "status_paper_out",
    "PRINTER_COVER_OPEN": "status_cover_open",
    "PRINTER_NO_ANSWER": "status_no_answer",
    "PRINTER_CONNECTION_LOST": "status_connection_lost",
    "PRINTER_NO_STATUS": "status_not_reported",
}


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """What the cashier sees (`message(lang)`) and IT searches for (`code`)."""

    state: PrinterState
    code: str
    paper_low: bool = False
    detail: str = ""
    """Technical detail for logs (an OS error, the raw status byte)."""

    @property
    def ok(self) -> bool:
        """May a job be sent? Also true where the link cannot report status at all."""
        return self.state is PrinterState.ONLINE or self.code == "PRINTER_NO_STATUS"

    def message(self, lang: Lang = "en") -> str:
        words = text(_KEYS[self.code], lang)
        return f"{words} {text('paper_low', lang)}" if self.paper_low else words

    def __str__(self) -> str:
        return f"{self.message()} [{self.code}]"


ONLINE = PrinterStatus(PrinterState.ONLINE, "PRINTER_OK")
NOT_REPORTED = PrinterStatus(PrinterState.UNKNOWN, "PRINTER_NO_STATUS")


def unreachable(detail: str) -> PrinterStatus:
    return PrinterStatus(PrinterState.OFFLINE, "PRINTER_UNREACHABLE", detail=detail)


def connection_lost(detail: str) -> PrinterStatus:
    return PrinterStatus(PrinterState.OFFLINE, "PRINTER_CONNECTION_LOST", detail=detail)


def query(device: Escpos) -> PrinterStatus:
    """Status of an open ESC/POS device that answers `DLE EOT` (network, serial, USB)."""
    try:
        _drain(device)
        printer = _ask(device, PRINTER_STATUS)
        if printer is None:
            return PrinterStatus(PrinterState.UNKNOWN, "PRINTER_NO_ANSWER")
        paper = _ask(device, PAPER_SENSOR)
        if paper is None:
            return PrinterStatus(PrinterState.UNKNOWN, "PRINTER_NO_ANSWER")
        cause = _ask(device, OFFLINE_CAUSE) if printer & OFFLINE_BIT else 0
    except OSError as exc:
        return connection_lost(str(exc))
    detail = f"status={printer:#04x} paper={paper:#04x} cause={cause or 0:#04x}"
    low = bool(paper & PAPER_NEAR_END_BITS)
    if paper & PAPER_END_BITS or (cause or 0) & PAPER_STOP_BIT:
        return PrinterStatus(PrinterState.PAPER_OUT, "PRINTER_PAPER_OUT", detail=detail)
    if (cause or 0) & COVER_OPEN_BIT:
        return PrinterStatus(PrinterState.COVER_OPEN, "PRINTER_COVER_OPEN", detail=detail)
    if printer & OFFLINE_BIT or cause is None:
        return PrinterStatus(PrinterState.OFFLINE, "PRINTER_OFFLINE", detail=detail)
    return PrinterStatus(PrinterState.ONLINE, "PRINTER_OK", paper_low=low, detail=detail)


def query_cups(device: Escpos) -> PrinterStatus:
    """CUPS knows only whether its queue accepts jobs: stopped (5) is offline, 3/4 are fine."""
    try:
        info = device.printers.get(device.printer_name, {})  # type: ignore[attr-defined]
    except Exception as exc:  # cups.IPPError and friends
        return unreachable(str(exc))
    state = info.get("printer-state")
    if state in (3, 4):
        return ONLINE
    detail = str(info.get("printer-state-message", ""))
    if state == 5:
        return PrinterStatus(PrinterState.OFFLINE, "PRINTER_OFFLINE", detail=detail)
    return PrinterStatus(PrinterState.UNKNOWN, "PRINTER_NO_ANSWER", detail=detail)


def _ask(device: Escpos, n: int) -> int | None:
    """One status byte, or None for silence or a reply that is not a status byte."""
    device._raw(DLE_EOT + bytes((n,)))
    try:
        reply = device._read()
    except OSError as exc:
        if isinstance(exc, TimeoutError) or type(exc).__name__ == "USBTimeoutError":
            return None
        raise
    if not reply:
        if isinstance(getattr(device, "device", None), socket.socket):
            raise ConnectionError("the printer closed the connection")
        return None  # serial ports read b"" on timeout
    byte = reply[-1]
    return byte if byte & FIXED_MASK == FIXED_BITS else None


def _drain(device: Escpos) -> None:
    """Throw away replies that arrived late, so each answer is matched to its question."""
    sock = getattr(device, "device", None)
    if not isinstance(sock, socket.socket):
        return
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        while sock.recv(64):
            pass
    except (BlockingIOError, InterruptedError):
        pass
    finally:
        sock.settimeout(timeout)
