"""Which provider a payment code belongs to, told from the code itself, as the scanner typed it.

Alipay codes are 16 to 24 digits starting 25 to 30; WeChat Pay codes are 18 digits starting 10
to 15 (the providers' published ranges). Anything else is refused before any request leaves."""

from __future__ import annotations

from typing import Literal

from pos.ports.payments.errors import BadPaymentCode

Kind = Literal["alipay", "wechat"]


def kind_of(code: str) -> Kind:
    """The provider of a scanned payment code; BadPaymentCode (one line) if it is neither's."""
    text = code.strip()
    if not text.isascii() or not text.isdigit():
        raise BadPaymentCode("A payment code is digits only; scan the customer's code again.")
    prefix = int(text[:2]) if len(text) >= 2 else -1
    if 25 <= prefix <= 30 and 16 <= len(text) <= 24:
        return "alipay"
    if 10 <= prefix <= 15 and len(text) == 18:
        return "wechat"
    raise BadPaymentCode(
        "Not an Alipay (25–30…, 16–24 digits) or WeChat Pay (10–15…, 18 digits) payment code."
    )
