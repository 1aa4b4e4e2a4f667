"""Scan to pay at the counter, through the real Textual app (Pilot) over the real counter, the
reference central and the reference gateway: the scanner types the code and Enter; every drill
case ends with the tickets printed and the money taken once, or with nothing taken and the
cashier told why, in English and in Chinese."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from devtools.gateway.join import join_gateway
from devtools.gateway.ledger import Drill
from devtools.gateway.server import GatewayThread
from pos.tui.app import PosApp
from pos.tui.screens import PaymentScreen, ResultScreen
from tests.conftest import tomorrow_in_shanghai
from tests.payments.paykit import CODES, assert_books_match, books
from tests.tui.conftest import Terminal, start_terminal
from tests.tui.test_flows import SIZE, choose_two_seats, log_in, settle, text_of


@pytest.fixture
def till(tmp_path: Path, gateway: GatewayThread) -> Iterator[Terminal]:
    found = start_terminal(tmp_path, tomorrow_in_shanghai())
    join_gateway(found.home, gateway.url, wait_seconds=1.5, poll_seconds=0.3)
    yield found
    found.central.stop()


def notices(app: PosApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def scan_and_pay(pilot: Pilot, code: str) -> list[str]:
    """On the payment screen: F8, the scanner's digits and Enter; returns what the payment
    message said while the sale was under way."""
    await pilot.press("f8", *code, "enter")
    said: list[str] = []
    for _ in range(100):
        await pilot.pause(0.05)
        if not isinstance(pilot.app.screen, PaymentScreen):
            break
        line = text_of(pilot.app, "#payment-message")
        if line and line not in said:
            said.append(line)
        if not pilot.app.screen.query_one("#payment-box").disabled and said:
            break
    await settle(pilot)
    return said


async def to_payment(pilot: Pilot) -> None:
    await log_in(pilot)
    await choose_two_seats(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PaymentScreen)


@pytest.mark.parametrize(
    ("drill", "kind", "language"),
    [
        (Drill.INSTANT, "alipay", "en"),
        (Drill.USER_PAYING, "wechat", "en"),
        (Drill.USER_PAYING, "alipay", "zh"),
        (Drill.RESET_AFTER_CHARGE, "wechat", "zh"),
        (Drill.SLOW, "alipay", "en"),
    ],
)
async def test_scan_to_pay_prints_the_tickets(
    till: Terminal, gateway: GatewayThread, drill: Drill, kind: str, language: str
) -> None:
    gateway.set_drill(drill, slow_seconds=1.0)
    app = till.app(language=language)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_payment(pilot)
        total = app.screen.total
        said = await scan_and_pay(pilot, CODES[kind])
        assert isinstance(app.screen, ResultScreen), notices(app)
        waiting = "等待顾客" if language == "zh" else "Waiting for the customer"
        assert any(waiting in s for s in said) == (drill == Drill.USER_PAYING), said
    [trade] = gateway.statement()
    assert (trade["provider"], trade["amount"], trade["state"]) == (kind, total, "success")
    assert till.tickets.stat().st_size > 0
    assert_books_match(till.home, gateway)


@pytest.mark.parametrize(
    ("drill", "code", "language"),
    [
        (Drill.USER_PAYING_TIMEOUT, "PAYMENT_TIMEOUT", "en"),
        (Drill.INSUFFICIENT_FUNDS, "PAYMENT_DECLINED", "zh"),
    ],
)
async def test_no_money_no_tickets_and_the_cashier_is_told(
    till: Terminal, gateway: GatewayThread, drill: Drill, code: str, language: str
) -> None:
    gateway.set_drill(drill)
    app = till.app(language=language)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_payment(pilot)
        await scan_and_pay(pilot, CODES["wechat"])
        assert isinstance(app.screen, PaymentScreen), "still at the payment: take cash"
        [notice] = [n for n in notices(app) if code in n]
        assert ("付款" in notice) == (language == "zh")
        assert app.screen.query_one("#code").value == ""  # type: ignore[attr-defined]
        # the customer pays cash instead
        await pilot.press("f7", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ResultScreen), notices(app)
    [trade] = gateway.statement()
    assert trade["kept"] == 0
    assert {r[4] for r in books(till.home)[0]} <= {"declined", "reversed"}
    assert_books_match(till.home, gateway)


async def test_a_code_of_neither_kind_is_refused_on_screen(
    till: Terminal, gateway: GatewayThread
) -> None:
    app = till.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_payment(pilot)
        await pilot.press("f8", *"99123456", "enter")
        await settle(pilot)
        await asyncio.sleep(0)
        assert isinstance(app.screen, PaymentScreen)
        assert any("BAD_PAYMENT_CODE" in n for n in notices(app))
    assert gateway.statement() == []


def test_the_demo_takes_payment_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`pos demo` starts a reference gateway beside its central and makes its terminal a
    merchant: a trainer can scan to pay straight away."""
    import pos.cli.tui as cli_tui
    from tests.kit import pos

    def drive(app: PosApp) -> int:
        async def main() -> None:
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                await to_payment(pilot)
                await scan_and_pay(pilot, CODES["alipay"])
                assert isinstance(app.screen, ResultScreen), notices(app)

        asyncio.run(main())
        return 0

    monkeypatch.setattr(cli_tui, "run_app", drive)
    code, _, err = pos("demo", "--home", str(tmp_path / "demo"))
    assert code == 0, err
    assert "scan to pay" in err
    assert (tmp_path / "demo" / "tickets.bin").stat().st_size > 0


