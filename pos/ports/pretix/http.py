"""pretix's REST API with the counter's deadlines and errors.

Every failure becomes one of the errors of `pos.ports.central_client`, so the breaker, failover and
sync treat a pretix exactly like our own central: unreachable, timed out, server fault (5xx),
refused (4xx, with pretix's own explanation as the message)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from contract.models import ErrorBody
from pos.ports.calls import transport_errors, within_budget
from pos.ports.central_client import (
    BadAnswer,
    Conflict,
    Rejected,
    ServerFault,
    Unauthorized,
)

PAGE = 50
"""pretix's largest page."""


def _explain(data: Any) -> str:
    """pretix answers 400 with DRF's field errors; flatten them into one readable line."""
    if isinstance(data, dict):
        return "; ".join(f"{k}: {_explain(v)}" for k, v in data.items())
    if isinstance(data, list):
        return "; ".join(_explain(v) for v in data if v)
    return str(data)


class PretixHttp:
    def __init__(
        self,
        url: str,
        token: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.read_timeout = read_timeout
        self.http = httpx.AsyncClient(
            base_url=f"{url.rstrip('/')}/api/v1",
            headers={"Authorization": f"Token {token}", "Accept": "application/json"},
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
            ),
            transport=transport,
            limits=httpx.Limits(max_connections=6, max_keepalive_connections=4),
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def call(
        self,
        method: str,
        path: str,
        *,
        body: object = None,
        params: dict[str, str] | None = None,
        key: str | None = None,
        deadline: float | None = None,
    ) -> Any:
        """One call within `deadline` seconds; only what never reached pretix is retried."""
        headers = {"X-Idempotency-Key": key} if key else {}
        budget = deadline if deadline is not None else self.read_timeout * 3
        return await within_budget(
            lambda: self._once(method, path, body, params, headers), budget, f"pretix {path}"
        )

    async def _once(
        self,
        method: str,
        path: str,
        body: object,
        params: dict[str, str] | None,
        headers: dict[str, str],
    ) -> Any:
        with transport_errors("pretix", path):
            answer = await self.http.request(
                method, path, json=body, params=params, headers=headers
            )
        status = answer.status_code
        if status >= 500:
            raise ServerFault("CENTRAL_SERVER_ERROR", f"pretix failed ({status}) on {path}.")
        try:
            data = answer.json() if answer.content else None
        except ValueError as exc:
            if status < 400:
                raise BadAnswer(
                    "CENTRAL_BAD_ANSWER", f"pretix's answer to {path} is not JSON."
                ) from exc
            data = None  # a proxy's HTML error page: still a refusal, just unexplained
        if status >= 400:
            body_ = ErrorBody(code=f"PRETIX_{status}", message=_explain(data) or f"HTTP {status}")
            if status == 409:
                raise Conflict(status, body_)
            if status in (401, 403):
                raise Unauthorized(status, body_)
            raise Rejected(status, body_)
        return data

    async def all(
        self, path: str, params: dict[str, str] | None = None, deadline: float | None = None
    ) -> list[dict[str, Any]]:
        """Every page of a list. pretix serves at most 50 rows a page, so after the first page
        (which gives the count) the others are fetched a few at a time."""
        query = {"page_size": str(PAGE), **(params or {})}
        first = await self.call("GET", path, params=query, deadline=deadline)
        pages = -(-first["count"] // PAGE)
        gate = asyncio.Semaphore(3)

        async def page(n: int) -> list[dict[str, Any]]:
            async with gate:
                body = await self.call(
                    "GET", path, params={**query, "page": str(n)}, deadline=deadline
                )
                return body["results"]

        rest = await asyncio.gather(*(page(n) for n in range(2, pages + 1)))
        return [*first["results"], *(row for rows in rest for row in rows)]
