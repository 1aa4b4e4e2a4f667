"""Drill mode: the reference central misbehaves on purpose, the ways real ones do under a rush.

An outermost ASGI layer, so the faults look to a client exactly like a sick server: answers
that come late or never, connections reset mid-request, 5xx, broken JSON, bodies that trickle.
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
from datetime import datetime, timedelta
from typing import Any

from central.context import Clock
from central.loopback import transport_of
from contract.models import DrillSettings, DrillState, Fault, FaultKind

Scope = dict[str, Any]
DRILL_PATH = "/v1/drill"


class DrillControl:
    def __init__(self, clock: Clock, seed: int | None = None):
        self.clock = clock
        self.settings = DrillSettings()
        self.outage_from: datetime | None = None
        self.outage_until: datetime | None = None
        self.random = random.Random(seed)

    def apply(self, settings: DrillSettings) -> DrillState:
        self.settings = settings
        if settings.outage is None:
            self.outage_from = self.outage_until = None
        else:
            self.outage_from = self.clock() + timedelta(seconds=settings.outage.starts_in_s)
            self.outage_until = self.outage_from + timedelta(seconds=settings.outage.length_s)
        return self.state()

    def state(self) -> DrillState:
        return DrillState(
            faults=self.settings.faults,
            outage_from=self.outage_from,
            outage_until=self.outage_until,
        )

    def fault_for(self, path: str) -> Fault | None:
        outage = self.settings.outage
        if (
            outage is not None
            and self.outage_from is not None
            and self.outage_until is not None
            and self.outage_from <= self.clock() < self.outage_until
        ):
            return Fault(kind=outage.kind, path_prefix="/", latency_ms=60_000)
        for fault in self.settings.faults:
            if path.startswith(fault.path_prefix) and self.random.random() < fault.probability:
                return fault
        return None


def reset_connection(send: Any) -> bool:
    """Abort the TCP connection with an RST, the way a crashing proxy does (False outside
    uvicorn: the caller falls back to an abrupt close)."""
    transport = transport_of(send)
    if transport is None:
        return False
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    return True


async def _json(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class DrillMiddleware:
    def __init__(self, app: Any, control: DrillControl):
        self.app = app
        self.control = control

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(DRILL_PATH):
            await self.app(scope, receive, send)
            return
        fault = self.control.fault_for(scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
            return
        match fault.kind:
            case FaultKind.LATENCY:
                await asyncio.sleep(fault.latency_ms / 1000)
                await self.app(scope, receive, send)
            case FaultKind.ERROR:
                await _json(
                    send, fault.status, b'{"code":"DRILL_ERROR","message":"Injected server error."}'
                )
            case FaultKind.HANG:
                while (await receive())["type"] != "http.disconnect":
                    pass
            case FaultKind.RESET:
                # The app acts first: the answer is what gets lost, as when a proxy dies.
                await self._answer(scope, receive)
                if not reset_connection(send):
                    raise ConnectionResetError("drill: reset")
            case FaultKind.MALFORMED:
                await self._answer(scope, receive)
                await _json(send, 200, b'{"id": "S0001", "tickets": [{"seat": ')
            case FaultKind.SLOW_BODY:
                await self._trickle(scope, receive, send, fault.latency_ms or 2000)

    async def _answer(self, scope: Scope, receive: Any) -> tuple[dict[str, Any], bytes]:
        """Run the app to completion and keep its answer instead of sending it."""
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        return start, b"".join(chunks)

    async def _trickle(self, scope: Scope, receive: Any, send: Any, ms: int) -> None:
        """Let the app answer, then send its body a few bytes at a time over `ms`."""
        start, body = await self._answer(scope, receive)
        await send(start)
        pieces = [body[i : i + 16] for i in range(0, len(body), 16)] or [b""]
        for piece in pieces:
            await send({"type": "http.response.body", "body": piece, "more_body": True})
            await asyncio.sleep(ms / 1000 / len(pieces))
        await send({"type": "http.response.body", "body": b""})


class BodyLimit:
    """Refuse oversized bodies before anything parses them."""

    def __init__(self, app: Any, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            length = dict(scope["headers"]).get(b"content-length")
            if length is not None and length.isdigit() and int(length) > self.limit:
                await _json(
                    send, 413, b'{"code":"BODY_TOO_LARGE","message":"Request body is too large."}'
                )
                return
        await self.app(scope, receive, send)
