"""The receiving side of a handover: when this counter's lease of a showtime cannot seat the
party at the counter while the central is away, ask the peers in the settings' order.

Each ask is written to the store (with its request id) before its first try. An ask whose
answer never came (the peer down, the answer lost, this counter restarted) stays open and is
sent again under the same id before any new ask, so a peer that did commit a handover answers
that same handover: a lost answer costs no seat and never makes one sellable twice. A peer that
has nothing to spare closes the ask; a peer that does not answer is skipped for a while.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from pydantic import ValidationError

from contract.handover import (
    PEER_PATH,
    SIGNATURE_HEADER,
    Handover,
    HandoverAsk,
    ask_body,
    handover_signed_by,
    key_belongs_to,
    sign_ask,
)
from contract.ticket_code import Ed25519PrivateKey, public_key_from_text
from offline import cache, handovers
from offline.handovers import Ask
from offline.store import Store
from pos.counter.home import Peer

PEER_DOWN_FOR = timedelta(seconds=10)
"""A peer that did not answer is not asked again (by a sale) for this long; nor is a peer that
had nothing to spare, for that showtime (while the central is away its leases do not grow)."""


class Asker:
    """Asks peers for seats (in the counter's event loop)."""

    def __init__(
        self,
        store: Store,
        key: Ed25519PrivateKey,
        peers: list[Peer],
        *,
        terminal_id: str,
        key_id: str | None,
        cinema_id: str,
        timeout: float,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.key = key
        self.peers = {p.terminal_id: p for p in peers}
        self.terminal_id = terminal_id
        self.key_id = key_id or terminal_id
        self.cinema_id = cinema_id
        self.clock = clock
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 0.5)), trust_env=False
        )
        self._down_until: dict[tuple[str, str], datetime] = {}
        """Pauses by (peer, showtime): showtime "" for a peer that did not answer at all."""

    async def aclose(self) -> None:
        await self.http.aclose()

    async def seats_for(self, showtime_id: str, at_least: int, wanted: int) -> int:
        """Ask until a handover of at least `at_least` seats came; returns the seats received.
        Open asks of the showtime go first, under their own ids."""
        got = 0
        for ask in handovers.open_asks(self.store, showtime_id):
            if ask.peer_id in self.peers and not self._paused(ask.peer_id, showtime_id):
                got += await self._send(ask)
        for peer_id in self.peers:
            if got >= at_least:
                break
            if peer_id == self.terminal_id or self._paused(peer_id, showtime_id):
                continue
            wants = max(wanted, at_least)
            ask = Ask(uuid.uuid4().hex, peer_id, showtime_id, at_least, wants, "open")
            handovers.open_ask(self.store, ask)
            got += await self._send(ask)
        return got

    def _paused(self, peer_id: str, showtime_id: str) -> bool:
        now = self.clock()
        return any(now < self._down_until.get((peer_id, key), now) for key in ("", showtime_id))

    def _pause(self, peer_id: str, showtime_id: str = "") -> None:
        self._down_until[(peer_id, showtime_id)] = self.clock() + PEER_DOWN_FOR

    async def _send(self, ask: Ask) -> int:
        """One try of an ask: the seats received (0 for a no, a silence or a bad answer)."""
        body = ask_body(
            HandoverAsk(
                request_id=ask.request_id,
                cinema_id=self.cinema_id,
                showtime_id=ask.showtime_id,
                receiver_id=self.terminal_id,
                key_id=self.key_id,
                at_least=ask.at_least,
                wanted=ask.wanted,
                sent_at=self.clock(),
            )
        )
        try:
            answer = await self.http.post(
                self.peers[ask.peer_id].url + PEER_PATH,
                content=body,
                headers={
                    SIGNATURE_HEADER: sign_ask(body, self.key),
                    "Content-Type": "application/json",
                },
            )
        except httpx.HTTPError:  # down, or the answer lost: the ask stays open
            self._pause(ask.peer_id)
            return 0
        if answer.status_code != 200:
            if answer.status_code in (400, 401, 403, 409, 413):
                handovers.refused(self.store, ask.request_id)
                self._pause(ask.peer_id, ask.showtime_id)
            return 0
        handover = self._checked(ask, answer.content)
        if handover is None:
            handovers.refused(self.store, ask.request_id)
            return 0
        handovers.record_received(self.store, handover)
        return len(handover.seats)

    def _checked(self, ask: Ask, raw: bytes) -> Handover | None:
        """The answer, if it is the handover asked for, signed by that peer's listed key."""
        try:
            handover = Handover.model_validate_json(raw)
        except ValidationError:
            return None
        text = cache.public_keys(self.store).get(handover.giver_key_id)
        if (
            text is None
            or handover.giver_id != ask.peer_id
            or not key_belongs_to(handover.giver_key_id, handover.giver_id)
            or handover.receiver_id != self.terminal_id
            or handover.request_id != ask.request_id
            or handover.showtime_id != ask.showtime_id
            or handover.cinema_id != self.cinema_id
        ):
            return None
        return handover if handover_signed_by(handover, public_key_from_text(text)) else None
