"""The central client against hostile or broken answers: every one becomes a named error,
never a crash and never a wrong sale. The "servers" here are tiny ASGI apps that misbehave
on purpose, reached through httpx's ASGI transport."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from pos.ports.central_client import (
    BadAnswer,
    CentralClient,
    CentralTimeout,
    Conflict,
    Rejected,
    ServerFault,
    Unauthorized,
    Unreachable,
)

Send = Callable[[dict[str, Any]], Awaitable[None]]


def answering(status: int, body: bytes, content_type: bytes = b"application/json") -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", content_type)],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def client_for(app: Any) -> CentralClient:
    import httpx

    return CentralClient("http://central.test", "t", transport=httpx.ASGITransport(app=app))


HOSTILE = {
    "html error page": (200, b"<html><body>502 Bad Gateway</body></html>", BadAnswer),
    "wrong types": (200, json.dumps({"status": 5, "time": "yesterday"}).encode(), BadAnswer),
    "missing fields": (200, b"{}", BadAnswer),
    "truncated json": (200, b'{"status": "ok", "ti', BadAnswer),
    "5xx": (503, b"", ServerFault),
    "conflict": (409, b'{"code": "SEAT_TAKEN", "message": "taken"}', Conflict),
    "unauthorized": (401, b'{"code": "BAD_TOKEN", "message": "no"}', Unauthorized),
    "4xx with html": (404, b"<h1>Not Found</h1>", Rejected),
}


@pytest.mark.parametrize(("status", "body", "error"), HOSTILE.values(), ids=HOSTILE.keys())
async def test_hostile_answers_become_named_errors(status: int, body: bytes, error: type) -> None:
    async with client_for(answering(status, body)) as client:
        with pytest.raises(error) as caught:
            await client.health()
    assert caught.value.code and caught.value.message


async def test_huge_body_is_refused_without_reading_it_all() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        chunk = b"x" * (1024 * 1024)
        for _ in range(64):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async with client_for(app) as client:
        with pytest.raises(BadAnswer, match="too large"):
            await client.health()


async def test_a_slow_answer_misses_the_deadline() -> None:
    import asyncio

    async def app(scope: dict[str, Any], receive: Any, send: Send) -> None:
        await asyncio.sleep(5)

    async with client_for(app) as client:
        with pytest.raises(CentralTimeout):
            await client.health(deadline=0.2)


async def test_refused_connection_is_unreachable_and_not_done() -> None:
    async with CentralClient("http://127.0.0.1:9", "t", connect_timeout=0.2) as client:
        with pytest.raises(Unreachable) as caught:
            await client.health(deadline=2)
    assert caught.value.maybe_done is False
