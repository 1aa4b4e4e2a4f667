"""One configured printer: a connection setting plus the paper settings, opened on demand.

The print queue drives it in three steps (status, send, status) so that it can record a job as
`printing` before the first byte leaves and as `printed` only after the printer says it is fine.
A broken connection is closed and reopened on the next call, never reused.
"""

from __future__ import annotations

import contextlib

from escpos.escpos import Escpos

from printer import status as printer_status
from printer.connection import ConnectionSpec, open_escpos, parse_setting
from printer.errors import PrinterConnectionError
from printer.layout import Layout
from printer.render import render_layout
from printer.settings import PrintSettings
from printer.status import PrinterStatus

CHUNK = 4096
"""Bytes per write: a socket timeout then bounds each chunk, not a whole image-heavy report."""


class Printer:
    def __init__(
        self,
        setting: str | ConnectionSpec,
        settings: PrintSettings | None = None,
        profile: str | None = None,
    ) -> None:
        self.spec = parse_setting(setting) if isinstance(setting, str) else setting
        self.settings = settings or PrintSettings()
        self.profile = profile
        self._device: Escpos | None = None

    @property
    def reads_status(self) -> bool:
        return self.spec.reads_status

    @property
    def output(self) -> bytes:
        """Everything sent so far, for a `dummy:` printer (demo and tests)."""
        return self._device.output if self._device is not None else b""  # type: ignore[attr-defined]

    def render(self, layout: Layout) -> bytes:
        return render_layout(layout, self.settings)

    def status(self) -> PrinterStatus:
        """Current status; never raises: an unreachable printer is a status, not an error."""
        try:
            device = self._open()
        except PrinterConnectionError as exc:
            return printer_status.unreachable(exc.message)
        if not self.reads_status:
            return printer_status.NOT_REPORTED
        if self.spec.kind == "cups":
            result = printer_status.query_cups(device)
        else:
            result = printer_status.query(device)
        if result.code == "PRINTER_CONNECTION_LOST":
            self.close()
        return result

    def send(self, data: bytes) -> None:
        """Write one job; raises PrinterConnectionError if the link fails part way."""
        device = self._open()
        try:
            for start in range(0, len(data), CHUNK):
                device._raw(data[start : start + CHUNK])
            if self.spec.kind == "cups":
                device.send()  # type: ignore[attr-defined]
        except Exception as exc:
            self.close()
            raise PrinterConnectionError(
                f"Connection to the printer broke while sending: {exc}",
                code="PRINTER_CONNECTION_LOST",
            ) from exc

    def print_layout(self, layout: Layout) -> PrinterStatus:
        """Print one layout straight away (no queue): status before and after the job.

        Returns the status after the job; raises PrinterConnectionError if nothing could be
        sent because the printer was not ready. Sales should go through `PrintQueue` instead.
        """
        data = self.render(layout)
        before = self.status()
        if not before.ok:
            raise PrinterConnectionError(before.message(), code=before.code)
        self.send(data)
        return self.status()

    def close(self) -> None:
        if self._device is not None and self.spec.kind != "dummy":
            # A connection already broken has nothing left to close.
            with contextlib.suppress(Exception):
                self._device.close()
            self._device = None

    def _open(self) -> Escpos:
        if self._device is None:
            self._device = open_escpos(self.spec, self.profile)
        return self._device
