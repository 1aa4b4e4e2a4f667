"""Handover: unsold leased seats moved from one counter to another of the same cinema while the
central is unreachable, and the signatures that make the move provable later.

Three documents, one module, because the counters and the central must sign and check the same
bytes (`canonical_json`):

- `HandoverAsk`: the receiver's request over the cinema LAN. It carries `request_id`, made
  before the first try, so a giver asked again (an answer lost, a receiver restarted) answers
  the handover it already made instead of making a second one. The receiver signs it with its
  terminal key (`sign_ask`); the giver answers only a key its central listed (the key ring, as
  cached at the last refresh) and only for its own cinema.
- `Handover`: the giver's signed record: these seats of its lease `lease_id` now belong to
  `receiver_id` under the new lease id `id`. The giver commits it (the seats leave its own
  lease) before it answers; the receiver adds the seats under lease `id` and sells them.
  Both upload it; the central moves the seats to lease `id` of the receiver, and only then
  accepts the receiver's offline sales of them (lease `id`).
- `HandoverResult`: the central's answer to an upload, per seat.

This is the demarcation protocol (DESIGN.md): the giver lowers its own limit before the
receiver raises its own, so no seat is ever in two terminals' hands.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field

from contract.models import (
    MAX_SEATS_PER_REQUEST,
    Answer,
    IdempotencyKey,
    Ident,
    Request,
    SeatLabel,
    SyncResult,
)
from contract.ticket_code import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
    b64d,
    b64e,
    canonical_json,
)

PEER_PATH = "/v1/peer/handovers"
"""Where a counter's peer endpoint takes `HandoverAsk`s."""
SIGNATURE_HEADER = "X-Peer-Signature"
"""The receiver's signature over the request body, urlsafe base64."""
ASK_FRESH_FOR_S = 300
"""A signed ask older (or newer) than this, by the giver's clock, is refused: a replay of a
recorded ask gains nothing (the answer names the receiver), but it should not linger."""

Seats = Annotated[list[SeatLabel], Field(min_length=1, max_length=MAX_SEATS_PER_REQUEST)]


class HandoverAsk(Request):
    request_id: IdempotencyKey
    cinema_id: Ident
    showtime_id: Ident
    receiver_id: Ident
    key_id: Ident
    """The receiver's key id on the central's key ring (`T01`, or `T01.2` on a replacement)."""
    at_least: Annotated[int, Field(ge=1, le=MAX_SEATS_PER_REQUEST)]
    """Fewer is no use: the party at the counter."""
    wanted: Annotated[int, Field(ge=1, le=MAX_SEATS_PER_REQUEST)]
    sent_at: AwareDatetime


class Handover(Request):
    id: Ident
    """The lease id the seats have from now on (the receiver's, for these seats only)."""
    request_id: IdempotencyKey
    cinema_id: Ident
    showtime_id: Ident
    lease_id: Ident
    """The giver's lease the seats came out of."""
    giver_id: Ident
    giver_key_id: Ident
    receiver_id: Ident
    seats: Seats
    made_at: AwareDatetime
    signature: Annotated[str, Field(max_length=200)] = ""
    """The giver's Ed25519 signature over every other field (`handover_signing_bytes`)."""


class HandoverResult(Answer):
    handover_id: Ident
    result: SyncResult
    """accepted the first time, duplicate after; conflict when the handover itself is refused
    (a bad signature, a lease that is not the giver's)."""
    moved: list[SeatLabel] = []
    """Seats now in lease `handover_id`, the receiver's."""
    refused: dict[str, str] = {}
    """Seats that could not move, with why (sold, or no longer in the giver's lease): the
    receiver's offline sales of them will be conflicts."""
    reason: str | None = None


class PeerRefusal(Answer):
    """A peer's no, as every error: a code IT can search for, a message a cashier reads."""

    code: str
    message: str


def key_belongs_to(key_id: str, terminal_id: str) -> bool:
    """Key ids are the terminal id, or `<terminal id>.<n>` for a replaced machine
    (central/terminals.py): the one rule that maps a key on the ring back to its terminal."""
    return key_id == terminal_id or key_id.startswith(f"{terminal_id}.")


def handover_signing_bytes(handover: Handover) -> bytes:
    return canonical_json(handover.model_dump(mode="json", exclude={"signature"}))


def sign_handover(handover: Handover, key: Ed25519PrivateKey) -> Handover:
    signature = b64e(key.sign(handover_signing_bytes(handover)))
    return handover.model_copy(update={"signature": signature})


def handover_signed_by(handover: Handover, key: Ed25519PublicKey) -> bool:
    return _verifies(key, handover.signature, handover_signing_bytes(handover))


def sign_ask(body: bytes, key: Ed25519PrivateKey) -> str:
    """The header value for an ask whose JSON body is `body` (sent byte for byte as signed)."""
    return b64e(key.sign(body))


def ask_signed_by(body: bytes, signature: str, key: Ed25519PublicKey) -> bool:
    return _verifies(key, signature, body)


def _verifies(key: Ed25519PublicKey, signature: str, signed: bytes) -> bool:
    try:
        key.verify(b64d(signature), signed)
    except Exception:  # a malformed signature is as false as a wrong one
        return False
    return True


def ask_body(ask: HandoverAsk) -> bytes:
    return canonical_json(ask.model_dump(mode="json"))


def spare_seats(available: int, at_least: int, wanted: int) -> int:
    """Seats a giver hands over out of `available` unsold seats of its lease: up to `wanted`,
    never more than half (rounded down: the giver's own queue may be the next to grow), and
    none at all when that is fewer than `at_least` (seats the asker cannot use would only be
    stranded at its counter)."""
    give = min(wanted, available // 2)
    return give if give >= at_least else 0
