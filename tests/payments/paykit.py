"""Helpers of the payment-code suites: a paying terminal, codes, and the one check every test
ends with — the gateway's books and the terminal's match, charge for charge."""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from central.server import CentralThread
from devtools.gateway.join import join_gateway
from devtools.gateway.server import GatewayThread
from pos.counter.code_setup import configure_code_pay
from pos.counter.home import Home
from pos.counter.service import Counter
from tests.kit import enroll_home, pos_json, sell_args

ALIPAY_CODE = "286012345678901234"
WECHAT_CODE = "134567890123456789"
CODES = {"alipay": ALIPAY_CODE, "wechat": WECHAT_CODE}


def paying_home(
    central: CentralThread,
    gateway: GatewayThread,
    path: Path,
    *,
    wait_seconds: float = 1.5,
    poll_seconds: float = 0.1,
    read_timeout: float = 0.8,
) -> Home:
    """An enrolled terminal (4 seats leased per showtime, shifts open) that is a merchant of
    `gateway`, with short waits so a drill case takes a second, not thirty."""
    home = enroll_home(central, path, lease_seats=4)
    code_pay = join_gateway(home, gateway.url, wait_seconds=wait_seconds, poll_seconds=poll_seconds)
    configure_code_pay(home, code_pay.model_copy(update={"read_timeout": read_timeout}))
    return home


def a_showtime(home: Home) -> dict[str, Any]:
    rows = pos_json("schedule", "--home", str(home.path))
    assert isinstance(rows, list)
    return next(r for r in rows if r["free"] > 100)


def sell_code(home: Home, showtime: str, seats: str, pay: str) -> list[str]:
    return sell_args(home, showtime, seats, pay=pay)


def books(home: Home) -> tuple[list[tuple[Any, ...]], dict[str, tuple[str, int]]]:
    """(code payment rows, {sale id: (state, live tickets)}) straight from the store file."""
    with sqlite3.connect(home.store_path) as conn:
        rows = conn.execute(
            "SELECT out_trade_no, provider, amount, sale_id, state, trade_no, refunded"
            " FROM code_payments ORDER BY created_at"
        ).fetchall()
        sales = {
            sale_id: (state, live)
            for sale_id, state, live in conn.execute(
                "SELECT s.id, s.state, (SELECT count(*) FROM sale_tickets t"
                " WHERE t.sale_id = s.id AND t.refunded = 0) FROM sales s"
            )
        }
    return rows, sales


def assert_books_match(home: Home, gateway: GatewayThread) -> None:
    """Every charge the gateway kept money for is exactly one captured payment of a sale with
    its tickets, for the same amount (less refunds); every other charge was declined,
    cancelled, reversed, or refunded in full with its tickets."""
    statement = {(r["provider"], r["out_trade_no"]): r for r in gateway.statement()}
    rows, sales = books(home)
    ours = {(r[1], r[0]): r for r in rows}
    for key, trade in statement.items():
        row = ours.get(key)
        assert row is not None, f"the gateway has a trade the terminal never made: {trade}"
        _, _, amount, sale_id, state, trade_no, refunded = row
        if trade["kept"] > 0:
            assert state == "captured", (trade, row)
            sale_state, live = sales[sale_id]
            assert sale_state in ("paid", "printed", "synced"), (trade, sale_state)
            assert live > 0
            assert trade["kept"] == amount - refunded
            assert trade_no == trade["trade_no"]
        else:  # never taken, cancelled, reversed, or refunded in full after the sale
            fully_refunded = state == "captured" and refunded == amount
            assert state in ("declined", "reversed") or fully_refunded, (trade, row)
            if fully_refunded:
                assert sales[sale_id][0] in ("voided", "refunded"), sales[sale_id]
    for key, row in ours.items():
        if row[4] == "captured":
            assert statement[key]["kept"] == row[2] - row[6]
    captured_sales = [r[3] for r in rows if r[4] == "captured"]
    assert len(captured_sales) == len(set(captured_sales)), "two charges for one sale"
    assert in_thread(_reconciled(home, gateway)) == []


def reopen(home: Home) -> int:
    """Open and close the terminal, as the next start after a crash does; returns how many code
    payments or refunds its recovery could not settle."""

    async def main() -> int:
        async with Counter(home) as counter:
            return await counter.code_till.recover()

    return in_thread(main())


async def retried(home: Home) -> int:
    """What is still owed after a till's start (its recovery asks the provider) and one
    retry, as a running till makes them."""
    async with Counter(home) as counter:
        return await counter.code_till.retry()


def in_thread(coro: Any) -> Any:
    """Run a coroutine to the end on its own loop in a thread: callable from sync tests and
    from async ones (Pilot) alike."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _reconciled(home: Home, gateway: GatewayThread) -> list[Any]:
    async with Counter(home) as counter:
        return counter.code_till.reconcile(gateway.statement()).differences
