"""Every drill case of a payment-code sale, end to end through `pos sell --pay code=…`, against
the real reference central and the real reference gateway on loopback; each ends with the
gateway's books and the terminal's matching charge for charge."""

from __future__ import annotations

import json
import time

import pytest

from central.server import CentralThread
from devtools.gateway.ledger import Drill
from devtools.gateway.server import GatewayThread
from pos.counter.home import Home
from tests.kit import args, pos, pos_json
from tests.payments.paykit import (
    CODES,
    a_showtime,
    assert_books_match,
    books,
    in_thread,
    retried,
    sell_code,
)


def sell(home: Home, pay: str, seats: str = "auto:2") -> tuple[int, dict | None, str]:
    st = a_showtime(home)
    code, out, err = pos(*sell_code(home, st["id"], seats, pay), "--json")
    return code, (json.loads(out) if code == 0 else None), err


def due(home: Home, count: int = 2) -> int:
    return count * a_showtime(home)["prices"]["adult"]


@pytest.mark.parametrize("kind", ["alipay", "wechat"])
@pytest.mark.parametrize(
    "drill",
    [Drill.INSTANT, Drill.USER_PAYING, Drill.RESET_AFTER_CHARGE, Drill.SLOW],
)
def test_code_payment_taken_once_and_tickets_handed_over(
    home: Home, gateway: GatewayThread, kind: str, drill: Drill
) -> None:
    gateway.set_drill(drill, slow_seconds=1.2)
    total = due(home)
    code, sale, err = sell(home, f"code={total}:{CODES[kind]}")
    assert code == 0, err
    assert sale is not None and sale["total"] == total and len(sale["tickets"]) == 2
    assert ("Waiting for the customer" in err) == (drill == Drill.USER_PAYING)
    [trade] = gateway.statement()
    assert (trade["provider"], trade["amount"], trade["state"]) == (kind, total, "success")
    rows, _ = books(home)
    assert [(r[1], r[4], r[3]) for r in rows] == [(kind, "captured", sale["sale_id"])]
    assert_books_match(home, gateway)


@pytest.mark.parametrize("kind", ["alipay", "wechat"])
def test_customer_never_confirms_so_the_payment_is_cancelled(
    home: Home, gateway: GatewayThread, kind: str
) -> None:
    gateway.set_drill(Drill.USER_PAYING_TIMEOUT)
    code, _, err = sell(home, f"code={due(home)}:{CODES[kind]}")
    assert code == 2 and "PAYMENT_TIMEOUT" in err and err.count("\n") == 2  # waiting + error
    [trade] = gateway.statement()
    assert trade["state"] == "closed" and trade["kept"] == 0
    rows, sales = books(home)
    assert [r[4] for r in rows] == ["reversed"]
    assert sales[rows[0][3]][0] == "cancelled"
    assert_books_match(home, gateway)


@pytest.mark.parametrize("kind", ["alipay", "wechat"])
def test_insufficient_funds_is_declined_and_nothing_sold(
    home: Home, gateway: GatewayThread, kind: str
) -> None:
    gateway.set_drill(Drill.INSUFFICIENT_FUNDS)
    code, _, err = sell(home, f"code={due(home)}:{CODES[kind]}")
    assert code == 2 and "PAYMENT_DECLINED" in err
    assert ("BALANCE_NOT_ENOUGH" if kind == "alipay" else "NOTENOUGH") in err
    rows, sales = books(home)
    assert [r[4] for r in rows] == ["declined"] and sales[rows[0][3]][0] == "cancelled"
    assert pos_json(*args(home, "status"))["outbox"] == 0  # type: ignore[index]
    assert_books_match(home, gateway)


def test_a_code_of_neither_provider_is_refused_before_anything_is_sent(
    home: Home, gateway: GatewayThread
) -> None:
    for bad in ("123", "9912345678901234567", "28abc", "134567890123456"):
        code, _, err = sell(home, f"code={due(home)}:{bad}")
        assert code == 2 and "BAD_PAYMENT_CODE" in err and err.count("\n") == 1
    assert gateway.statement() == [] and books(home)[0] == []


def test_split_cash_and_code(home: Home, gateway: GatewayThread) -> None:
    total = due(home)
    code, sale, err = sell(home, f"cash=100.00,code={total - 500}:{CODES['wechat']}")
    assert code == 0, err
    assert sale is not None and sale["change"] == 10_000 - 500
    [trade] = gateway.statement()
    assert trade["amount"] == total - 500
    code, _, err = sell(home, f"code={total + 1}:{CODES['alipay']}")
    assert code == 2 and "CARD_OVERPAID" in err
    code, _, err = sell(home, f"code=100:{CODES['alipay']},code=100:{CODES['wechat']}")
    assert code == 2 and "ONE_CODE_PAYMENT" in err
    assert_books_match(home, gateway)


def test_refund_of_one_ticket_goes_back_to_the_wallet(home: Home, gateway: GatewayThread) -> None:
    total = due(home)
    code, sale, err = sell(home, f"cash=10.00,code={total - 1000}:{CODES['alipay']}")
    assert code == 0 and sale is not None, err
    first = sale["tickets"][0]
    code, _, err = pos(
        *args(home, "refund", sale["sale_id"], "--tickets", first["id"]),
        "--supervisor", "s01", "--pin", "9999", "--json",
    )  # fmt: skip
    assert code == 0, err
    [trade] = gateway.statement()
    # cash first (10.00 back in cash), the rest of the ticket back to Alipay
    assert trade["refunded"] == first["price"] - 1000
    assert_books_match(home, gateway)


