"""What the printer needs from the shared catalog (`contract.i18n`).

The words themselves live in `contract/locales/<lang>.json` under the `paper.` prefix, next to
the counter's screen words, so one catalog holds every translation. Money and times are
formatted by `contract.money` and `contract.business_day`, as everywhere else.
"""

from __future__ import annotations

from contract import i18n
from contract.i18n import Lang

__all__ = ["LANGS", "Lang", "payment_label", "text"]

LANGS: tuple[Lang, ...] = i18n.LANGUAGES
PREFIX = "paper."
"""Catalog keys of words printed on paper."""


def text(key: str, lang: Lang, **values: object) -> str:
    """The paper words for `key` (catalog key `paper.<key>`)."""
    return i18n.text(PREFIX + key, lang, **values)


def has(key: str) -> bool:
    return i18n.has(PREFIX + key)


def payment_label(method: str, lang: Lang) -> str:
    """Known payment methods are translated; anything else prints as the caller named it."""
    key = f"pay_{method.lower()}"
    return text(key, lang) if has(key) else method
