"""The one word catalog shared by the counter's screens and the printer's paper."""

from __future__ import annotations

from string import Formatter

import pytest

from contract import i18n


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def test_both_languages_have_exactly_the_same_keys() -> None:
    en, zh = (set(i18n.catalog(lang)) for lang in i18n.LANGUAGES)
    assert en == zh
    assert {key.split(".")[0] for key in en} >= {"paper", "error", "key", "status"}


def test_every_entry_has_words_and_the_same_fields_in_both_languages() -> None:
    en, zh = (i18n.catalog(lang) for lang in i18n.LANGUAGES)
    assert all(en[key] and zh[key] for key in en)
    assert {key for key in en if _fields(en[key]) != _fields(zh[key])} == set()


def test_text_fills_in_values_in_the_chosen_language() -> None:
    assert i18n.text("paper.row_seat", "en", row=7, seat=12) == "Row 7, Seat 12"
    assert i18n.text("paper.row_seat", "zh", row=7, seat=12) == "7排12座"
    assert i18n.text("mode.offline", "zh") == "离线"


def test_a_missing_key_falls_back_to_english_then_to_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shared = i18n.catalog
    zh_with_a_gap = {key: words for key, words in shared("zh").items() if key != "paper.total"}
    monkeypatch.setattr(
        i18n, "catalog", lambda lang: zh_with_a_gap if lang == "zh" else shared(lang)
    )
    assert i18n.text("paper.total", "zh") == "Total"
    assert i18n.text("no.such.key", "zh") == "no.such.key"
    assert not i18n.has("no.such.key")


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        i18n.text("paper.total", "fr")
