"""Payment-code providers (Alipay, WeChat Pay): small typed clients of our own over httpx.

Why not the SDKs: python-alipay-sdk and the official alipay-sdk-python are synchronous (urllib
or requests, no per-call timeouts we can set) and fix the gateway host; wechatpy is synchronous
(requests) too. The counter needs async calls with explicit connect/read timeouts, to tell
"never sent" from "sent, no answer", and a gateway URL it can point at loopback; the barcode
flow is four calls per provider, so a client is a page each."""

from __future__ import annotations

from pathlib import Path

from pos.ports.payments.alipay import AlipayClient
from pos.ports.payments.config import CodePaySettings
from pos.ports.payments.errors import (
    BadPaymentCode,
    PaymentError,
    ProviderRefused,
    ProviderUnknown,
    ProviderUnreachable,
)
from pos.ports.payments.kinds import Kind, kind_of
from pos.ports.payments.trade import CodeProvider, Trade, TradeStatus
from pos.ports.payments.wechat import WechatClient

__all__ = [
    "BadPaymentCode",
    "CodePaySettings",
    "CodeProvider",
    "Kind",
    "PaymentError",
    "ProviderRefused",
    "ProviderUnknown",
    "ProviderUnreachable",
    "Trade",
    "TradeStatus",
    "kind_of",
    "providers_for",
]


def providers_for(settings: CodePaySettings, home: Path) -> dict[str, CodeProvider]:
    """The clients this terminal's settings name, keyed by kind; secrets read from `home`."""
    timeouts = {"connect": settings.connect_timeout, "read": settings.read_timeout}
    found: dict[str, CodeProvider] = {}
    if settings.alipay is not None:
        found["alipay"] = AlipayClient(settings.alipay, home, **timeouts)
    if settings.wechat is not None:
        found["wechat"] = WechatClient(settings.wechat, home, **timeouts)
    return found
