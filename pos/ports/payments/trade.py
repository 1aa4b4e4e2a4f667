"""What a provider says about a trade, in one vocabulary for both providers, and the interface
the counter charges through."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

import httpx

from pos.ports.payments.bills import BillLine
from pos.ports.payments.errors import ProviderUnknown, ProviderUnreachable


class TradeStatus(StrEnum):
    SUCCESS = "success"
    """The money is taken."""
    PAYING = "paying"
    """The customer is still confirming in the app (USERPAYING, WAIT_BUYER_PAY)."""
    FAILED = "failed"
    """Refused for good (balance too low, code expired): nothing was taken."""
    CLOSED = "closed"
    """Cancelled or reversed: nothing is kept."""
    NOT_FOUND = "not_found"
    """The provider never saw this order number."""


@dataclass(frozen=True, slots=True)
class Trade:
    status: TradeStatus
    trade_no: str | None = None
    reason: str = ""
    """The provider's code and words when it refused (ACQ.BUYER_BALANCE_NOT_ENOUGH, NOTENOUGH)."""


class CodeProvider(Protocol):
    kind: str

    async def pay(self, out_trade_no: str, auth_code: str, amount: int, subject: str) -> Trade: ...

    async def query(self, out_trade_no: str) -> Trade: ...

    async def cancel(self, out_trade_no: str) -> None:
        """Cancel (Alipay) or reverse (WeChat): unpaid, closed; paid, refunded in full."""
        ...

    async def refund(
        self, out_trade_no: str, out_request_no: str, amount: int, total: int
    ) -> None: ...

    async def bill(self, day: date) -> list[BillLine]:
        """The provider's bill of `day` (Beijing time): what the merchant kept of each trade."""
        ...

    async def aclose(self) -> None: ...


def http_client(
    connect_timeout: float, read_timeout: float, tls: ssl.SSLContext | None = None
) -> httpx.AsyncClient:
    """`tls`: whom to trust and what client certificate to show; None is the system's trust."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
        ),
        verify=tls if tls is not None else True,
    )


async def post(client: httpx.AsyncClient, url: str, **kwargs: object) -> httpx.Response:
    """One POST; a connection that never opened is ProviderUnreachable (nothing can have been
    charged), anything after the request left is ProviderUnknown."""
    try:
        return await client.post(url, **kwargs)  # type: ignore[arg-type]
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise ProviderUnreachable(
            "PROVIDER_UNREACHABLE", f"The payment provider does not answer ({url}): take cash."
        ) from exc
    except httpx.HTTPError as exc:
        raise ProviderUnknown(
            "PROVIDER_NO_ANSWER", f"The payment provider did not answer in time: {exc!r}"
        ) from exc
