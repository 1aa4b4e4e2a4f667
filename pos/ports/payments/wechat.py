"""WeChat Pay v2 payment-code payment (付款码支付): `micropay`, `orderquery`, `reverse`, `refund`,
XML signed with the merchant's API key (MD5 or HMAC-SHA256) both ways. Every call shows the
merchant's API client certificate when one is set up: `/secapi/` calls need it."""

from __future__ import annotations

import secrets
import ssl
from datetime import date
from pathlib import Path

import httpx

from pos.ports.payments import signing
from pos.ports.payments.bills import BillLine, read_wechat_bill
from pos.ports.payments.config import WechatSettings
from pos.ports.payments.errors import ProviderRefused, ProviderUnknown
from pos.ports.payments.trade import Trade, TradeStatus, http_client, post

_UNKNOWN = frozenset({"SYSTEMERROR", "BANKERROR"})
"""micropay's "outcome unknown: query" errors."""
_TRADE_STATE = {
    "SUCCESS": TradeStatus.SUCCESS,
    "REFUND": TradeStatus.SUCCESS,
    "USERPAYING": TradeStatus.PAYING,
    "NOTPAY": TradeStatus.PAYING,
    "PAYERROR": TradeStatus.FAILED,
    "CLOSED": TradeStatus.CLOSED,
    "REVOKED": TradeStatus.CLOSED,
}


def _tls(settings: WechatSettings, home: Path) -> ssl.SSLContext | None:
    """The connection's trust and client certificate, or None for the system's defaults. Loaded
    now, so a missing or damaged file stops the client being made (OSError: ssl.SSLError is
    one), not a refund later."""
    if settings.ca_file is None and settings.cert_file is None:
        return None
    context = ssl.create_default_context(
        cafile=home / settings.ca_file if settings.ca_file is not None else None
    )
    if settings.cert_file is not None and settings.cert_key_file is not None:
        context.load_cert_chain(home / settings.cert_file, home / settings.cert_key_file)
    return context


class WechatClient:
    kind = "wechat"

    def __init__(self, settings: WechatSettings, home: Path, *, connect: float, read: float):
        self.settings = settings
        self._api_key = (home / settings.key_file).read_text(encoding="utf-8").strip()
        self._http = http_client(connect, read, _tls(settings, home))

    async def aclose(self) -> None:
        await self._http.aclose()

    def _signed(self, fields: dict[str, str]) -> bytes:
        s = self.settings
        params = {
            "appid": s.appid,
            "mch_id": s.mch_id,
            "nonce_str": secrets.token_hex(16),
            "sign_type": s.sign_type,
            **fields,
        }
        params["sign"] = signing.wechat_sign(params, self._api_key, s.sign_type)
        return signing.to_xml(params)

    async def _post(self, path: str, fields: dict[str, str]) -> httpx.Response:
        return await post(
            self._http,
            self.settings.base_url.rstrip("/") + path,
            content=self._signed(fields),
            headers={"Content-Type": "text/xml; charset=utf-8"},
        )

    async def _call(self, path: str, fields: dict[str, str]) -> dict[str, str]:
        s = self.settings
        response = await self._post(path, fields)
        try:
            answer = signing.from_xml(response.content)
        except ValueError as exc:
            raise ProviderUnknown(
                "PROVIDER_BAD_ANSWER", f"WeChat Pay answered {response.text[:80]!r}"
            ) from exc
        if answer.get("return_code") != "SUCCESS":
            raise ProviderRefused("PROVIDER_REFUSED", f"WeChat Pay: {answer.get('return_msg')}")
        expected = signing.wechat_sign(answer, self._api_key, s.sign_type)
        if answer.get("sign") != expected:
            raise ProviderUnknown("PROVIDER_BAD_SIGNATURE", "WeChat Pay's answer is not signed.")
        return answer

    @staticmethod
    def _refused(answer: dict[str, str]) -> str:
        return f"{answer.get('err_code')}: {answer.get('err_code_des')}"

    async def pay(self, out_trade_no: str, auth_code: str, amount: int, subject: str) -> Trade:
        answer = await self._call(
            "/pay/micropay",
            {
                "body": subject,
                "out_trade_no": out_trade_no,
                "total_fee": str(amount),
                "spbill_create_ip": "127.0.0.1",
                "auth_code": auth_code,
            },
        )
        if answer.get("result_code") == "SUCCESS":
            return Trade(TradeStatus.SUCCESS, answer.get("transaction_id"))
        err = answer.get("err_code", "")
        if err == "USERPAYING":
            return Trade(TradeStatus.PAYING)
        if err in _UNKNOWN:
            raise ProviderUnknown("PROVIDER_BUSY", f"WeChat Pay: {self._refused(answer)}")
        return Trade(TradeStatus.FAILED, reason=self._refused(answer))

    async def query(self, out_trade_no: str) -> Trade:
        answer = await self._call("/pay/orderquery", {"out_trade_no": out_trade_no})
        if answer.get("result_code") != "SUCCESS":
            if answer.get("err_code") == "ORDERNOTEXIST":
                return Trade(TradeStatus.NOT_FOUND, reason=self._refused(answer))
            raise ProviderUnknown("PROVIDER_BUSY", f"WeChat Pay: {self._refused(answer)}")
        status = _TRADE_STATE.get(answer.get("trade_state", ""))
        if status is None:
            raise ProviderUnknown("PROVIDER_BAD_ANSWER", f"WeChat Pay trade state {answer!r}")
        return Trade(status, answer.get("transaction_id") or None)

    async def cancel(self, out_trade_no: str) -> None:
        answer = await self._call("/secapi/pay/reverse", {"out_trade_no": out_trade_no})
        if answer.get("result_code") != "SUCCESS" or answer.get("recall") == "Y":
            raise ProviderUnknown("PROVIDER_CANCEL_PENDING", f"WeChat Pay: {self._refused(answer)}")

    async def refund(self, out_trade_no: str, out_request_no: str, amount: int, total: int) -> None:
        answer = await self._call(
            "/secapi/pay/refund",
            {
                "out_trade_no": out_trade_no,
                "out_refund_no": out_request_no,
                "total_fee": str(total),
                "refund_fee": str(amount),
            },
        )
        if answer.get("result_code") != "SUCCESS":
            raise ProviderRefused("PROVIDER_REFUND_REFUSED", f"WeChat Pay: {self._refused(answer)}")

    async def bill(self, day: date) -> list[BillLine]:
        """downloadbill answers the bill as text, or XML when there is none (or it refused)."""
        response = await self._post(
            "/pay/downloadbill", {"bill_date": f"{day:%Y%m%d}", "bill_type": "ALL"}
        )
        if not response.content.lstrip().startswith(b"<xml>"):
            return read_wechat_bill(response.content.decode("utf-8"))
        answer = signing.from_xml(response.content)
        if answer.get("return_msg") == "No Bill Exist":
            return []
        raise ProviderRefused("PROVIDER_BILL_REFUSED", f"WeChat Pay: {answer.get('return_msg')}")
