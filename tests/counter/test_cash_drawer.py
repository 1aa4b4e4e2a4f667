"""A cash sale opens the drawer through the printer (ESC p), as the terminal's settings say:
on pin 2 by default, pin 5 if wired so, never when the sale took no cash or the terminal has no
drawer. Real central, real store, real ESC/POS bytes in a file printer."""

from __future__ import annotations

from pathlib import Path

import pytest

from central.server import CentralThread
from contract.models import PaymentMethod
from pos.counter.errors import CounterError
from pos.counter.home import Home
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.counter.service import Counter
from tests.kit import enroll_home, with_counter
from tests.printer.escpos_decoder import decode


def sell_and_print(home_path: Path, out: Path, method: PaymentMethod) -> list[int]:
    async def action(counter: Counter) -> None:
        st = next(s for s in counter.schedule().showtimes if s.free > 20)
        price = st.prices["adult"]
        amount = 20_000 if method == PaymentMethod.CASH else price
        tender = Tender(method, amount, None if method == PaymentMethod.CASH else "REF1")
        order = Order(st.id, "c01", ["adult"], [tender], count=1)
        await counter.sell(order)
        run = counter.print_pending()
        assert run.pending == 0

    with_counter(Home(home_path), action)
    return decode(out.read_bytes()).drawer_kicks


@pytest.mark.parametrize(
    ("settings", "method", "kicks"),
    [
        ({}, PaymentMethod.CASH, [2]),
        ({"cash_drawer_pin": 5}, PaymentMethod.CASH, [5]),
        ({}, PaymentMethod.CARD, []),
        ({"cash_drawer": False}, PaymentMethod.CASH, []),
    ],
)
def test_cash_sales_kick_the_drawer_as_configured(
    live_central: CentralThread,
    tmp_path: Path,
    settings: dict[str, object],
    method: PaymentMethod,
    kicks: list[int],
) -> None:
    out = tmp_path / "printer.bin"
    home = enroll_home(
        live_central, tmp_path / "t1", lease_seats=4, printer=out.as_uri(), **settings
    )
    assert sell_and_print(home.path, out, method) == kicks


def test_a_bad_drawer_pin_is_refused_naming_the_setting(
    live_central: CentralThread, tmp_path: Path
) -> None:
    home = enroll_home(live_central, tmp_path / "t1", shifts=(), cash_drawer_pin=3)
    with pytest.raises(CounterError) as caught:
        home.load()
    assert caught.value.code == "BAD_CONFIG" and "cash_drawer_pin" in caught.value.message
