"""The reference gateway's daily bills, in the providers' shapes (a subset of their columns,
under their own names): WeChat Pay's `downloadbill` text, every field behind a backtick, refunds
as rows of their own, and a summary; Alipay's trade bill, a GBK CSV with `#` comment lines,
business type 交易 or 退款. A bill lists one merchant's trades of one day in Beijing time."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from devtools.gateway.ledger import Trade

BEIJING = ZoneInfo("Asia/Shanghai")
WECHAT_COLUMNS = (
    "交易时间,公众账号ID,商户号,微信订单号,商户订单号,交易类型,交易状态,应结订单金额,"
    "微信退款单号,商户退款单号,退款金额,退款状态"
)
ALIPAY_COLUMNS = ["支付宝交易号", "商户订单号", "业务类型", "完成时间", "订单金额（元）",
                  "商家实收（元）", "退款批次号/请求号"]  # fmt: skip


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _of(trades: list[Trade], provider: str, merchant: str, day: date) -> list[Trade]:
    return [
        t
        for t in trades
        if t.provider == provider
        and t.merchant == merchant
        and t.amount > 0
        and datetime.fromisoformat(t.created_at).astimezone(BEIJING).date() == day
        and t.state in ("success", "reversed")
    ]


def wechat_bill(trades: list[Trade], mch_id: str, appid: str, day: date) -> str | None:
    """The bill's text, or None when the merchant had no trade that day ("No Bill Exist")."""
    mine = _of(trades, "wechat", mch_id, day)
    if not mine:
        return None
    lines = [WECHAT_COLUMNS]
    paid = back = 0
    for t in mine:
        when = (
            datetime.fromisoformat(t.created_at).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
        )
        head = [when, appid, mch_id, t.trade_no, t.out_trade_no, "MICROPAY"]
        state = "SUCCESS" if t.state == "success" else "REVOKED"
        lines.append(
            ",".join(f"`{v}" for v in [*head, state, _yuan(t.amount), "0", "", "0.00", ""])
        )
        paid += t.amount
        refunds = dict(t.refunds) if t.state == "success" else {"revoke": t.amount}
        for request_no, amount in refunds.items():
            fields = [*head, "REFUND", "0.00", f"5030{t.trade_no[4:]}", request_no,
                      _yuan(amount), "SUCCESS"]  # fmt: skip
            lines.append(",".join(f"`{v}" for v in fields))
            back += amount
    lines.append("总交易单数,应结订单总金额,退款总金额")
    lines.append(f"`{len(mine)},`{_yuan(paid)},`{_yuan(back)}")
    return "\r\n".join(lines) + "\r\n"


def alipay_bill(trades: list[Trade], app_id: str, day: date) -> bytes:
    """The trade bill as Alipay's download gives it (the CSV inside its zip), GBK."""
    out = io.StringIO()
    out.write(f"#支付宝业务明细查询\n#账号：[{app_id}]\n#起始日期：[{day:%Y年%m月%d日} 00:00:00]\n")
    out.write(
        "#-----------------------------------------业务明细列表----------------------------\n"
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ALIPAY_COLUMNS)
    for t in _of(trades, "alipay", app_id, day):
        when = (
            datetime.fromisoformat(t.created_at).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
        )
        writer.writerow([t.trade_no, t.out_trade_no, "交易", when, _yuan(t.amount),
                         _yuan(t.amount), ""])  # fmt: skip
        refunds = dict(t.refunds) if t.state == "success" else {t.out_trade_no: t.amount}
        for request_no, amount in refunds.items():
            writer.writerow([t.trade_no, t.out_trade_no, "退款", when, _yuan(t.amount),
                             _yuan(-amount), request_no])  # fmt: skip
    out.write(
        "#-----------------------------------------业务明细列表结束------------------------\n"
    )
    return out.getvalue().encode("gbk")
