"""Layouts: JSON round trips for the queue, and column arithmetic that never overflows paper."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from printer.compose import compose
from printer.demo import demo_receipt, demo_report, demo_ticket
from printer.layout import kind_of, layout_from_json, layout_to_json, with_reprint
from printer.paper import Text
from printer.settings import PrintSettings
from printer.textwidth import pair, width, wrap

WORDS = st.text(st.sampled_from("ab cdé流浪地球，《》1 "), max_size=80)


def test_layouts_round_trip_through_json() -> None:
    for layout in (demo_ticket("zh"), demo_receipt(), demo_report(), with_reprint(demo_ticket())):
        assert layout_from_json(kind_of(layout), layout_to_json(layout)) == layout


@given(WORDS, st.sampled_from([8, 16, 24, 32, 48]))
def test_wrap_never_exceeds_the_columns_and_keeps_the_words(words: str, columns: int) -> None:
    lines = wrap(words, columns)
    assert all(width(line) <= columns for line in lines)
    assert "".join(lines).replace(" ", "") == words.replace(" ", "")


@given(WORDS, WORDS)
def test_pairs_fit_the_paper(label: str, value: str) -> None:
    assert all(width(line) <= 32 for line in pair(label, value, 32))


@given(WORDS)
def test_every_composed_line_fits_its_paper(title: str) -> None:
    for settings in (PrintSettings(paper_mm=58, lang="zh"), PrintSettings()):
        for block in compose(replace(demo_ticket(), film_title=title), settings):
            if isinstance(block, Text):
                limit = settings.columns // 2 if block.big else settings.columns
                assert width(block.text) <= limit
