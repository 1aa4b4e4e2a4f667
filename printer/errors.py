"""Named printing errors, each with a code cinema IT can search for.

Callers catch `PrinterError` for anything printing-related and show `str(error)` to the cashier;
the code (`error.code`) goes in logs and support tickets.
"""

from __future__ import annotations

from contract.errors import BoxOfficeError


class PrinterError(BoxOfficeError):
    """Base of every error raised by `printer`."""

    code = "PRINTER_ERROR"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(code, message)


class PrinterSettingError(PrinterError, ValueError):
    """The printer setting string (e.g. `tcp://10.0.0.5:9100`) cannot be understood."""

    code = "PRINTER_SETTING"


class PrinterConnectionError(PrinterError):
    """The printer could not be opened or the connection broke while sending."""

    code = "PRINTER_CONNECTION"


class UnprintableTextError(PrinterError):
    """Text the printer cannot encode and no font is at hand to print it as an image."""

    code = "PRINTER_UNPRINTABLE"


class CjkFontMissingError(UnprintableTextError):
    """Chinese text must be drawn as an image but no CJK font was found."""

    code = "PRINTER_NO_CJK_FONT"
