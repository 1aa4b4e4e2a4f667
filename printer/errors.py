"""Named printing errors, each with a code cinema IT can search for.

Callers catch `PrinterError` for anything printing-related and show `str(error)` to the cashier;
the code (`error.code`) goes in logs and support tickets.
"""

from __future__ import annotations


class PrinterError(Exception):
    """Base of every error raised by `printer`."""

    code = "PRN-ERROR"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


class PrinterSettingError(PrinterError, ValueError):
    """The printer setting string (e.g. `tcp://10.0.0.5:9100`) cannot be understood."""

    code = "PRN-SETTING"


class PrinterConnectionError(PrinterError):
    """The printer could not be opened or the connection broke while sending."""

    code = "PRN-CONNECTION"


class UnprintableTextError(PrinterError):
    """Text the printer cannot encode and no font is at hand to print it as an image."""

    code = "PRN-UNPRINTABLE"


class CjkFontMissingError(UnprintableTextError):
    """Chinese text must be drawn as an image but no CJK font was found."""

    code = "PRN-NO-CJK-FONT"
