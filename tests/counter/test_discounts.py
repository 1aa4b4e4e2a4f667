"""Discounts the cinema configures (seeds: member price, a coupon, staff tickets), priced by the
one rule in contract.discounts on both sides: the counter quotes and sells with them, online and
offline, the central refuses a line priced otherwise, the tickets and receipt name them, and the
Z report tallies them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from central.server import CentralThread
from contract.models import Payment, PaymentMethod, SaleLine, SaleRequest
from offline import outbox
from pos.counter.connectivity import Mode
from pos.counter.errors import CounterError
from pos.counter.payments import Tender
from pos.counter.selling import Order, Outcome
from pos.counter.service import Counter
from pos.counter.zreport import to_csv
from pos.ports.errors import Rejected
from tests.kit import enroll_home, with_counter
from tests.printer.escpos_decoder import decode


def cash(amount: int = 100_000) -> list[Tender]:
    return [Tender(PaymentMethod.CASH, amount)]


def regular_showtime(counter: Counter, leased: bool = False) -> str:
    """A regular (not festival) showtime, adult ¥60, with seats to spare (and leased here)."""
    leases = counter.status().leases
    return next(
        st.id
        for st in counter.schedule().showtimes
        if st.prices["adult"] == 6000 and st.free > 20 and (not leased or leases.get(st.id, 0) > 2)
    )


def test_member_coupon_and_staff_prices_online_printed_and_in_the_z_report(
    live_central: CentralThread, tmp_path: Path
) -> None:
    out = tmp_path / "printer.bin"
    home = enroll_home(live_central, tmp_path / "t1", lease_seats=4, printer=out.as_uri())

    async def action(counter: Counter) -> None:
        await counter.connect()
        st = regular_showtime(counter)
        types = ["adult", "adult", "child", "adult"]
        discounts = ["member", "SPRING10", "STAFF", None]
        assert counter.quote(st, types, discounts) == 4800 + 5000 + 1000 + 6000
        order = Order(st, "c01", types, cash(), count=4, discounts=discounts)
        outcome = await counter.sell(order)
        assert outcome.mode == "online"
        sale = counter.sale(outcome.sale.id)
        assert sale.total == 16_800
        by_price = sorted((t.price, t.discount) for t in sale.tickets)
        assert by_price == [(1000, "STAFF"), (4800, "MEMBER"), (5000, "SPRING10"), (6000, None)]

        counter.print_pending()
        paper = decode(out.read_bytes()).text
        assert "Adult · Member price" in paper and "Child · Staff ticket" in paper
        assert "Adult · Spring coupon" in paper

        shift = counter.current_shift("c01")
        assert shift is not None
        report, _ = counter.shifts.shift_report(shift.id)
        tallies = {code: (t.count, t.amount) for code, t in report.by_discount.items()}
        assert tallies == {"MEMBER": (1, 4800), "SPRING10": (1, 5000), "STAFF": (1, 1000)}
        assert report.sales.amount == 16_800
        assert "Discounts,MEMBER,1,4800" in to_csv(report), "exported too"

    with_counter(home, action)


def test_the_counter_refuses_bad_codes_before_anything_is_sent(
    live_central: CentralThread, tmp_path: Path
) -> None:
    home = enroll_home(live_central, tmp_path / "t1", lease_seats=4)

    async def action(counter: Counter) -> None:
        await counter.connect()
        st = regular_showtime(counter)
        for types, codes, code in (
            (["adult"], ["NOPE"], "UNKNOWN_DISCOUNT"),
            (["child"], ["MEMBER"], "DISCOUNT_NOT_FOR_TYPE"),
        ):
            with pytest.raises(CounterError) as caught:
                await counter.sell(Order(st, "c01", types, cash(), count=1, discounts=codes))
            assert caught.value.code == code
        assert counter.recent_sales() == [], "nothing recorded"

    with_counter(home, action)


def test_the_central_checks_the_discounted_price_by_the_same_rule(
    live_central: CentralThread, tmp_path: Path
) -> None:
    home = enroll_home(live_central, tmp_path / "t1", lease_seats=4)

    async def action(counter: Counter) -> None:
        await counter.connect()
        st = regular_showtime(counter)
        member_at_list_price = SaleLine(
            seat="A1", ticket_type="adult", price=6000, discount="MEMBER"
        )
        unknown_code = SaleLine(seat="A1", ticket_type="adult", price=4800, discount="NOPE")
        for line, code in (
            (member_at_list_price, "PRICE_MISMATCH"),
            (unknown_code, "UNKNOWN_DISCOUNT"),
        ):
            request = SaleRequest(
                showtime_id=st,
                cashier_id="c01",
                lines=[line],
                payments=[Payment(method=PaymentMethod.CASH, amount=line.price)],
            )
            with pytest.raises(Rejected) as caught:
                await counter.port.sell(request, key=f"discount-check-{code}")
            assert caught.value.code == code

    with_counter(home, action)


def test_an_offline_discounted_sale_syncs_and_the_central_accepts_it(
    live_central: CentralThread, tmp_path: Path, central_db: Path
) -> None:
    home = enroll_home(live_central, tmp_path / "t1", lease_seats=4)

    async def sell_offline(counter: Counter) -> Outcome:
        await counter.connect()
        st = regular_showtime(counter, leased=True)
        counter.breaker.trip()
        order = Order(st, "c01", ["adult"], cash(), count=1, discounts=["MEMBER"])
        return await counter.sell(order)

    outcome = with_counter(home, sell_offline)
    assert outcome.mode == "offline"
    assert [(t.price, t.discount) for t in outcome.sale.tickets] == [(4800, "MEMBER")]

    async def recovered(counter: Counter) -> tuple[Mode, int]:
        return counter.breaker.mode, outbox.depth(counter.store)

    assert with_counter(home, recovered) == (Mode.ONLINE, 0), "synced, and the central took it"
    with sqlite3.connect(central_db) as conn:
        rows = conn.execute(
            "SELECT t.price, s.channel, s.status FROM tickets t JOIN sales s ON s.id = t.sale_id"
            " WHERE s.idempotency_key = ?",
            (outcome.sale.idempotency_key,),
        ).fetchall()
    assert rows == [(4800, "offline", "paid")]
