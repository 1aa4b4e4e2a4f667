"""Finding a film by what the cashier types: part of its Chinese or English title, or its
pinyin, in full (`bawangbieji`) or by initials (`bwbj`), for 霸王别姬.

pypinyin is loaded the first time a Chinese title is searched (start-up speed), and each title's
readings are worked out once."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache


def matches(wanted: str, names: Iterable[str]) -> bool:
    """Does what the cashier typed appear in any of the names, or in their pinyin?"""
    needle = _squash(wanted)
    if not needle:
        return True
    for name in names:
        if not name:
            continue
        if wanted.strip().casefold() in name.casefold() or needle in _squash(name):
            return True
        if needle.isascii() and any(needle in reading for reading in readings(name)):
            return True
    return False


def _squash(text: str) -> str:
    """Lower case, without spaces and punctuation: `Farewell, My` finds `farewellmy`."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@cache
def readings(name: str) -> tuple[str, ...]:
    """A Chinese name's pinyin, whole and by initials (no tones); nothing for other names."""
    if not any("\u4e00" <= ch <= "\u9fff" for ch in name):
        return ()
    from pypinyin import Style, lazy_pinyin  # lazy: its dictionaries take a moment to load

    syllables = lazy_pinyin(name, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return (_squash("".join(syllables)), _squash("".join(initials)))
