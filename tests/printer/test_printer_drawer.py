"""The cash drawer hangs on the receipt printer: a receipt that says so opens it with ESC p on
the right connector pin, seen on the bytes a fake network printer receives; a reprint does not
open it again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fake_printer import FakePrinter
from sqlite_utils import Database

from printer.demo import demo_receipt
from printer.device import Printer
from printer.layout import with_reprint
from printer.queue import PrintQueue


@pytest.mark.parametrize(("pin", "selector"), [(2, 0), (5, 1)])
def test_a_receipt_with_a_drawer_kicks_it_on_its_pin_before_the_paper(
    fake: FakePrinter, pin: int, selector: int
) -> None:
    receipt = dataclasses.replace(demo_receipt(), drawer_pin=pin)
    Printer(fake.url).print_layout(receipt)

    decoded = fake.decoded()
    assert decoded.drawer_kicks == [pin]
    assert decoded.cuts == 1
    sent = bytes(fake.received)
    kick = sent.index(b"\x1bp")
    assert sent[kick + 2] == selector
    assert kick < sent.index(b"Total"), "the drawer opens as the receipt starts printing"


def test_no_drawer_no_kick_and_a_reprint_never_kicks(fake: FakePrinter) -> None:
    printer = Printer(fake.url)
    printer.print_layout(demo_receipt())
    printer.print_layout(with_reprint(dataclasses.replace(demo_receipt(), drawer_pin=2)))
    decoded = fake.decoded()
    assert decoded.cuts == 2
    assert decoded.drawer_kicks == []
    assert "REPRINT" in decoded.text


def test_the_kick_survives_the_print_queue(fake: FakePrinter, tmp_path: Path) -> None:
    queue = PrintQueue(Database(tmp_path / "terminal.db"))
    queue.enqueue("receipt", dataclasses.replace(demo_receipt(), drawer_pin=5), sale_id="S-1")
    queue.run_pending(Printer(fake.url))
    assert fake.decoded().drawer_kicks == [5]
