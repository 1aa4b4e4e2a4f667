"""The giving side of a handover: a peer's signed ask in, this terminal's signed handover out.

The handover is committed (its seats gone from this terminal's lease, the record queued for the
central) before the answer leaves, so a crash between the two loses no seat: the receiver asks
again under the same request id and gets the same handover, or never learns of it, and the
seats reach it through the central once the handover is uploaded (by this terminal).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from pydantic import ValidationError

from contract.handover import (
    ASK_FRESH_FOR_S,
    Handover,
    HandoverAsk,
    ask_signed_by,
    key_belongs_to,
    sign_handover,
    spare_seats,
)
from contract.ticket_code import Ed25519PrivateKey, public_key_from_text
from offline import cache, handovers, leases
from offline.store import Store
from pos.counter.errors import CounterError
from pos.counter.seat_picking import best_together

MAX_ASK_BYTES = 8192
"""An ask is a few hundred bytes; anything much larger is refused unread."""


class PeerRefused(CounterError):
    """Why a peer's ask gets no seats, with the HTTP status the endpoint answers it with."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code, message)
        self.status = status


class Giver:
    """Answers asks for seats from this terminal's leases (any thread that owns `store`)."""

    def __init__(
        self,
        store: Store,
        key: Ed25519PrivateKey,
        *,
        terminal_id: str,
        key_id: str | None,
        cinema_id: str,
        central_key_id: str,
    ) -> None:
        self.store = store
        self.key = key
        self.terminal_id = terminal_id
        self.key_id = key_id or terminal_id
        self.cinema_id = cinema_id
        self.central_key_id = central_key_id

    def answer(self, body: bytes, signature: str | None) -> Handover:
        """The handover for this ask (the one made before, for a request id seen before)."""
        ask = self.checked(body, signature)
        with self.store.atomic():
            done = handovers.given_for(self.store, ask.receiver_id, ask.request_id)
            if done is not None:
                if done.showtime_id != ask.showtime_id:
                    raise PeerRefused(409, "REQUEST_ID_REUSED", "That request id was used.")
                return done
            handover = self._spare(ask)
            handovers.record_given(self.store, handover)
        return handover

    def checked(self, body: bytes, signature: str | None) -> HandoverAsk:
        """The ask, if a terminal of this cinema whose key the central listed signed it."""
        if len(body) > MAX_ASK_BYTES:
            raise PeerRefused(413, "ASK_TOO_LARGE", "That ask is too large.")
        if not signature:
            raise PeerRefused(401, "UNSIGNED_ASK", "Asks must be signed with a terminal key.")
        try:
            ask = HandoverAsk.model_validate_json(body)
        except ValidationError as exc:
            raise PeerRefused(400, "BAD_ASK", f"Not an ask: {exc.errors()[0]['msg']}.") from exc
        if ask.cinema_id != self.cinema_id:
            raise PeerRefused(403, "OTHER_CINEMA", "This counter serves another cinema.")
        known = cache.public_keys(self.store)
        text = known.get(ask.key_id)
        if (
            text is None
            or ask.key_id == self.central_key_id
            or not key_belongs_to(ask.key_id, ask.receiver_id)
            or ask.receiver_id == self.terminal_id
        ):
            raise PeerRefused(403, "UNKNOWN_TERMINAL", f"No enrolled terminal {ask.key_id}.")
        if not ask_signed_by(body, signature, public_key_from_text(text)):
            raise PeerRefused(403, "BAD_SIGNATURE", "The ask's signature does not verify.")
        if abs(self.store.now() - ask.sent_at) > timedelta(seconds=ASK_FRESH_FOR_S):
            raise PeerRefused(403, "STALE_ASK", "The ask is too old (or the clocks disagree).")
        return ask

    def _spare(self, ask: HandoverAsk) -> Handover:
        """Seats out of the lease with the most unsold, together where the layout is known.
        Only leases the central granted: a seat received by handover is not handed on, so the
        central always knows the lease a handover comes out of (a chain could reach it before
        its first link, and be refused)."""
        handed_to_me = handovers.received_leases(self.store)
        by_lease = {
            lease_id: seats
            for lease_id, seats in leases.available_by_lease(self.store, ask.showtime_id).items()
            if lease_id not in handed_to_me
        }
        lease_id, seats = max(by_lease.items(), key=lambda kv: len(kv[1]), default=("", []))
        count = spare_seats(len(seats), ask.at_least, ask.wanted)
        if count == 0:
            raise PeerRefused(
                409, "NOTHING_TO_SPARE", f"{len(seats)} unsold leased seats here: none to spare."
            )
        cached = cache.get_seat_map(self.store, ask.showtime_id)
        chosen = best_together(cached.seat_map.auditorium, seats, count) if cached else []
        handover = Handover(
            id=f"HO-{self.terminal_id}-{uuid.uuid4().hex[:16]}",
            request_id=ask.request_id,
            cinema_id=self.cinema_id,
            showtime_id=ask.showtime_id,
            lease_id=lease_id,
            giver_id=self.terminal_id,
            giver_key_id=self.key_id,
            receiver_id=ask.receiver_id,
            seats=chosen or seats[:count],
            made_at=self.store.now(),
        )
        return sign_handover(handover, self.key)
