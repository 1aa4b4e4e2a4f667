"""Every word the counter shows, from a catalog: English and Simplified Chinese.

The catalogs are flat JSON files (`pos/locales/<lang>.json`) so a translator edits data, not
code. A key missing from a catalog falls back to English, then to the key itself, so a gap is
visible on screen rather than a crash at the counter.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from contract.errors import BoxOfficeError

LANGUAGES = ("en", "zh")
LOCALES = Path(__file__).resolve().parent / "locales"

_current = "en"


@cache
def catalog(lang: str) -> dict[str, str]:
    return json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))


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
    text = catalog(_current).get(key) or catalog("en").get(key) or key
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in catalog("en")


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


def money(fen: int) -> str:
    """Integer fen as ¥60.00, by integer arithmetic only. (printer.strings has the same for
    paper, but importing `printer` loads python-escpos, a second of the counter's start.)"""
    sign = "-" if fen < 0 else ""
    units, cents = divmod(abs(fen), 100)
    return f"{sign}¥{units}.{cents:02d}"


def clock(moment: datetime, timezone: str) -> str:
    """HH:MM in the cinema's zone."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%H:%M")


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
    """A catalog key as a `t(...)` field value, translated when shown."""

    def __init__(self, key: str):
        self.key = key

    def __format__(self, spec: str) -> str:
        return format(t(self.key), spec)
