"""The one error root of Box Office POS: every error a person can act on carries a `code` IT can
search for, a `message` a cashier understands, and an optional `detail` for the machine.

Each layer subclasses it (the store, the printer, the central's port, the counter), so the CLI
and the TUI each catch it in exactly one place and turn it into one line or one dialog. Codes
are UPPER_SNAKE_CASE, prefixed by the layer where that helps a search (`STORE_CORRUPT`,
`PRINTER_PAPER_OUT`)."""

from __future__ import annotations


class BoxOfficeError(Exception):
    code: str = "ERROR"

    def __init__(self, code: str | None, message: str, detail: object | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "detail": self.detail}
