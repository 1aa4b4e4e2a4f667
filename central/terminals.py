"""Enrollment (an enrollment code buys a bearer token and registers the terminal's key) and
turning a bearer token back into a terminal.

An enrollment code works once. Replacing a terminal's machine is a deliberate step by the
cinema's IT at the central (`pos central new-code --terminal T01` issues a fresh code; the old
token stops working when the new machine enrolls), never a silent takeover by whoever still
knows an old code. Guessing is limited per address and hopeless anyway: issued codes carry 120
random bits."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections import defaultdict, deque
from datetime import datetime, timedelta

from central.context import CENTRAL_KEY_ID, Context, iso
from central.db import Database
from central.errors import ApiError, not_found
from contract.models import Enrollment, EnrollmentRequest
from contract.ticket_code import public_key_from_text, public_key_text


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


GUESSES = 5
"""Wrong enrollment codes one address may try per GUESS_WINDOW."""
GUESS_WINDOW = timedelta(minutes=10)


class Guesses:
    """Wrong enrollment codes per client address, in memory: a restart forgives, which is
    fine, since a code is 120 random bits and a few tries per ten minutes find nothing."""

    def __init__(self) -> None:
        self._wrong: dict[str, deque[datetime]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, address: str, now: datetime) -> None:
        with self._lock:
            wrong = self._wrong[address]
            while wrong and now - wrong[0] > GUESS_WINDOW:
                wrong.popleft()
            if len(wrong) >= GUESSES:
                wait = int((wrong[0] + GUESS_WINDOW - now).total_seconds()) + 1
                raise ApiError(
                    429,
                    "TOO_MANY_GUESSES",
                    f"Too many wrong enrollment codes from here; try again in {wait} s.",
                )

    def wrong(self, address: str, now: datetime) -> None:
        with self._lock:
            self._wrong[address].append(now)


def new_code() -> str:
    """A fresh enrollment code: 120 random bits, in groups a person can type."""
    raw = base64.b32encode(secrets.token_bytes(15)).decode()
    return "ENROLL-" + "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def issue_code(db: Database, terminal_id: str) -> str:
    """IT's deliberate step to replace a terminal's machine: a new code, valid once."""
    code = new_code()
    with db.write() as conn:
        changed = conn.execute(
            "UPDATE terminals SET enrollment_code = ?, code_used_at = NULL WHERE id = ?",
            (code, terminal_id),
        ).rowcount
    if not changed:
        raise not_found("terminal", terminal_id)
    return code


def enroll(ctx: Context, req: EnrollmentRequest, address: str, guesses: Guesses) -> Enrollment:
    """A code buys the terminal's token once; a used code is refused, so an old code that
    leaked cannot take the terminal over."""
    now = ctx.now()
    guesses.check(address, now)
    try:
        public_key_from_text(req.public_key)
    except ValueError as exc:
        raise ApiError(422, "BAD_PUBLIC_KEY", f"Public key refused: {exc}.") from exc
    token = secrets.token_urlsafe(32)
    with ctx.db.write() as conn:
        row = conn.execute(
            "SELECT id, code_used_at FROM terminals WHERE enrollment_code = ?", (req.code,)
        ).fetchone()
        if row is None:
            guesses.wrong(address, now)
            raise ApiError(403, "BAD_ENROLLMENT_CODE", "That enrollment code is not valid.")
        if row["code_used_at"] is not None:
            raise ApiError(
                403,
                "CODE_USED",
                f"That enrollment code was used already ({row['code_used_at']}); ask the"
                " central's IT for a new one (`pos central new-code`).",
            )
        # Every key a terminal ever had stays on the key ring under its own id, so tickets a
        # replaced machine signed still pass at the door; the new machine signs as T01.2.
        earlier = conn.execute(
            "SELECT count(*) FROM terminal_keys WHERE terminal_id = ?", (row["id"],)
        ).fetchone()[0]
        key_id = row["id"] if earlier == 0 else f"{row['id']}.{earlier + 1}"
        conn.execute(
            "INSERT INTO terminal_keys (key_id, terminal_id, public_key, added_at)"
            " VALUES (?, ?, ?, ?)",
            (key_id, row["id"], req.public_key, iso(now)),
        )
        conn.execute(
            "UPDATE terminals SET token_hash = ?, public_key = ?, key_id = ?, enrolled_at = ?,"
            " code_used_at = ? WHERE id = ?",
            (_token_hash(token), req.public_key, key_id, iso(now), iso(now), row["id"]),
        )
    return Enrollment(
        terminal_id=row["id"],
        key_id=key_id,
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
