"""The breaker's states and the money rules of a sale, without a central."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.errors import BoxOfficeError
from contract.models import PaymentMethod
from pos.counter.connectivity import Breaker, Mode
from pos.counter.errors import CounterError, NotPaid
from pos.counter.payments import Tender, parse_amount, parse_tenders, settle


def test_breaker_degrades_then_opens_then_recovers_after_probes() -> None:
    seen: list[Mode] = []
    breaker = Breaker(failure_threshold=3, good_probes_to_close=2, slow_call_s=0.5)
    breaker.listeners.append(seen.append)
    breaker.record_failure()
    assert breaker.mode == Mode.DEGRADED
    breaker.record_success(0.1)
    assert breaker.mode == Mode.ONLINE
    breaker.record_success(0.9)
    assert breaker.mode == Mode.DEGRADED, "slow answers degrade"
    for _ in range(3):
        breaker.record_failure()
    assert breaker.is_open
    assert not breaker.probe_succeeded()
    breaker.probe_failed()
    assert not breaker.probe_succeeded(), "good probes must come in a row"
    assert breaker.probe_succeeded()
    breaker.close()
    assert seen == [Mode.DEGRADED, Mode.ONLINE, Mode.DEGRADED, Mode.OFFLINE, Mode.ONLINE]


def test_one_missed_deadline_opens_at_once() -> None:
    breaker = Breaker()
    breaker.trip()
    assert breaker.mode == Mode.OFFLINE
    breaker.record_success(0.01)
    assert breaker.mode == Mode.OFFLINE, "only probes and a drain close an open breaker"


prices = st.lists(st.integers(min_value=0, max_value=20_000), min_size=1, max_size=8)


@given(
    prices=prices,
    extra=st.integers(min_value=0, max_value=50_000),
    card_share=st.floats(min_value=0, max_value=1),
)
def test_settlement_balances(prices: list[int], extra: int, card_share: float) -> None:
    total = sum(prices)
    card = int(total * card_share)
    cash = total - card + extra
    settled = settle(
        total, [Tender(PaymentMethod.CARD, card, "R1"), Tender(PaymentMethod.CASH, cash)]
    )
    assert sum(p.amount for p in settled.payments) == total
    assert settled.change == extra
    assert settled.tendered == card + cash
    assert all(isinstance(p.amount, int) and p.amount >= 0 for p in settled.payments)


@given(prices=prices, short=st.integers(min_value=1, max_value=1000))
def test_short_payment_is_refused(prices: list[int], short: int) -> None:
    total = sum(prices) + short
    with pytest.raises(NotPaid):
        settle(total, [Tender(PaymentMethod.CASH, total - short)])


def test_amounts_and_tenders_parse() -> None:
    assert parse_amount("6000") == 6000
    assert parse_amount("60.00") == 6000
    assert parse_amount("0.1") == 10
    for bad in ("60.001", "-5", "sixty", ""):
        with pytest.raises(BoxOfficeError) as caught:
            parse_amount(bad)
        assert caught.value.code == "BAD_AMOUNT"
    tenders = parse_tenders("cash=100.00,card=2000:REF9")
    assert tenders == [Tender(PaymentMethod.CASH, 10_000), Tender(PaymentMethod.CARD, 2000, "REF9")]
    with pytest.raises(CounterError):
        settle(1000, [Tender(PaymentMethod.CARD, 1001)])
