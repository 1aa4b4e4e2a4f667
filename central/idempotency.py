"""Replays of mutating requests: the same Idempotency-Key returns the first result and never
acts twice. Keys are scoped to the terminal that made them. Failed attempts are not stored: a
request that changed nothing may be tried again and judged afresh."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

from central.errors import ApiError


def fingerprint(operation: str, body: Any) -> str:
    raw = json.dumps([operation, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def lookup(
    conn: sqlite3.Connection, terminal_id: str, key: str, operation: str, fp: str
) -> Any | None:
    row = conn.execute(
        "SELECT operation, fingerprint, body FROM idempotency WHERE terminal_id = ? AND key = ?",
        (terminal_id, key),
    ).fetchone()
    if row is None:
        return None
    if row["operation"] != operation or row["fingerprint"] != fp:
        raise ApiError(
            422,
            "IDEMPOTENCY_KEY_REUSED",
            "This idempotency key was already used for a different request.",
            {"operation": row["operation"]},
        )
    return json.loads(row["body"])


def remember(
    conn: sqlite3.Connection, terminal_id: str, key: str, operation: str, fp: str, body: Any
) -> None:
    conn.execute(
        "INSERT INTO idempotency (terminal_id, key, operation, fingerprint, status, body)"
        " VALUES (?, ?, ?, ?, 200, ?)",
        (terminal_id, key, operation, fp, json.dumps(body, default=str)),
    )
