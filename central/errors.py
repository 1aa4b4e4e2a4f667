"""Errors the central answers with: an HTTP status, a code IT can search for, and a message a
cashier can read. Raised anywhere in the central; turned into a JSON body in one place."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, detail: object | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail


def not_found(what: str, ident: str) -> ApiError:
    return ApiError(404, f"{what.upper()}_NOT_FOUND", f"No {what} {ident!r}.")


def conflict(code: str, message: str, detail: object | None = None) -> ApiError:
    return ApiError(409, code, message, detail)


def invalid(code: str, message: str, detail: object | None = None) -> ApiError:
    return ApiError(422, code, message, detail)
