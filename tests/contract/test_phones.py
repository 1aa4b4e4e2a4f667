"""Phone numbers as the counter matches and shows them (contract.phones)."""

from __future__ import annotations

import re

import pytest

from contract.phones import MOBILE, masked, phone_matches

PHONE = "13812345678"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        (PHONE, True),
        ("138 1234 5678", True),
        ("138-1234-5678", True),
        ("5678", True),
        ("45678", True),
        ("678", False),  # too few digits: every fourth booking would match
        ("1234", False),  # digits in the middle are not a tail
        ("王5678", False),
        ("", False),
    ],
)
def test_whole_number_or_its_tail(query: str, found: bool) -> None:
    assert phone_matches(PHONE, query) is found


def test_no_phone_matches_nothing_and_masking() -> None:
    assert not phone_matches(None, "5678")
    assert masked(PHONE) == "138****5678"
    assert masked(None) == "—"
    assert re.match(MOBILE, PHONE) and not re.match(MOBILE, "12812345678")