def test_provider_unreachable_says_so_at_once(
    live_central: CentralThread, gateway: GatewayThread, home: Home
) -> None:
    gateway.stop()
    started = time.monotonic()
    code, _, err = sell(home, f"code={due(home)}:{CODES['alipay']}")
    assert code == 2 and "PROVIDER_UNREACHABLE" in err and "cash" in err
    assert time.monotonic() - started < 5
    rows, _ = books(home)
    assert [r[4] for r in rows] == ["declined"]
    code, _, err = sell(home, "cash=1000.00")
    assert code == 0, err


def test_central_down_code_payment_and_offline_sale(
    live_central: CentralThread, gateway: GatewayThread, home: Home
) -> None:
    total = due(home, 1)
    st = a_showtime(home)
    live_central.stop()
    # The first sale finds the central gone mid-sale and fails over to the lease; the second
    # starts OFFLINE (its draft is an offline one from the first moment).
    for kind in ("wechat", "alipay"):
        code, out, err = pos(
            *sell_code(home, st["id"], "auto:1", f"code={total}:{CODES[kind]}"), "--json"
        )
        assert code == 0, err
        sale = json.loads(out)
        assert sale["mode"] == "offline" and len(sale["tickets"]) == 1
    rows, sales = books(home)
    assert [r[4] for r in rows] == ["captured", "captured"]
    assert all(sales[r[3]][0] in ("paid", "printed") for r in rows)
    live_central.start()  # the central takes the offline sales paid by code
    report = pos_json(*args(home, "sync"))
    assert report["remaining"] == 0 and not report["error"], report  # type: ignore[index]
    assert all(books(home)[1][r[3]][0] == "synced" for r in rows)
    assert_books_match(home, gateway)


def test_a_sale_that_fails_after_the_charge_gives_the_money_back(
    home: Home, gateway: GatewayThread
) -> None:
    st = a_showtime(home)
    seats = pos_json(*args(home, "seats", "--showtime", st["id"]))
    seat = next(s["label"] for s in seats if s["state"] == "free" and not s["leased"])
    code, _, err = pos(*sell_code(home, st["id"], seat, "cash=1000.00"))
    assert code == 0, err
    price = st["prices"]["adult"]
    code, _, err = pos(*sell_code(home, st["id"], seat, f"code={price}:{CODES['alipay']}"))
    assert code == 2 and "SEAT_TAKEN" in err  # charged first, then the central said no
    [trade] = gateway.statement()
    assert trade["state"] == "reversed" and trade["kept"] == 0
    assert [r[4] for r in books(home)[0]] == ["reversed"]
    assert_books_match(home, gateway)


def test_void_of_a_code_paid_sale_refunds_the_wallet(home: Home, gateway: GatewayThread) -> None:
    total = due(home)
    code, sale, err = sell(home, f"code={total}:{CODES['wechat']}")
    assert code == 0 and sale is not None, err
    code, _, err = pos(
        *args(home, "void", sale["sale_id"]), "--supervisor", "s01", "--pin", "9999", "--json"
    )
    assert code == 0, err
    [trade] = gateway.statement()
    assert trade["refunded"] == total and trade["kept"] == 0
    assert_books_match(home, gateway)


def test_a_refund_the_provider_missed_goes_back_when_it_answers(
    home: Home, gateway: GatewayThread
) -> None:
    total = due(home)
    code, sale, err = sell(home, f"code={total}:{CODES['alipay']}")
    assert code == 0 and sale is not None, err
    gateway.stop()
    code, _, err = pos(
        *args(home, "refund", sale["sale_id"], "--tickets", sale["tickets"][0]["id"]),
        "--supervisor", "s01", "--pin", "9999", "--json",
    )  # fmt: skip
    assert code == 0, err  # the tickets are refunded here; the wallet's share is owed
    assert in_thread(retried(home)) == 1
    status = pos_json(*args(home, "status"))
    assert status["code_owed"] == 1  # type: ignore[index]
    again = GatewayThread(port=gateway.port, gateway=gateway.gateway).start()
    try:
        assert in_thread(retried(home)) == 0
        assert pos_json(*args(home, "status"))["code_owed"] == 0  # type: ignore[index]
        [trade] = again.statement()
        assert trade["refunded"] == sale["tickets"][0]["price"]
        assert_books_match(home, again)
    finally:
        again.stop()


def test_a_code_paid_sale_is_refunded_to_the_wallet_not_exchanged(
    home: Home, gateway: GatewayThread
) -> None:
    """An exchange nets the old tickets' worth into the new sale; a wallet's money cannot be
    netted at the till, so the exchange is refused and nothing moves (no new sale, no refund)."""
    total = due(home)
    code, sale, err = sell(home, f"code={total}:{CODES['alipay']}")
    assert code == 0 and sale is not None, err
    st = a_showtime(home)
    code, _, err = pos(
        *args(home, "exchange", sale["sale_id"], "--seats", "auto:2", "--showtime", st["id"]),
        "--cashier", "c01", "--pin", "1111",
    )  # fmt: skip
    assert code == 2 and "NOT_EXCHANGEABLE" in err and "refund" in err
    [trade] = gateway.statement()
    assert trade["refunded"] == 0 and trade["kept"] == total
    _, sales = books(home)
    assert sales[sale["sale_id"]][1] == 2, "both tickets still valid"
    assert_books_match(home, gateway)
