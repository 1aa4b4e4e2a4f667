"""The reference payment gateway: Alipay's open-platform gateway and WeChat Pay's v2 payment-code
API on one FastAPI app, with their request, answer and signing shapes, its own ledger, and a
drill mode. Tests and the demo point the counter's real clients at it on loopback.

Paths: `POST /alipay/gateway.do` (form, RSA2), `POST /wechat/pay/micropay`, `/pay/orderquery`,
`/secapi/pay/reverse`, `/secapi/pay/refund` (XML, MD5 or HMAC-SHA256; served over TLS that asks
for client certificates, `/secapi/` refuses a connection without one, as WeChat Pay does).
Development only, under `/dev/`: register a merchant, set the drill, read the statement."""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, Field

from central.drill import reset_connection  # the one way to abort a uvicorn connection
from central.loopback import peer_certificate
from devtools.gateway.bills import alipay_bill, wechat_bill
from devtools.gateway.ledger import Drill, Ledger, Trade
from pos.ports.payments import signing
from pos.ports.payments.errors import BadPaymentCode
from pos.ports.payments.kinds import kind_of


class DrillSettings(BaseModel):
    mode: Drill = Drill.INSTANT
    slow_seconds: float = Field(default=6.0, ge=0, le=120)


class MerchantKeys(BaseModel):
    alipay_public_key: str
    wechat_api_key: str = Field(min_length=16)


@dataclass
class Gateway:
    """The gateway's state: its Alipay platform key, the merchants it knows, its ledger."""

    drill: DrillSettings = field(default_factory=DrillSettings)
    ledger: Ledger = field(default_factory=Ledger)
    platform_key: Any = field(default_factory=signing.new_rsa_key)
    alipay_apps: dict[str, Any] = field(default_factory=dict)
    wechat_keys: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, keys: MerchantKeys) -> dict[str, str]:
        with self.lock:
            number = len(self.alipay_apps) + 1
            app_id = f"2021{number:012d}"
            mch_id = f"1900{number:06d}"
            self.alipay_apps[app_id] = signing.load_public(keys.alipay_public_key)
            self.wechat_keys[mch_id] = keys.wechat_api_key
        return {
            "alipay_app_id": app_id,
            "alipay_public_key": signing.public_pem(self.platform_key),
            "wechat_appid": "wx" + secrets.token_hex(8),
            "wechat_mch_id": mch_id,
        }

    # --- the trade rules, the same for both providers ----------------------------------------

    def charge(self, provider: str, out_trade_no: str, amount: int, merchant: str) -> Trade:
        """A repeated order number gets the first trade back: never charged twice."""
        state = {
            Drill.INSUFFICIENT_FUNDS: "failed",
            Drill.USER_PAYING: "paying",
            Drill.USER_PAYING_TIMEOUT: "paying",
        }.get(self.drill.mode, "success")
        return self.ledger.open(provider, out_trade_no, amount, state, merchant)

    def look(self, provider: str, out_trade_no: str) -> Trade | None:
        trade = self.ledger.get(provider, out_trade_no)
        if trade is not None and trade.state == "paying" and self.drill.mode == Drill.USER_PAYING:
            self.ledger.set_state(trade, "success")  # the customer confirmed in the app
        return trade

    def cancel(self, provider: str, out_trade_no: str) -> str:
        """close (nothing was paid) or refund (paid: all of it back). An order number never
        seen is closed too, so a charge still on its way cannot land afterwards."""
        trade = self.ledger.open(provider, out_trade_no, 0, "closed")
        if trade.state == "success":
            self.ledger.set_state(trade, "reversed")
            return "refund"
        if trade.state in ("paying", "failed"):
            self.ledger.set_state(trade, "closed")
        return "close" if trade.state == "closed" else "refund"


def _code_ok(code: str, kind: str) -> bool:
    try:
        return kind_of(code) == kind
    except BadPaymentCode:
        return False


def _fen(yuan: str) -> int | None:
    whole, _, part = yuan.partition(".")
    if not whole.isdigit() or not (part.isdigit() or part == "") or len(part) > 2:
        return None
    return int(whole) * 100 + int(part.ljust(2, "0") or 0)


