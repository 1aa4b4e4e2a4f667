"""Every word the counter shows, in the cashier's chosen language.

The words come from the one catalog the whole system shares (`contract.i18n`, JSON files in
`contract/locales/`); this module adds what only the TUI needs: the current language, which the
language key switches, and helpers that format values for the screen. A key missing from a
language falls back to English, then to the key itself, so a gap is visible on screen rather
than a crash at the counter.
"""

from __future__ import annotations

from contract import i18n
from contract.business_day import format_clock
from contract.errors import BoxOfficeError
from contract.i18n import LANGUAGES
from contract.money import format_money

_current = "en"


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}")
    _current = lang


def language() -> str:
    return _current


def next_language() -> str:
    return LANGUAGES[(LANGUAGES.index(_current) + 1) % len(LANGUAGES)]


def t(key: str, **values: object) -> str:
    """The current language's text for `key`, with `{name}` fields filled in."""
    return i18n.text(key, _current, **values)


def has(key: str) -> bool:
    return i18n.has(key)


def error_text(exc: BoxOfficeError) -> str:
    """A cashier's sentence for an error: the catalog's words for its code when there are
    some (so Chinese counters read Chinese), else the counter's own message; the code is
    kept for IT."""
    key = f"error.{exc.code}"
    detail = exc.detail if isinstance(exc.detail, dict) else {}
    words = exc.message
    if has(key):
        try:
            words = t(key, **detail)
        except (KeyError, IndexError):
            words = t(key)
    return f"{words} [{exc.code}]"


money = format_money
"""Integer fen as ¥60.00 on screen: the contract's one money format, under the TUI's short name."""


clock = format_clock
"""HH:MM in the cinema's zone, as on the tickets."""


def pick(zh: str, en: str) -> str:
    """A name the central sends in both languages (film, auditorium, ticket type)."""
    return zh if _current == "zh" else en


def printer_problem(code: str, reason: str) -> str:
    """A print failure in the cashier's words (out of paper, cover open...), with its code."""
    key = f"printer.{code}"
    return f"{t(key) if has(key) else reason} [{code}]"


class Named:
    """A name the central gives in two languages, shown in the current one: a value for
    `t(...)` fields that stays right after a language switch."""

    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en

    def __format__(self, spec: str) -> str:
        return format(pick(self.zh, self.en), spec)


class Lazy:
    """A catalog key (with its own values) as a `t(...)` field value, translated when shown."""

    def __init__(self, key: str, **values: object):
        self.key = key
        self.values = values

    def __format__(self, spec: str) -> str:
        return format(t(self.key, **self.values), spec)
