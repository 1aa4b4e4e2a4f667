"""The provider clients against the reference gateway, below the counter: telling the kind from
the code, and signatures checked both ways (a client with the wrong key is refused, an answer
not signed by the provider is not believed)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from devtools.gateway.app import MerchantKeys
from devtools.gateway.server import GatewayThread
from pos.ports.payments import (
    BadPaymentCode,
    ProviderRefused,
    ProviderUnknown,
    TradeStatus,
    kind_of,
    signing,
)
from pos.ports.payments.alipay import AlipayClient, yuan
from pos.ports.payments.bills import BillLine, fen
from pos.ports.payments.config import AlipaySettings, WechatSettings
from pos.ports.payments.wechat import WechatClient


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("2512345678901234", "alipay"),  # 16 digits
        ("301234567890123456789012", "alipay"),  # 24 digits
        ("286012345678901234", "alipay"),
        ("101234567890123456", "wechat"),
        ("151234567890123456", "wechat"),
        (" 134567890123456789 ", "wechat"),  # the scanner's stray spaces
    ],
)
def test_kind_from_the_code(code: str, kind: str) -> None:
    assert kind_of(code) == kind


@pytest.mark.parametrize(
    "code",
    ["", "24123456789012345", "311234567890123456", "25123456789012", "1012345678901234567",
     "16123456789012345678", "13456789012345678x", "１３4567890123456789"],
)  # fmt: skip
def test_neither_kind_is_refused(code: str) -> None:
    with pytest.raises(BadPaymentCode):
        kind_of(code)


def test_yuan() -> None:
    assert [yuan(f) for f in (0, 1, 10, 4500, 123456)] == ["0.00", "0.01", "0.10", "45.00",
                                                          "1234.56"]  # fmt: skip


def merchant(gateway: GatewayThread, folder: Path) -> tuple[AlipaySettings, WechatSettings]:
    key = signing.new_rsa_key()
    (folder / "alipay_app.key").write_bytes(signing.private_pem(key))
    (folder / "wechat_api.key").write_text("k" * 32)
    answer = gateway.gateway.register(
        MerchantKeys(alipay_public_key=signing.public_pem(key), wechat_api_key="k" * 32)
    )
    return (
        AlipaySettings(
            gateway_url=f"{gateway.url}/alipay/gateway.do",
            app_id=answer["alipay_app_id"],
            alipay_public_key=answer["alipay_public_key"],
        ),
        WechatSettings(
            base_url=f"{gateway.url}/wechat",
            appid=answer["wechat_appid"],
            mch_id=answer["wechat_mch_id"],
            sign_type="MD5",
        ),
    )


def test_pay_query_cancel_refund_both_providers(gateway: GatewayThread, tmp_path: Path) -> None:
    ali, wx = merchant(gateway, tmp_path)

    async def main() -> None:
        for client, code in (
            (AlipayClient(ali, tmp_path, connect=1, read=2), "286012345678901234"),
            (WechatClient(wx, tmp_path, connect=1, read=2), "134567890123456789"),
        ):
            paid = await client.pay("N1", code, 4500, "t")
            assert paid.status == TradeStatus.SUCCESS and paid.trade_no
            again = await client.pay("N1", code, 4500, "t")  # same number: not charged twice
            assert again.trade_no == paid.trade_no
            await client.refund("N1", "R1", 1000, 4500)
            await client.refund("N1", "R1", 1000, 4500)  # same request number: once
            with pytest.raises(ProviderRefused):
                await client.refund("N1", "R2", 4000, 4500)  # more than is left
            assert (await client.query("N2")).status == TradeStatus.NOT_FOUND
            await client.cancel("N2")  # closes a number never used: a late charge cannot land
            assert (await client.pay("N2", code, 100, "t")).status == TradeStatus.FAILED
            await client.aclose()

    asyncio.run(main())
    kept = {(t["provider"], t["out_trade_no"]): t["kept"] for t in gateway.statement()}
    assert kept == {("alipay", "N1"): 3500, ("wechat", "N1"): 3500, ("alipay", "N2"): 0,
                    ("wechat", "N2"): 0}  # fmt: skip


def test_signatures_are_checked_both_ways(gateway: GatewayThread, tmp_path: Path) -> None:
    ali, wx = merchant(gateway, tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "alipay_app.key").write_bytes(signing.private_pem(signing.new_rsa_key()))
    (other / "wechat_api.key").write_text("x" * 32)
    impostor = signing.public_pem(signing.new_rsa_key())

    async def main() -> None:
        with pytest.raises(ProviderRefused, match="invalid-signature"):
            await AlipayClient(ali, other, connect=1, read=2).pay(
                "N3", "286012345678901234", 1, "t"
            )
        with pytest.raises(ProviderRefused):
            await WechatClient(wx, other, connect=1, read=2).query("N3")
        fooled = ali.model_copy(update={"alipay_public_key": impostor})
        with pytest.raises(ProviderUnknown, match="not signed"):
            await AlipayClient(fooled, tmp_path, connect=1, read=2).query("N3")

    asyncio.run(main())


def test_the_daily_bills_say_what_the_merchant_kept(gateway: GatewayThread, tmp_path: Path) -> None:
    """Paid, part refunded, reversed, never paid: each provider's bill, read back."""
    ali, wx = merchant(gateway, tmp_path)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()

    async def main() -> dict[str, list[BillLine]]:
        bills = {}
        for client, code in (
            (AlipayClient(ali, tmp_path, connect=1, read=2), "286012345678901234"),
            (WechatClient(wx, tmp_path, connect=1, read=2), "134567890123456789"),
        ):
            assert await client.bill(today) == []  # nothing charged yet
            await client.pay("P1", code, 4500, "t")
            await client.refund("P1", "R1", 1000, 4500)
            await client.pay("P2", code, 3000, "t")
            await client.cancel("P2")  # paid, then reversed: all of it back
            await client.cancel("P3")  # never paid
            bills[client.kind] = await client.bill(today)
            assert await client.bill(today - timedelta(days=1)) == []
            await client.aclose()
        return bills

    bills = asyncio.run(main())
    for kind in ("alipay", "wechat"):
        kept = {line.out_trade_no: line.kept for line in bills[kind]}
        assert kept == {"P1": 3500, "P2": 0}, (kind, bills[kind])
        assert all(line.trade_no for line in bills[kind])


def test_bill_amounts() -> None:
    assert [fen(y) for y in ("0.00", "45.00", "1234.5", "-10.00", "7")] == [0, 4500, 123450,
                                                                          -1000, 700]  # fmt: skip
    with pytest.raises(ProviderUnknown):
        fen("12.345")