# --- Alipay -------------------------------------------------------------------------------------


def _alipay(gw: Gateway, form: dict[str, str], base: str) -> tuple[str, dict[str, Any]]:
    method = form.get("method", "")
    app = gw.alipay_apps.get(form.get("app_id", ""))
    if app is None:
        return method, {
            "code": "40002",
            "msg": "Invalid Arguments",
            "sub_code": "isv.invalid-app-id",
        }
    if form.get("sign_type") != "RSA2" or not signing.rsa2_verify(
        app, signing.sign_content(form), form.get("sign", "")
    ):
        return method, {
            "code": "40002",
            "msg": "Invalid Arguments",
            "sub_code": "isv.invalid-signature",
        }
    try:
        biz = json.loads(form.get("biz_content", "{}"))
    except ValueError:
        biz = {}
    no = str(biz.get("out_trade_no", ""))
    ok = {"code": "10000", "msg": "Success", "out_trade_no": no}
    refused = {"code": "40004", "msg": "Business Failed", "out_trade_no": no}
    match method:
        case "alipay.trade.pay":
            amount = _fen(str(biz.get("total_amount", "")))
            if biz.get("scene") != "bar_code" or not no or amount is None or amount <= 0:
                return method, {
                    "code": "40002",
                    "msg": "Invalid Arguments",
                    "sub_code": "isv.missing-or-invalid",
                }
            if not _code_ok(str(biz.get("auth_code", "")), "alipay"):
                return method, refused | {
                    "sub_code": "ACQ.PAYMENT_AUTH_CODE_INVALID",
                    "sub_msg": "支付失败，获取顾客账户信息失败",
                }
            trade = gw.charge("alipay", no, amount, form["app_id"])
            if trade.state == "success":
                return method, ok | {
                    "trade_no": trade.trade_no,
                    "total_amount": biz["total_amount"],
                }
            if trade.state == "paying":
                return method, {
                    "code": "10003",
                    "msg": "order success pay inprocess",
                    "out_trade_no": no,
                    "trade_no": trade.trade_no,
                }
            if trade.state == "failed":
                return method, refused | {
                    "sub_code": "ACQ.BUYER_BALANCE_NOT_ENOUGH",
                    "sub_msg": "买家余额不足",
                }
            return method, refused | {"sub_code": "ACQ.TRADE_HAS_CLOSE", "sub_msg": "交易已经关闭"}
        case "alipay.trade.query":
            trade = gw.look("alipay", no)
            if trade is None:
                return method, refused | {
                    "sub_code": "ACQ.TRADE_NOT_EXIST",
                    "sub_msg": "交易不存在",
                }
            status = {"paying": "WAIT_BUYER_PAY", "success": "TRADE_SUCCESS"}.get(
                trade.state, "TRADE_CLOSED"
            )
            return method, ok | {"trade_no": trade.trade_no, "trade_status": status}
        case "alipay.trade.cancel":
            action = gw.cancel("alipay", no)
            return method, ok | {"retry_flag": "N", "action": action}
        case "alipay.data.dataservice.bill.downloadurl.query":
            day = str(biz.get("bill_date", ""))
            try:
                date.fromisoformat(day)
            except ValueError:
                return method, refused | {
                    "sub_code": "isp.bill_date_invalid",
                    "sub_msg": "日期格式错误",
                }
            url = f"{base}/alipay/bills/{form['app_id']}/{day}.csv"
            return method, {"code": "10000", "msg": "Success", "bill_download_url": url}
        case "alipay.trade.refund":
            trade = gw.ledger.get("alipay", no)
            amount = _fen(str(biz.get("refund_amount", "")))
            request_no = str(biz.get("out_request_no") or no)
            if trade is None or amount is None or not gw.ledger.refund(trade, request_no, amount):
                return method, refused | {
                    "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                    "sub_msg": "退款金额超限",
                }
            return method, ok | {
                "trade_no": trade.trade_no,
                "fund_change": "Y",
                "refund_fee": biz["refund_amount"],
            }
    return method, {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"}


def _alipay_body(gw: Gateway, method: str, answer: dict[str, Any]) -> str:
    node = method.replace(".", "_") + "_response" if method else "error_response"
    inner = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    sign = signing.rsa2_sign(gw.platform_key, inner)
    return f'{{"{node}":{inner},"sign":"{sign}"}}'


# --- WeChat Pay ---------------------------------------------------------------------------------


def _wechat_key(gw: Gateway, req: dict[str, str]) -> str | None:
    """The merchant's API key if the request is signed with it, else None."""
    key = gw.wechat_keys.get(req.get("mch_id", ""))
    if key is None or req.get("sign") != signing.wechat_sign(req, key, req.get("sign_type", "MD5")):
        return None
    return key


def _wechat(gw: Gateway, path: str, req: dict[str, str]) -> tuple[dict[str, str], str | None]:
    """(answer, key to sign it with); without a key the answer is a return_code FAIL."""
    key = _wechat_key(gw, req)
    sign_type = req.get("sign_type", "MD5")
    if key is None:
        return {"return_code": "FAIL", "return_msg": "签名错误"}, None
    base = {
        "return_code": "SUCCESS",
        "return_msg": "OK",
        "appid": req.get("appid", ""),
        "mch_id": req["mch_id"],
        "nonce_str": secrets.token_hex(16),
        "sign_type": sign_type,
    }
    no = req.get("out_trade_no", "")
    ok = base | {"result_code": "SUCCESS", "out_trade_no": no}

    def fail(code: str, words: str) -> dict[str, str]:
        return base | {"result_code": "FAIL", "err_code": code, "err_code_des": words}

    match path:
        case "/pay/micropay":
            total = req.get("total_fee", "")
            if not no or not total.isdigit() or int(total) <= 0:
                return fail("PARAM_ERROR", "参数错误"), key
            if not _code_ok(req.get("auth_code", ""), "wechat"):
                return fail("AUTH_CODE_INVALID", "授权码检验错误"), key
            trade = gw.charge("wechat", no, int(total), req["mch_id"])
            if trade.state == "success":
                return ok | {"transaction_id": trade.trade_no, "total_fee": total}, key
            if trade.state == "paying":
                return fail("USERPAYING", "需要用户输入支付密码"), key
            if trade.state == "failed":
                return fail("NOTENOUGH", "余额不足"), key
            return fail("ORDERREVERSED", "订单已撤销"), key
        case "/pay/orderquery":
            trade = gw.look("wechat", no)
            if trade is None:
                return fail("ORDERNOTEXIST", "此交易订单号不存在"), key
            state = {
                "paying": "USERPAYING",
                "success": "REFUND" if trade.refunded else "SUCCESS",
                "failed": "PAYERROR",
                "reversed": "REVOKED",
            }.get(trade.state, "CLOSED")
            return ok | {"trade_state": state, "transaction_id": trade.trade_no}, key
        case "/secapi/pay/reverse":
            gw.cancel("wechat", no)
            return ok | {"recall": "N"}, key
        case "/secapi/pay/refund":
            trade = gw.ledger.get("wechat", no)
            fee = req.get("refund_fee", "")
            request_no = req.get("out_refund_no", "")
            if trade is None or not fee.isdigit() or not request_no:
                return fail("PARAM_ERROR", "参数错误"), key
            if not gw.ledger.refund(trade, request_no, int(fee)):
                return fail("ERROR", "退款金额超限"), key
            return ok | {"transaction_id": trade.trade_no, "refund_fee": fee}, key
    return fail("NOT_FOUND", "no such API"), key


def _wechat_bill_answer(gw: Gateway, req: dict[str, str]) -> Response:
    """The day's bill as text, or an XML FAIL (bad signature, bad date, no bill that day)."""
    day = req.get("bill_date", "")
    fail = {"return_code": "FAIL", "return_msg": "签名错误"}
    if _wechat_key(gw, req) is not None:
        fail["return_msg"] = "invalid bill_date"
        try:
            when = date(int(day[:4]), int(day[4:6]), int(day[6:]))
        except ValueError:
            when = None
        if when is not None and len(day) == 8:
            bill = wechat_bill(gw.ledger.trades(), req["mch_id"], req.get("appid", ""), when)
            if bill is not None:
                return Response(bill, media_type="text/plain; charset=utf-8")
            fail["return_msg"] = "No Bill Exist"
    return Response(signing.to_xml(fail), media_type="text/xml")


def _wechat_body(answer: dict[str, str], key: str | None) -> bytes:
    if key is not None:
        answer["sign"] = signing.wechat_sign(answer, key, answer.get("sign_type", "MD5"))
    return signing.to_xml(answer)


# --- the app ------------------------------------------------------------------------------------


class ResetAfterCharge:
    """In the reset drill, a charge is taken and then the connection dies before the answer.
    A route that charged says so in the request's state; other answers go out as usual."""

    def __init__(self, app: Any, gateway: Gateway) -> None:
        self.app = app
        self.gateway = gateway

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.gateway.drill.mode != Drill.RESET_AFTER_CHARGE:
            await self.app(scope, receive, send)
            return
        held: list[Any] = []

        async def hold(message: Any) -> None:
            held.append(message)

        scope.setdefault("state", {})
        await self.app(scope, receive, hold)
        if scope["state"].get("charged") and reset_connection(send):
            await asyncio.sleep(0.01)  # let uvicorn see the connection gone before we return
            return
        for message in held:
            await send(message)


class SecapiNeedsCertificate:
    """WeChat Pay's `/secapi/` (reverse, refund) is for connections that showed the merchant's
    API client certificate; any other gets WeChat's refusal, a return_code FAIL. The TLS layer
    (CERT_OPTIONAL) has already verified a certificate that was shown against the client CA."""

    PREFIX = "/wechat/secapi/"

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] != "http"
            or not scope["path"].startswith(self.PREFIX)
            or peer_certificate(send) is not None
        ):
            await self.app(scope, receive, send)
            return
        body = signing.to_xml({"return_code": "FAIL", "return_msg": "证书错误"})
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/xml"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def create_app(gateway: Gateway | None = None, *, client_certs: bool = False) -> Any:
    """`client_certs`: the server asks for client certificates (TLS with a client CA), and
    `/secapi/` needs one."""
    gw = gateway or Gateway()
    app = FastAPI(title="Reference payment gateway (Alipay, WeChat Pay)", docs_url=None)

    async def charged(request: Request) -> None:
        """A charge was asked for: the drill may lose or delay its answer."""
        request.state.charged = True
        if gw.drill.mode == Drill.SLOW:
            await asyncio.sleep(gw.drill.slow_seconds)

    @app.post("/alipay/gateway.do")
    async def alipay(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        method, answer = _alipay(gw, form, str(request.base_url).rstrip("/"))
        if method == "alipay.trade.pay":
            await charged(request)
        return Response(_alipay_body(gw, method, answer), media_type="application/json")

    @app.get("/alipay/bills/{app_id}/{day}.csv")
    async def alipay_bills(app_id: str, day: date) -> Response:
        bill = alipay_bill(gw.ledger.trades(), app_id, day)
        return Response(bill, media_type="text/csv; charset=GBK")

    @app.post("/wechat/{path:path}")
    async def wechat(path: str, request: Request) -> Response:
        try:
            req = signing.from_xml(await request.body())
        except Exception:  # any unparsable body is WeChat's "bad XML" answer
            req = {}
        if path == "pay/downloadbill":
            return _wechat_bill_answer(gw, req)
        answer, key = _wechat(gw, "/" + path, req)
        if path == "pay/micropay":
            await charged(request)
        return Response(_wechat_body(answer, key), media_type="text/xml")

    @app.post("/dev/merchants")
    async def merchants(keys: MerchantKeys) -> dict[str, str]:
        return gw.register(keys)

    @app.put("/dev/drill")
    async def drill(settings: DrillSettings) -> DrillSettings:
        gw.drill = settings
        return gw.drill

    @app.get("/dev/statement")
    async def statement() -> list[dict[str, Any]]:
        return gw.ledger.statement()

    @app.get("/dev/health")
    async def health() -> dict[str, str]:
        return {"status": "ok", "drill": gw.drill.mode.value}

    app.state.gateway = gw
    outer = ResetAfterCharge(app, gw)
    return SecapiNeedsCertificate(outer) if client_certs else outer
