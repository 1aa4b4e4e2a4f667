"""How every call to a central behaves, whoever the central is (our contract or pretix): one
deadline for the whole call, retries only for what never reached the server, and httpx's
exceptions turned into the errors failover reasons about."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import httpx
import stamina
import stamina.instrumentation

from pos.ports.errors import CentralError, CentralTimeout, Unreachable

T = TypeVar("T")

# A retry is routine here (the breaker reports what matters); keep stamina's log lines off the
# cashier's terminal.
stamina.instrumentation.set_on_retry_hooks([])


async def within_budget(once: Callable[[], Awaitable[T]], budget: float, what: str) -> T:
    """Run `once` until it answers, retrying connection failures, all within `budget` s."""
    try:
        async with asyncio.timeout(budget):
            async for attempt in stamina.retry_context(
                on=Unreachable, attempts=3, timeout=budget, wait_initial=0.05, wait_max=0.3
            ):
                with attempt:
                    return await once()
    except TimeoutError as exc:
        raise CentralTimeout(
            "CENTRAL_TIMEOUT", f"No answer to {what} within {budget:.1f} s."
        ) from exc
    raise AssertionError("unreachable")  # pragma: no cover - retry_context always yields


@contextmanager
def transport_errors(server: str, what: str) -> Iterator[None]:
    """httpx's failures as ours: refused (never sent), timed out, or broken mid-way."""
    try:
        yield
    except httpx.ConnectError as exc:
        raise Unreachable("CENTRAL_UNREACHABLE", f"Cannot reach {server}: {exc}") from exc
    except httpx.TimeoutException as exc:
        raise CentralTimeout("CENTRAL_TIMEOUT", f"{server} timed out on {what}.") from exc
    except httpx.TransportError as exc:
        raise CentralError(
            "CENTRAL_CONNECTION_LOST", f"Connection to {server} broke: {exc!r}"
        ) from exc