async def test_provider_unreachable_offers_cash_at_once(
    till: Terminal, gateway: GatewayThread
) -> None:
    gateway.stop()
    app = till.app(language="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_payment(pilot)
        await scan_and_pay(pilot, CODES["alipay"])
        assert isinstance(app.screen, PaymentScreen)
        [notice] = [n for n in notices(app) if "PROVIDER_UNREACHABLE" in n]
        assert "现金" in notice  # "take cash", in the cashier's language
        await pilot.press("f7", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ResultScreen), notices(app)


async def test_refund_of_a_code_paid_ticket_goes_back_to_the_wallet(
    till: Terminal, gateway: GatewayThread
) -> None:
    from offline import sales
    from pos.tui.screens import SalesScreen
    from pos.tui.widgets import RefundDialog

    app = till.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_payment(pilot)
        await pilot.press(*"50")  # ¥50 in cash, the payment code pays the rest
        await scan_and_pay(pilot, CODES["wechat"])
        assert isinstance(app.screen, ResultScreen), notices(app)
        sale = app.counter.recent_sales(1)[0]
        await pilot.press("enter")  # next customer
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, SalesScreen)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, RefundDialog)
        said = text_of(app, "#refund-money")
        assert "¥50.00 in cash" in said and "back to WeChat Pay by itself" in said, said
        await pilot.press("enter", *"s01", "tab", *"9999", "enter")
        await settle(pilot)
        assert sales.get(app.counter.store, sale.id).state == "refunded"
        assert "back to WeChat Pay" in text_of(app, "#sales-message")
    [trade] = gateway.statement()
    assert trade["refunded"] == sale.total - 5000 and trade["kept"] == 0
    assert_books_match(till.home, gateway)


async def test_the_status_bar_shows_money_a_provider_still_owes(
    till: Terminal, gateway: GatewayThread
) -> None:
    app = till.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_payment(pilot)
        await scan_and_pay(pilot, CODES["alipay"])
        assert isinstance(app.screen, ResultScreen), notices(app)
        sale = app.counter.recent_sales(1)[0]
        gateway.stop()
        await app.counter.refund(sale.id, "s01", "9999", cashier_id="c01")
        app.refresh_status()  # type: ignore[attr-defined]
        await settle(pilot)
        assert "1 code refund(s) owed" in str(app.screen.query_one("#status-bar").render())
        again = GatewayThread(port=gateway.port, gateway=gateway.gateway).start()
        try:
            assert await app.counter.code_till.retry() == 0
            app.refresh_status()  # type: ignore[attr-defined]
            await settle(pilot)
            assert "owed" not in str(app.screen.query_one("#status-bar").render())
        finally:
            again.stop()
