"""The reference gateway seen from a terminal (httpx only: no server parts needed). Joining as a
merchant (the demo, tests, a trainer's laptop): the terminal makes its own Alipay application
key pair and WeChat Pay API key, as a merchant does on the providers' platforms, tells the
gateway the public half, and keeps the secrets 0600. Reading the gateway's statement, to
reconcile against."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from pos.counter.code_setup import configure_code_pay
from pos.counter.errors import CounterError
from pos.counter.home import Home
from pos.ports.payments import signing
from pos.ports.payments.config import AlipaySettings, CodePaySettings, WechatSettings


def fetch_statement(url: str) -> list[dict[str, Any]]:
    """A running gateway's statement: every trade, with what the merchant kept of it."""
    try:
        answer = httpx.get(f"{url}/dev/statement", timeout=5)
        answer.raise_for_status()
    except httpx.HTTPError as exc:
        raise CounterError("GATEWAY_UNREACHABLE", f"No reference gateway at {url}: {exc}") from exc
    return list(answer.json())


def join_gateway(
    home: Home, url: str, *, wait_seconds: float = 30.0, poll_seconds: float = 2.0
) -> CodePaySettings:
    key = signing.new_rsa_key()
    api_key = secrets.token_hex(16)
    try:
        answer = httpx.post(
            f"{url}/dev/merchants",
            json={"alipay_public_key": signing.public_pem(key), "wechat_api_key": api_key},
            timeout=10,
        )
        answer.raise_for_status()
    except httpx.HTTPError as exc:
        raise CounterError("GATEWAY_UNREACHABLE", f"No reference gateway at {url}: {exc}") from exc
    merchant = answer.json()
    code_pay = CodePaySettings(
        alipay=AlipaySettings(
            gateway_url=f"{url}/alipay/gateway.do",
            app_id=merchant["alipay_app_id"],
            alipay_public_key=merchant["alipay_public_key"],
        ),
        wechat=WechatSettings(
            base_url=f"{url}/wechat",
            appid=merchant["wechat_appid"],
            mch_id=merchant["wechat_mch_id"],
        ),
        wait_seconds=wait_seconds,
        poll_seconds=poll_seconds,
    )
    configure_code_pay(
        home, code_pay, alipay_key_pem=signing.private_pem(key), wechat_api_key=api_key
    )
    return code_pay
