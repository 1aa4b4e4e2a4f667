"""Alipay face-to-face barcode payment (当面付 条码支付) over the open platform's gateway:
`alipay.trade.pay` (scene bar_code), `.query`, `.cancel`, `.refund`, RSA2-signed both ways."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from pos.ports.payments import signing
from pos.ports.payments.bills import BillLine, read_alipay_bill
from pos.ports.payments.config import AlipaySettings
from pos.ports.payments.errors import ProviderRefused, ProviderUnknown
from pos.ports.payments.trade import Trade, TradeStatus, http_client, post

SHANGHAI = ZoneInfo("Asia/Shanghai")
"""Alipay's `timestamp` parameter is Beijing time."""


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


_TRADE_STATUS = {
    "WAIT_BUYER_PAY": TradeStatus.PAYING,
    "TRADE_SUCCESS": TradeStatus.SUCCESS,
    "TRADE_FINISHED": TradeStatus.SUCCESS,
    "TRADE_CLOSED": TradeStatus.CLOSED,
}


class AlipayClient:
    kind = "alipay"

    def __init__(self, settings: AlipaySettings, home: Path, *, connect: float, read: float):
        self.settings = settings
        self._key = signing.load_private((home / settings.key_file).read_bytes())
        self._alipay_key = signing.load_public(settings.alipay_public_key)
        self._http = http_client(connect, read)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, biz: dict[str, Any]) -> dict[str, Any]:
        params = {
            "app_id": self.settings.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
            "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
        }
        params["sign"] = signing.rsa2_sign(self._key, signing.sign_content(params))
        response = await post(self._http, self.settings.gateway_url, data=params)
        node = method.replace(".", "_") + "_response"
        body = response.text
        try:
            raw = signing.response_text(body, node)
            whole = json.loads(body)
        except ValueError as exc:
            raise ProviderUnknown("PROVIDER_BAD_ANSWER", f"Alipay answered {body[:80]!r}") from exc
        if raw is None:
            raise ProviderUnknown("PROVIDER_BAD_ANSWER", f"Alipay answered without {node}.")
        answer: dict[str, Any] = json.loads(raw)
        sign = whole.get("sign")
        if sign is None and answer.get("code") != "10000":
            return answer  # Alipay leaves some refusals (bad signature of ours) unsigned
        if not isinstance(sign, str) or not signing.rsa2_verify(self._alipay_key, raw, sign):
            raise ProviderUnknown("PROVIDER_BAD_SIGNATURE", "Alipay's answer is not signed by it.")
        return answer

    @staticmethod
    def _refused(answer: dict[str, Any]) -> str:
        code = answer.get("sub_code") or answer.get("code")
        return f"{code}: {answer.get('sub_msg') or answer.get('msg')}"

    def _general(self, answer: dict[str, Any]) -> None:
        """Codes other than success or a business refusal: 20000 means "unknown, query"."""
        code = answer.get("code")
        if code == "20000":
            raise ProviderUnknown("PROVIDER_BUSY", f"Alipay: {self._refused(answer)}")
        if code not in ("10000", "10003", "40004"):
            raise ProviderRefused("PROVIDER_REFUSED", f"Alipay: {self._refused(answer)}")

    async def pay(self, out_trade_no: str, auth_code: str, amount: int, subject: str) -> Trade:
        answer = await self._call(
            "alipay.trade.pay",
            {
                "out_trade_no": out_trade_no,
                "scene": "bar_code",
                "auth_code": auth_code,
                "total_amount": yuan(amount),
                "subject": subject,
            },
        )
        self._general(answer)
        match answer.get("code"):
            case "10000":
                return Trade(TradeStatus.SUCCESS, answer.get("trade_no"))
            case "10003":
                return Trade(TradeStatus.PAYING, answer.get("trade_no"))
        if answer.get("sub_code") == "ACQ.TRADE_HAS_SUCCESS":
            return await self.query(out_trade_no)
        return Trade(TradeStatus.FAILED, reason=self._refused(answer))

    async def query(self, out_trade_no: str) -> Trade:
        answer = await self._call("alipay.trade.query", {"out_trade_no": out_trade_no})
        self._general(answer)
        if answer.get("code") == "40004":
            if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                return Trade(TradeStatus.NOT_FOUND, reason=self._refused(answer))
            raise ProviderUnknown("PROVIDER_BUSY", f"Alipay: {self._refused(answer)}")
        status = _TRADE_STATUS.get(answer.get("trade_status", ""))
        if status is None:
            raise ProviderUnknown("PROVIDER_BAD_ANSWER", f"Alipay trade status {answer!r}")
        return Trade(status, answer.get("trade_no"))

    async def cancel(self, out_trade_no: str) -> None:
        answer = await self._call("alipay.trade.cancel", {"out_trade_no": out_trade_no})
        self._general(answer)
        if answer.get("code") != "10000" or answer.get("retry_flag") == "Y":
            raise ProviderUnknown("PROVIDER_CANCEL_PENDING", f"Alipay: {self._refused(answer)}")

    async def refund(self, out_trade_no: str, out_request_no: str, amount: int, total: int) -> None:
        answer = await self._call(
            "alipay.trade.refund",
            {
                "out_trade_no": out_trade_no,
                "refund_amount": yuan(amount),
                "out_request_no": out_request_no,
            },
        )
        self._general(answer)
        if answer.get("code") != "10000":
            raise ProviderRefused("PROVIDER_REFUND_REFUSED", f"Alipay: {self._refused(answer)}")

    async def bill(self, day: date) -> list[BillLine]:
        answer = await self._call(
            "alipay.data.dataservice.bill.downloadurl.query",
            {"bill_type": "trade", "bill_date": day.isoformat()},
        )
        self._general(answer)
        if answer.get("code") != "10000":
            if answer.get("sub_code") == "isp.bill_not_exist":
                return []
            raise ProviderRefused("PROVIDER_BILL_REFUSED", f"Alipay: {self._refused(answer)}")
        try:
            response = await self._http.get(str(answer["bill_download_url"]))
            response.raise_for_status()
        except (httpx.HTTPError, KeyError) as exc:
            raise ProviderUnknown(
                "PROVIDER_BAD_BILL", f"Alipay's bill did not download: {exc!r}"
            ) from exc
        return read_alipay_bill(response.content)
