"""Seat exchange: tickets of a sale for seats of the same showtime or another, in one step and
journalled; the same ticket types and discounts at the new prices, paid with what the old
tickets were worth (cash first, as a refund), the difference in cash; seats that cannot be had
leave the old tickets as they were. Real central, real store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from central.server import CentralThread
from contract.models import PaymentMethod
from offline import journal, leases
from pos.counter.errors import CounterError, SeatUnavailable
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.counter.service import Counter
from tests.kit import args, enroll_home, pos, pos_json, sell_args, with_counter


def showtime_priced(counter: Counter, adult: int, skip: str | None = None) -> str:
    return next(
        st.id
        for st in counter.schedule().showtimes
        if st.prices["adult"] == adult and st.free > 20 and st.id != skip
    )


async def free_seats(counter: Counter, showtime_id: str, n: int) -> list[str]:
    view = await counter.seat_view(showtime_id)
    return sorted(view.selectable)[:n]


def test_exchange_to_a_dearer_showtime_pays_the_difference_in_cash(
    live_central: CentralThread, tmp_path: Path, central_db: Path
) -> None:
    home = enroll_home(live_central, tmp_path / "t1", lease_seats=4)

    async def action(counter: Counter) -> None:
        await counter.connect()
        regular = showtime_priced(counter, 6000)
        festival = showtime_priced(counter, 8000)
        cash = [Tender(PaymentMethod.CASH, 12_000)]
        first = await counter.sell(
            Order(regular, "c01", ["adult"], cash, count=2, discounts=["MEMBER"])
        )
        assert first.sale.total == 2 * 4800
        seats = await free_seats(counter, festival, 2)

        done = await counter.exchange(first.sale.id, seats, cashier_id="c01", showtime_id=festival)

        assert done.credit == 9600
        assert done.cash_due == 2 * 6400 - 9600, "member price at the festival's prices"
        new = counter.sale(done.outcome.sale.id)
        assert new.showtime_id == festival and sorted(t.seat for t in new.tickets) == seats
        assert [(t.ticket_type, t.discount, t.price) for t in new.tickets] == [
            ("adult", "MEMBER", 6400)
        ] * 2
        old = counter.sale(first.sale.id)
        assert old.state == "refunded" and all(t.refunded for t in old.tickets)
        [entry] = [e for e in journal.entries(counter.store) if e.kind == "exchange"]
        assert entry.sale_id == old.id and entry.payload["to_sale_id"] == new.id

        shift = counter.current_shift("c01")
        assert shift is not None
        report, _ = counter.shifts.shift_report(shift.id)
        assert report.cash.expected == 10_000 + 9600 + 12_800 - 9600, "the drawer took ¥32"
        await counter.sync()

    with_counter(home, action)
    with sqlite3.connect(central_db) as conn:
        statuses = conn.execute(
            "SELECT s.showtime_id, t.refunded FROM tickets t JOIN sales s ON s.id = t.sale_id"
            " WHERE s.terminal_id IS NOT NULL ORDER BY s.created_at"
        ).fetchall()
    assert [refunded for _, refunded in statuses] == [1, 1, 0, 0], "the central has it all"


def test_same_showtime_other_seats_costs_nothing_and_taken_seats_change_nothing(
    live_central: CentralThread, tmp_path: Path
) -> None:
    home = enroll_home(live_central, tmp_path / "t1", lease_seats=4)

    async def action(counter: Counter) -> None:
        await counter.connect()
        st = showtime_priced(counter, 6000)
        cash = [Tender(PaymentMethod.CASH, 20_000)]
        mine = await counter.sell(Order(st, "c01", ["adult"], cash, count=2))
        other = await counter.sell(Order(st, "c01", ["adult"], cash, count=2))
        taken = [t.seat for t in other.sale.tickets]

        with pytest.raises(SeatUnavailable):
            await counter.exchange(mine.sale.id, taken, cashier_id="c01")
        assert counter.sale(mine.sale.id).state != "refunded", "nothing changed"

        with pytest.raises(CounterError) as caught:
            await counter.exchange(mine.sale.id, taken[:1], cashier_id="c01")
        assert caught.value.code == "SEATS_MISMATCH"

        seats = await free_seats(counter, st, 2)
        done = await counter.exchange(mine.sale.id, seats, cashier_id="c01")
        assert done.cash_due == 0 and done.outcome.sale.total == mine.sale.total

        with pytest.raises(CounterError) as caught:
            await counter.exchange(mine.sale.id, seats, cashier_id="c01")
        assert caught.value.code == "NOT_EXCHANGEABLE", "its tickets went back already"

    with_counter(home, action)


def test_the_cli_sells_with_discounts_and_exchanges(
    live_central: CentralThread, tmp_path: Path
) -> None:
    home = enroll_home(live_central, tmp_path / "t1", lease_seats=4)
    schedule = pos_json(*args(home, "schedule"))
    st = next(r for r in schedule if r["free"] > 20 and r["prices"]["adult"] == 6000)
    sold = pos_json(
        *sell_args(home, st["id"], "auto:2", types="adult,child", pay="cash=200.00"),
        "--discounts", "MEMBER,-",
    )  # fmt: skip
    assert sold["total"] == 4800 + 3000
    code, _, err = pos(*sell_args(home, st["id"], "auto:1"), "--discounts", "NOPE")
    assert code == 2 and "UNKNOWN_DISCOUNT" in err

    async def free(counter: Counter) -> list[str]:
        return await free_seats(counter, st["id"], 2)

    seats = with_counter(home, free)
    done = pos_json(
        *args(home, "exchange", sold["sale_id"], "--seats", ",".join(seats)),
        "--cashier", "c01", "--pin", "1111",
    )  # fmt: skip
    assert done["returned"]["state"] == "refunded" and done["cash_due"] == 0
    assert sorted(t["seat"] for t in done["sale"]["tickets"]) == seats


def test_offline_the_exchange_is_all_or_nothing_in_one_transaction(
    live_central: CentralThread, tmp_path: Path
) -> None:
    home = enroll_home(live_central, tmp_path / "t1", lease_seats=6)

    async def action(counter: Counter) -> None:
        await counter.connect()
        leased = counter.status().leases
        st = next(s for s, n in leased.items() if n >= 4)
        cash = [Tender(PaymentMethod.CASH, 20_000)]
        counter.breaker.trip()  # the central is away: everything from the lease
        first = await counter.sell(Order(st, "c01", ["adult"], cash, count=2))
        left = leases.available_seats(counter.store, st)

        def fails(sale: object) -> None:
            raise RuntimeError("the power went mid-write")

        with pytest.raises(RuntimeError):
            await counter.sell(Order(st, "c01", ["adult"], cash, seats=left[:2], then=fails))
        assert leases.available_seats(counter.store, st) == left, "no seat taken"
        assert len(counter.recent_sales()) == 1, "no sale recorded"

        done = await counter.exchange(first.sale.id, left[:2], cashier_id="c01")
        assert done.outcome.mode == "offline" and done.returned.state == "refunded"
        assert sorted(t.seat for t in done.outcome.sale.tickets) == sorted(left[:2])

    with_counter(home, action)
