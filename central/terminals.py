"""Enrollment (an enrollment code buys a bearer token and registers the terminal's key) and
turning a bearer token back into a terminal."""

from __future__ import annotations

import hashlib
import secrets

from central.context import CENTRAL_KEY_ID, Context, iso
from central.errors import ApiError
from contract.models import Enrollment, EnrollmentRequest
from contract.ticket_code import public_key_from_text, public_key_text


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def enroll(ctx: Context, req: EnrollmentRequest) -> Enrollment:
    """Enrolling again with the same code re-keys the terminal (a replaced machine)."""
    try:
        public_key_from_text(req.public_key)
    except ValueError as exc:
        raise ApiError(422, "BAD_PUBLIC_KEY", f"Public key refused: {exc}.") from exc
    token = secrets.token_urlsafe(32)
    with ctx.db.write() as conn:
        row = conn.execute(
            "SELECT id FROM terminals WHERE enrollment_code = ?", (req.code,)
        ).fetchone()
        if row is None:
            raise ApiError(403, "BAD_ENROLLMENT_CODE", "That enrollment code is not valid.")
        conn.execute(
            "UPDATE terminals SET token_hash = ?, public_key = ?, enrolled_at = ? WHERE id = ?",
            (_token_hash(token), req.public_key, iso(ctx.now()), row["id"]),
        )
    return Enrollment(
        terminal_id=row["id"],
        token=token,
        cinema=ctx.cinema,
        central_key_id=CENTRAL_KEY_ID,
        central_public_key=public_key_text(ctx.key),
    )


def terminal_for_token(ctx: Context, authorization: str | None) -> str:
    if not authorization or not authorization.startswith("Bearer "):
        raise ApiError(401, "NO_TOKEN", "This call needs `Authorization: Bearer <token>`.")
    row = (
        ctx.db.read()
        .execute(
            "SELECT id FROM terminals WHERE token_hash = ?",
            (_token_hash(authorization.removeprefix("Bearer ").strip()),),
        )
        .fetchone()
    )
    if row is None:
        raise ApiError(401, "BAD_TOKEN", "This terminal token is not valid; enroll again.")
    return row["id"]
