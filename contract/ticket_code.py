"""Signed ticket codes and offline-sale signatures.

A ticket code must be checkable at the door with no network, whether the central signed it
(online sale) or a terminal did (offline sale). The code is short enough for a QR code:
``BO1.<payload>.<signature>``, both parts urlsafe base64 without padding, the payload a compact
JSON object naming the key that signed it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "BO1"
MAX_CODE_LENGTH = 2048
"""Far above any real code (about 300 characters); anything longer is refused unread."""
MAX_STARTS_AT = 253402300800
"""Year 10000 in Unix seconds: the first instant Python's datetime cannot show."""


def b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical_json(obj: Any) -> bytes:
    """The one byte form both sides sign and verify; key order and spacing must not matter."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def private_key_from_bytes(raw: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64e(raw)


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """Raises ValueError on anything that is not a 32-byte Ed25519 key."""
    try:
        raw = b64d(text)
    except (ValueError, TypeError) as exc:
        raise ValueError("public key is not base64") from exc
    if len(raw) != 32:
        raise ValueError("public key must be 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True, slots=True)
class TicketClaim:
    """What a ticket code asserts; the door compares it with the showtime it is checking."""

    ticket_id: str
    showtime_id: str
    seat: str
    ticket_type: str
    starts_at: int
    """Showtime start, Unix seconds, so a door can say "wrong time" without a schedule."""
    key_id: str
    channel: str

    def to_json(self) -> dict[str, Any]:
        return {
            "t": self.ticket_id,
            "s": self.showtime_id,
            "p": self.seat,
            "y": self.ticket_type,
            "a": self.starts_at,
            "k": self.key_id,
            "c": self.channel,
        }

    @classmethod
    def from_json(cls, obj: Any) -> TicketClaim:
        if not isinstance(obj, dict):
            raise ValueError("payload is not an object")
        try:
            claim = cls(
                ticket_id=obj["t"],
                showtime_id=obj["s"],
                seat=obj["p"],
                ticket_type=obj["y"],
                starts_at=obj["a"],
                key_id=obj["k"],
                channel=obj["c"],
            )
        except KeyError as exc:
            raise ValueError(f"payload lacks {exc}") from exc
        for name in ("ticket_id", "showtime_id", "seat", "ticket_type", "key_id", "channel"):
            if not isinstance(getattr(claim, name), str):
                raise ValueError(f"{name} is not text")
        if not isinstance(claim.starts_at, int) or isinstance(claim.starts_at, bool):
            raise ValueError("starts_at is not an integer")
        if not 0 <= claim.starts_at < MAX_STARTS_AT:
            raise ValueError("starts_at is out of range")
        return claim


def sign_ticket(claim: TicketClaim, key: Ed25519PrivateKey) -> str:
    payload = canonical_json(claim.to_json())
    return f"{PREFIX}.{b64e(payload)}.{b64e(key.sign(payload))}"


class Verdict(StrEnum):
    VALID = "valid"
    MALFORMED = "malformed"
    """Not a ticket code at all, or truncated: bytes were changed or lost."""
    UNKNOWN_KEY = "unknown_key"
    """Signed by a key this door does not know: forged."""
    BAD_SIGNATURE = "bad_signature"
    """Names a known key but the signature does not match the payload: altered or forged."""


@dataclass(frozen=True, slots=True)
class CodeCheck:
    verdict: Verdict
    claim: TicketClaim | None
    reason: str


def check_ticket_code(code: str, keys: dict[str, Ed25519PublicKey]) -> CodeCheck:
    """Validate a code against known public keys; never raises on hostile input."""
    if not isinstance(code, str) or len(code) > MAX_CODE_LENGTH:
        return CodeCheck(Verdict.MALFORMED, None, "not a Box Office ticket code (too long)")
    parts = code.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return CodeCheck(Verdict.MALFORMED, None, "not a Box Office ticket code")
    try:
        payload = b64d(parts[1])
        signature = b64d(parts[2])
        if b64e(payload) != parts[1] or b64e(signature) != parts[2]:
            # Only one spelling of a code is valid, so a door that remembers used codes by
            # their text cannot be passed twice with a twin.
            raise ValueError("not in canonical form")
        claim = TicketClaim.from_json(json.loads(payload))
    except (ValueError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        return CodeCheck(Verdict.MALFORMED, None, f"unreadable code: {exc}")
    key = keys.get(claim.key_id)
    if key is None:
        return CodeCheck(Verdict.UNKNOWN_KEY, claim, f"signed by unknown key {claim.key_id!r}")
    try:
        key.verify(signature, payload)
    except InvalidSignature:
        return CodeCheck(Verdict.BAD_SIGNATURE, claim, "signature does not match the ticket")
    return CodeCheck(Verdict.VALID, claim, "ok")


def offline_sale_signing_bytes(sale: dict[str, Any]) -> bytes:
    """Bytes a terminal signs for an offline sale: every field but the signature itself."""
    return canonical_json({k: v for k, v in sale.items() if k != "signature"})
