"""Property: for any run of sales, refunds, voids and cash moves in a shift, the Z report is
the sum of the journal, and the drawer's expected cash is float + cash sales - cash given back
(cash first) + cash in - cash out. Real SQLite in a tmp dir, the offline functions directly."""

from __future__ import annotations

import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract import models
from offline import journal, sales, shifts, zreport
from offline.store import Store

DAY = date(2025, 6, 14)
FLOAT = {10000: 2, 1000: 5, 100: 10, 50: 4, 10: 5}
FLOAT_TOTAL = 20000 + 5000 + 1000 + 200 + 50


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 6, 14, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def sell(store: Store, shift_id: str, prices: list[int], card: int) -> sales.Sale:
    """An online sale as the central would confirm it, part card, the rest cash."""
    card = min(card, sum(prices))
    draft = sales.create_draft(
        store, showtime_id="S1", cashier_id="c01", mode="online", shift_id=shift_id
    )
    payments = [models.Payment(method=models.PaymentMethod.CASH, amount=sum(prices) - card)]
    if card:
        payments.append(models.Payment(method=models.PaymentMethod.CARD, amount=card))
    central = models.Sale(
        id=f"C{uuid.uuid4().hex[:12]}",
        idempotency_key=draft.idempotency_key,
        terminal_id="T1",
        showtime_id="S1",
        channel=models.Channel.COUNTER,
        total=sum(prices),
        payments=payments,
        tickets=[
            models.Ticket(
                id=f"{draft.id[:8]}-{i}", seat=f"A{i + 1}", ticket_type="adult", price=p, code="x"
            )
            for i, p in enumerate(prices)
        ],
        created_at=datetime.now(UTC),
        status="paid",
    )
    return sales.record_online_sale(store, draft.id, central)


sale_op = st.tuples(
    st.just("sale"), st.lists(st.integers(0, 9000), min_size=1, max_size=4), st.integers(0, 40000)
)
refund_op = st.tuples(st.just("refund"), st.integers(0, 50), st.integers(1, 4))
void_op = st.tuples(st.just("void"), st.integers(0, 50), st.just(0))
cash_op = st.tuples(st.sampled_from(["in", "out"]), st.integers(1, 5000), st.just(0))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ops=st.lists(st.one_of(sale_op, refund_op, void_op, cash_op), max_size=14),
    count=st.dictionaries(st.sampled_from(shifts.DENOMINATIONS), st.integers(0, 30)),
)
def test_report_is_the_sum_of_the_journal(ops: list[tuple], count: dict[int, int]) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        Store.open(Path(tmp) / "t.db", clock=Clock()) as store,
    ):
        shift = shifts.open_shift(store, "c01", FLOAT, business_date=DAY)
        made: list[str] = []
        cash_expected = FLOAT_TOTAL
        cash_left: dict[str, int] = {}
        for op, a, b in ops:
            if op == "sale":
                sale = sell(store, shift.id, a, b)
                made.append(sale.id)
                cash = next((p.amount for p in sale.payments if p.method == "cash"), 0)
                cash_left[sale.id] = cash
                cash_expected += cash
            elif op in ("refund", "void") and made:
                sale = sales.get(store, made[a % len(made)])
                if sale.state in ("voided", "refunded"):
                    continue
                live = [t for t in sale.tickets if not t.refunded]
                if op == "refund":
                    wanted = live[: b % len(live) + 1]
                    back = sum(t.price for t in wanted)
                    sales.mark_refunded(store, sale.id, [t.id for t in wanted], back)
                else:
                    back = sale.total - sale.refunded
                    sales.mark_voided(store, sale.id, by="s01")
                from_cash = min(back, cash_left[sale.id])
                cash_left[sale.id] -= from_cash
                cash_expected -= from_cash
            elif op in ("in", "out"):
                shifts.cash_move(store, shift.id, op, a, reason="change", supervisor_id="s01")
                cash_expected += a if op == "in" else -a

        report = zreport.build(store, shifts.shift_scope(shifts.get(store, shift.id)))
        entries = journal.entries(store)
        money = sum(e.amount for e in entries if e.kind in ("sale", "refund", "void"))
        assert report.net == money
        assert report.sales.amount == sum(e.amount for e in entries if e.kind == "sale")
        assert report.refunds.amount == -sum(e.amount for e in entries if e.kind == "refund")
        assert report.voids.amount == -sum(e.amount for e in entries if e.kind == "void")
        assert sum(report.by_payment.values()) == report.sales.amount
        assert sum(t.amount for t in report.by_ticket_type.values()) == report.sales.amount
        given_back = report.refunds.amount + report.voids.amount
        assert sum(report.given_back_by_payment.values()) == given_back
        assert report.cash.expected == cash_expected
        assert report.journal is not None and report.journal.chain_ok
        assert report.journal.last_hash == entries[-1].hash
        assert report.mismatches == []

        closed = shifts.close_shift(store, shift.id, count)
        assert closed.expected == cash_expected
        assert closed.variance == shifts.count_total(count) - cash_expected
        final = zreport.build(store, shifts.shift_scope(closed))
        assert final.cash.counted == shifts.count_total(count)
        assert final.cash.variance == closed.variance
