"""The sale state machine, and an offline sale written whole or not at all."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from offline_helpers import START, FakeClock, make_lease, make_offline_sale

from contract import models
from offline import journal, leases, outbox, sales
from offline.errors import DuplicateKey, IllegalTransition, InvalidMoney, SeatNotLeased
from offline.store import Store

Leased = Callable[..., models.Lease]
CASH = models.PaymentMethod.CASH
CARD = models.PaymentMethod.CARD


def line(seat: str, price: int) -> models.SaleLine:
    return models.SaleLine(seat=seat, ticket_type="adult", price=price)


def central_sale(draft: sales.Sale, prices: dict[str, int]) -> models.Sale:
    total = sum(prices.values())
    return models.Sale(
        id="C-100",
        idempotency_key=draft.idempotency_key,
        terminal_id="T1",
        showtime_id=draft.showtime_id,
        channel=models.Channel.COUNTER,
        total=total,
        payments=[models.Payment(method=CARD, amount=total, reference="card-1")],
        tickets=[
            models.Ticket(id=f"T-{seat}", seat=seat, ticket_type="adult", price=p, code="BO1.x")
            for seat, p in prices.items()
        ],
        created_at=START,
        status="paid",
    )


def everything(store: Store) -> dict[str, list[tuple[object, ...]]]:
    tables = ["sales", "sale_tickets", "sale_payments", "lease_seats", "journal", "outbox"]
    return {t: store.db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}


# --- online path and the state machine -------------------------------------------------------


def test_an_online_sale_walks_its_states(store: Store, clock: FakeClock) -> None:
    draft = sales.create_draft(
        store, showtime_id="S1", cashier_id="c1", mode="online", lines=[line("A1", 4000)]
    )
    assert (draft.state, draft.total, draft.lines) == (
        "draft",
        4000,
        (sales.Line("A1", "adult", 4000),),
    )
    assert sales.by_key(store, draft.idempotency_key) == draft
    held = sales.advance(store, draft.id, "held", hold_id="H-1")
    assert (held.state, held.hold_id) == ("held", "H-1")

    clock.advance(5)
    paid = sales.record_online_sale(store, draft.id, central_sale(draft, {"A1": 4000}))
    assert (paid.state, paid.mode, paid.central_sale_id, paid.total) == (
        "paid",
        "online",
        "C-100",
        4000,
    )
    assert paid.tickets[0].id == "T-A1" and paid.payments[0].method == "card"
    assert paid.updated_at == START + timedelta(seconds=5)
    assert sales.unfinished(store) == [paid]

    assert sales.advance(store, draft.id, "printed").state == "printed"
    assert sales.advance(store, draft.id, "synced").state == "synced"
    assert sales.unfinished(store) == []
    [entry] = journal.entries(store, sale_id=draft.id)
    assert (entry.kind, entry.amount) == ("sale", 4000)


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "printed"),
        ([], "synced"),
        (["held"], "held"),
        (["cancelled"], "held"),
        (["held", "cancelled"], "cancelled"),
    ],
)
def test_illegal_transitions_are_refused(store: Store, path: list[str], illegal: str) -> None:
    draft = sales.create_draft(store, showtime_id="S1", cashier_id="c1", mode="online")
    for state in path:
        sales.advance(store, draft.id, state)  # type: ignore[arg-type]
    before = sales.get(store, draft.id)
    with pytest.raises(IllegalTransition) as caught:
        sales.advance(store, draft.id, illegal)  # type: ignore[arg-type]
    assert caught.value.code == "STATE_ILLEGAL_TRANSITION"
    assert sales.get(store, draft.id) == before


def test_money_states_are_reached_only_through_their_functions(store: Store) -> None:
    draft = sales.create_draft(store, showtime_id="S1", cashier_id="c1", mode="online")
    for target in ("paid", "voided", "refunded"):
        with pytest.raises(IllegalTransition, match="use "):
            sales.advance(store, draft.id, target)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sales.advance(store, draft.id, "held", total=1)  # type: ignore[arg-type]


def test_a_paid_sale_cannot_go_back(store: Store, leased: Leased) -> None:
    leased(["A1"])
    offline = sales.record_offline_sale(store, make_offline_sale([("A1", 3500)]))
    for target in ("held", "cancelled"):
        with pytest.raises(IllegalTransition):
            sales.advance(store, offline.id, target)  # type: ignore[arg-type]
    draft = sales.create_draft(store, showtime_id="S1", cashier_id="c1", mode="online")
    sales.record_online_sale(store, draft.id, central_sale(draft, {"A2": 3500}))
    with pytest.raises(IllegalTransition):
        sales.record_online_sale(store, draft.id, central_sale(draft, {"A2": 3500}))


# --- the offline sale, all or nothing --------------------------------------------------------


def test_an_offline_sale_writes_everything_at_once(store: Store, leased: Leased) -> None:
    leased(["A1", "A2", "A3"])
    offline = make_offline_sale([("A1", 4000), ("A2", 2500)], key="sale-key-0001")
    sale = sales.record_offline_sale(store, offline, tendered=10000, shift_id="shift-1")

    assert (sale.state, sale.mode, sale.lease_id, sale.shift_id) == (
        "paid",
        "offline",
        "L1",
        "shift-1",
    )
    assert (sale.total, sale.tendered, sale.change) == (6500, 10000, 3500)
    assert [t.seat for t in sale.tickets] == ["A1", "A2"]
    assert leases.available_seats(store, "S1") == ["A3"]
    [item] = outbox.items(store)
    assert (item.kind, item.idempotency_key) == ("sale", "sale-key-0001")
    assert item.payload == offline.model_dump(mode="json")
    assert [e.kind for e in journal.entries(store, sale_id=sale.id)] == ["seats_sold", "sale"]
    assert journal.verify(store).ok
    # The sale handed back is built from what was written, not read back: it must be the same.
    assert sale == sales.get(store, sale.id)


def test_an_offline_sale_that_fails_midway_leaves_no_trace(store: Store, leased: Leased) -> None:
    leased(["A1", "A2"])
    sales.record_offline_sale(store, make_offline_sale([("A1", 4000)], key="sale-key-0001"))
    before = everything(store)

    # A2 is leased, A1 already sold, C9 never leased: the seat step fails after the sale,
    # its tickets and payments were written.
    bad = make_offline_sale([("A2", 4000), ("A1", 4000), ("C9", 4000)], key="sale-key-0002")
    with pytest.raises(SeatNotLeased) as caught:
        sales.record_offline_sale(store, bad)
    assert caught.value.seats == ("A1", "C9")
    assert everything(store) == before
    assert sales.by_key(store, "sale-key-0002") is None


def test_a_reused_outbox_key_unwinds_the_whole_sale(store: Store, leased: Leased) -> None:
    leased(["A1"])
    outbox.enqueue(store, "cancel", "sale-key-0009", {})  # the last step will fail
    before = everything(store)
    with pytest.raises(DuplicateKey):
        sales.record_offline_sale(store, make_offline_sale([("A1", 4000)], key="sale-key-0009"))
    assert everything(store) == before
    assert leases.available_seats(store, "S1") == ["A1"]


def test_a_sale_key_is_never_used_twice(store: Store, leased: Leased) -> None:
    leased(["A1", "A2"])
    sales.record_offline_sale(store, make_offline_sale([("A1", 4000)], key="sale-key-0001"))
    with pytest.raises(DuplicateKey):
        sales.record_offline_sale(store, make_offline_sale([("A2", 4000)], key="sale-key-0001"))
    assert leases.available_seats(store, "S1") == ["A2"]


def test_an_offline_draft_becomes_the_sale(store: Store, leased: Leased) -> None:
    leased(["A1"])
    draft = sales.create_draft(store, showtime_id="S1", cashier_id="c1", mode="offline")
    offline = make_offline_sale([("A1", 4000)], key=draft.idempotency_key)
    sale = sales.record_offline_sale(store, offline, draft_id=draft.id)
    assert (sale.id, sale.state, sale.total) == (draft.id, "paid", 4000)
    assert len(sales.list_sales(store)) == 1
    assert sale == sales.get(store, sale.id)


def test_an_offline_draft_keeps_its_shift_unless_given_one(
    store: Store, leased: Leased, clock: FakeClock
) -> None:
    leased(["A1", "A2"])
    kept = sales.create_draft(
        store, showtime_id="S1", cashier_id="c1", mode="offline", shift_id="shift-1"
    )
    clock.advance(5)
    sale = sales.record_offline_sale(
        store, make_offline_sale([("A1", 4000)], key=kept.idempotency_key), draft_id=kept.id
    )
    assert (sale.shift_id, sale.created_at, sale.updated_at) == (
        "shift-1",
        kept.created_at,
        clock.now,
    )
    assert sale == sales.get(store, kept.id)
    moved = sales.create_draft(
        store, showtime_id="S1", cashier_id="c1", mode="offline", shift_id="shift-1"
    )
    sale = sales.record_offline_sale(
        store,
        make_offline_sale([("A2", 4000)], key=moved.idempotency_key),
        draft_id=moved.id,
        shift_id="shift-2",
    )
    assert sale.shift_id == "shift-2"
    assert sale == sales.get(store, moved.id)


@pytest.mark.parametrize(
    ("tendered", "payments", "problem"),
    [
        (3999, None, "does not cover"),
        (4000.0, None, "whole fen"),
        (-1, None, "negative"),
        (None, [models.Payment(method=CASH, amount=3000)], "add up"),
        (
            None,
            [models.Payment(method=CASH, amount=3000), models.Payment(method=CARD, amount=1001)],
            "add up",
        ),
    ],
)
def test_money_that_does_not_add_up_is_refused(
    store: Store,
    leased: Leased,
    tendered: object,
    payments: list[models.Payment] | None,
    problem: str,
) -> None:
    leased(["A1"])
    before = everything(store)
    offline = make_offline_sale([("A1", 4000)], payments=payments)
    with pytest.raises(InvalidMoney, match=problem):
        sales.record_offline_sale(store, offline, tendered=tendered)  # type: ignore[arg-type]
    assert everything(store) == before


# --- refunds, voids, listing -----------------------------------------------------------------


def test_refund_part_then_the_rest(store: Store, leased: Leased) -> None:
    leased(["A1", "A2"])
    sale = sales.record_offline_sale(store, make_offline_sale([("A1", 4000), ("A2", 2500)]))
    first, second = (t.id for t in sale.tickets)
    partly = sales.mark_refunded(store, sale.id, [first], 4000, reason="wrong film")
    assert (partly.state, partly.refunded) == ("paid", 4000)
    with pytest.raises(IllegalTransition):
        sales.mark_refunded(store, sale.id, [first], 4000)
    with pytest.raises(InvalidMoney, match="exceeds"):
        sales.mark_refunded(store, sale.id, [second], 2501)
    done = sales.mark_refunded(store, sale.id, [second], 2500)
    assert (done.state, done.refunded) == ("refunded", 6500)
    assert all(t.refunded for t in done.tickets)
    assert [e.amount for e in journal.entries(store, sale_id=sale.id)][-2:] == [-4000, -2500]


def test_void_journals_what_was_not_refunded(store: Store, leased: Leased) -> None:
    leased(["A1", "A2"])
    sale = sales.record_offline_sale(store, make_offline_sale([("A1", 4000), ("A2", 2500)]))
    sales.mark_refunded(store, sale.id, [sale.tickets[1].id], 2500)
    voided = sales.mark_voided(store, sale.id, reason="customer left", by="supervisor-1")
    assert voided.state == "voided"
    last = journal.entries(store, sale_id=sale.id)[-1]
    assert (last.kind, last.amount, last.payload["by"]) == ("void", -4000, "supervisor-1")
    assert leases.lease_for(store, "S1").sold == ("A1", "A2")  # type: ignore[union-attr]
    with pytest.raises(IllegalTransition):
        sales.mark_voided(store, sale.id)


def test_unfinished_and_listing(store: Store, leased: Leased, clock: FakeClock) -> None:
    leased(["A1"])
    abandoned = sales.create_draft(store, showtime_id="S1", cashier_id="c1", mode="online")
    sales.advance(store, abandoned.id, "cancelled")
    clock.advance(60)
    held = sales.advance(
        store,
        sales.create_draft(store, showtime_id="S1", cashier_id="c1", mode="online").id,
        "held",
        hold_id="H-2",
    )
    clock.advance(60)
    paid = sales.record_offline_sale(store, make_offline_sale([("A1", 4000)]), shift_id="shift-1")
    assert [s.id for s in sales.unfinished(store)] == [held.id, paid.id]
    assert [s.id for s in sales.list_sales(store, mode="offline")] == [paid.id]
    assert [s.id for s in sales.list_sales(store, shift_id="shift-1")] == [paid.id]
    assert [s.id for s in sales.list_sales(store, state="cancelled")] == [abandoned.id]
    since = START + timedelta(seconds=60)
    assert [
        s.id for s in sales.list_sales(store, since=since, until=since + timedelta(seconds=1))
    ] == [held.id]


# --- property: the money of any offline sale -------------------------------------------------

SEATS = ["A1", "A2", "A3", "A4"]


@settings(max_examples=40, deadline=None)
@given(
    prices=st.lists(st.integers(0, 200_000), min_size=1, max_size=4),
    card_share=st.floats(0, 1),
    extra=st.integers(-5000, 50_000),
)
def test_total_is_the_sum_of_prices_and_change_is_never_negative(
    prices: list[int], card_share: float, extra: int
) -> None:
    total = sum(prices)
    card = int(total * card_share)
    payments = [
        models.Payment(method=CARD, amount=card),
        models.Payment(method=CASH, amount=total - card),
    ]
    offline = make_offline_sale(list(zip(SEATS, prices, strict=False)), payments=payments)
    tendered = total + extra
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "t.db") as store:
        leases.put_lease(store, make_lease(SEATS))
        if extra < 0:
            with pytest.raises(InvalidMoney):
                sales.record_offline_sale(store, offline, tendered=tendered)
            assert sales.list_sales(store) == [] and outbox.depth(store) == 0
            return
        sale = sales.record_offline_sale(store, offline, tendered=tendered)
        assert sale.total == sum(t.price for t in sale.tickets) == total
        assert sale.change == sale.tendered - sale.total >= 0
        assert sum(p.amount for p in sale.payments) == total
        assert journal.entries(store, sale_id=sale.id)[-1].amount == total


def test_mark_synced_moves_only_printed_sales(tmp_path: Path) -> None:
    """Sync marks thousands of sales at once; a sale voided meanwhile must stay voided."""
    store = Store.open(tmp_path / "t.db")
    draft = sales.create_draft(store, showtime_id="st-1", cashier_id="c01", mode="online")
    assert not sales.mark_synced(store, draft.idempotency_key, "S1"), "a draft is not synced"
    assert sales.get(store, draft.id).state == "draft"
    store.close()
