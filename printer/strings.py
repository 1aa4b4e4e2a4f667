"""Every word printed on paper, in English and Simplified Chinese, plus money and time formats.

One catalog keeps the two languages side by side so a missing translation is visible in review
(and a test checks both languages have the same keys).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

CATALOG: dict[str, dict[Lang, str]] = {
    "auditorium": {"en": "Auditorium", "zh": "影厅"},
    "seat": {"en": "Seat", "zh": "座位"},
    "row_seat": {"en": "Row {row}, Seat {seat}", "zh": "{row}排{seat}座"},
    "date": {"en": "Date", "zh": "日期"},
    "starts": {"en": "Starts", "zh": "开场"},
    "ticket_type": {"en": "Ticket type", "zh": "票种"},
    "price": {"en": "Price", "zh": "票价"},
    "ticket_id": {"en": "Ticket", "zh": "票号"},
    "offline": {"en": "OFFLINE", "zh": "离线"},
    "reprint": {"en": "REPRINT", "zh": "重印"},
    "receipt": {"en": "Sale receipt", "zh": "销售小票"},
    "sale": {"en": "Sale", "zh": "订单"},
    "time": {"en": "Time", "zh": "时间"},
    "cashier": {"en": "Cashier", "zh": "收银员"},
    "total": {"en": "Total", "zh": "合计"},
    "change": {"en": "Change", "zh": "找零"},
    "pay_cash": {"en": "Cash", "zh": "现金"},
    "pay_card": {"en": "Card", "zh": "银行卡"},
    "pay_wechat": {"en": "WeChat Pay", "zh": "微信支付"},
    "pay_alipay": {"en": "Alipay", "zh": "支付宝"},
    "status_ok": {"en": "Printer ready", "zh": "打印机就绪"},
    "status_offline": {
        "en": "Printer is offline. Check it is switched on and its cover is shut.",
        "zh": "打印机离线。请检查电源是否打开、机盖是否合好。",
    },
    "status_unreachable": {
        "en": "Cannot reach the printer. Check it is switched on and plugged in.",
        "zh": "无法连接打印机。请检查电源和连接线。",
    },
    "status_paper_out": {
        "en": "Printer is out of paper. Load a new roll.",
        "zh": "打印机缺纸。请装入新纸卷。",
    },
    "status_cover_open": {
        "en": "Printer cover is open. Close it.",
        "zh": "打印机机盖打开。请合上机盖。",
    },
    "status_no_answer": {
        "en": "The printer did not answer. Check it is switched on.",
        "zh": "打印机没有响应。请检查电源是否打开。",
    },
    "status_connection_lost": {
        "en": "Connection to the printer was lost while printing.",
        "zh": "打印过程中与打印机的连接中断。",
    },
    "status_not_reported": {
        "en": "Printer connected (this connection cannot report paper or cover).",
        "zh": "打印机已连接（此连接方式无法报告缺纸或开盖）。",
    },
    "paper_low": {"en": "Paper is running low.", "zh": "纸卷快用完了。"},
}

CURRENCY_SYMBOLS = {"CNY": "¥"}


def text(key: str, lang: Lang, **values: object) -> str:
    """The catalog entry for `key`; a KeyError here is a bug, not a user error."""
    template = CATALOG[key][lang]
    return template.format(**values) if values else template


def payment_label(method: str, lang: Lang) -> str:
    """Known payment methods are translated; anything else prints as the caller named it."""
    key = f"pay_{method.lower()}"
    return text(key, lang) if key in CATALOG else method


def format_money(fen: int, currency: str = "CNY") -> str:
    """'¥60.00' from 6000 fen: integer arithmetic only, so no amount ever prints a cent off."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError(f"money must be integer minor units, got {fen!r}")
    sign = "-" if fen < 0 else ""
    units, cents = divmod(abs(fen), 100)
    symbol = CURRENCY_SYMBOLS.get(currency)
    amount = f"{units}.{cents:02d}"
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{currency} {amount}"


def local_time(moment: datetime, timezone: str) -> datetime:
    """A stored UTC instant as the cinema's wall clock; naive datetimes are refused."""
    if moment.tzinfo is None:
        raise ValueError("times on paper must be timezone-aware (stored in UTC)")
    return moment.astimezone(ZoneInfo(timezone))


def format_date(moment: datetime, timezone: str) -> str:
    return local_time(moment, timezone).strftime("%Y-%m-%d")


def format_clock(moment: datetime, timezone: str) -> str:
    return local_time(moment, timezone).strftime("%H:%M")
