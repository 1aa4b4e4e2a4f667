"""Reading the providers' daily bills into what the merchant kept of each trade: WeChat Pay's
`downloadbill` text (fields behind backticks; REFUND rows of their own) and Alipay's trade bill
CSV (GBK, `#` comment lines; 退款 rows with negative takings). Amounts are yuan with two
decimals; everything returned is fen."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from pos.ports.payments.errors import ProviderUnknown


@dataclass(frozen=True, slots=True)
class BillLine:
    out_trade_no: str
    trade_no: str
    kept: int
    """Fen the merchant kept of the trade that day: paid less refunded."""


def fen(yuan: str) -> int:
    text = yuan.strip()
    sign = -1 if text.startswith("-") else 1
    whole, _, part = text.lstrip("-").partition(".")
    if not whole.isdigit() or len(part) > 2 or (part and not part.isdigit()):
        raise ProviderUnknown("PROVIDER_BAD_BILL", f"Not an amount in a provider's bill: {yuan!r}")
    return sign * (int(whole) * 100 + int(part.ljust(2, "0") or 0))


def _kept(rows: list[tuple[str, str, int]]) -> list[BillLine]:
    kept: dict[str, BillLine] = {}
    for no, trade_no, amount in rows:
        before = kept.get(no)
        kept[no] = BillLine(no, trade_no, amount + (before.kept if before else 0))
    return list(kept.values())


def read_wechat_bill(text: str) -> list[BillLine]:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or not lines[0].startswith("交易时间"):
        raise ProviderUnknown("PROVIDER_BAD_BILL", "WeChat Pay's bill has no header line.")
    names = lines[0].split(",")
    rows = []
    for line in lines[1:]:
        if line.startswith("总交易单数"):
            break
        row = dict(zip(names, (v.lstrip("`") for v in line.split(",")), strict=False))
        if row.get("交易状态") == "REFUND":
            amount = -fen(row["退款金额"])
        elif row.get("交易状态") in ("SUCCESS", "REVOKED"):
            amount = fen(row["应结订单金额"])  # a revoked one's money goes back in a REFUND row
        else:
            continue
        rows.append((row["商户订单号"], row["微信订单号"], amount))
    return _kept(rows)


def read_alipay_bill(data: bytes) -> list[BillLine]:
    text = data.decode("gbk")
    body = [line for line in text.splitlines() if line and not line.startswith("#")]
    rows = []
    for row in csv.DictReader(io.StringIO("\n".join(body))):
        rows.append(
            (row["商户订单号"].strip(), row["支付宝交易号"].strip(), fen(row["商家实收（元）"]))
        )
    return _kept(rows)
