"""Every word the system shows or prints, in English and Simplified Chinese, from one catalog.

The catalog is one flat JSON file per language (`contract/locales/<lang>.json`), so a translator
edits data, not code, and the counter's screens and the printer's paper can never disagree about a
word. Keys are grouped by prefix: `paper.` for what the printer puts on paper, `error.`, `key.`,
`status.`... for the counter's screens. Both languages have exactly the same keys (a test checks).

A key missing from a language falls back to English, then to the key itself, so a gap shows on
screen or paper instead of stopping a sale.

    >>> text("paper.row_seat", "zh", row=7, seat=12)
    '7排12座'
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

Lang = Literal["en", "zh"]
LANGUAGES: tuple[Lang, ...] = ("en", "zh")
FALLBACK: Lang = "en"
LOCALES = Path(__file__).resolve().parent / "locales"


@cache
def catalog(lang: str) -> MappingProxyType[str, str]:
    """One language's catalog, read once; read-only because every caller shares it."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    entries = json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))
    return MappingProxyType(entries)


def has(key: str) -> bool:
    """Is `key` in the catalog? (English is the reference: every key is there first.)"""
    return key in catalog(FALLBACK)


def text(key: str, lang: str, **values: object) -> str:
    """The words for `key` in `lang`, with `{name}` fields filled in from `values`."""
    template = catalog(lang).get(key) or catalog(FALLBACK).get(key) or key
    return template.format(**values) if values else template
