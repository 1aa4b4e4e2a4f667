"""One owner of printing: what the CLI queues, `pos print run` prints; a job a crash left
half printed is recovered when the terminal opens and prints again, marked REPRINT."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from central.server import CentralThread
from tests.kit import args, enroll_home, pos, pos_json, sell_args


def paper(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


def test_cli_sales_print_with_pos_print_run(live_central: CentralThread, tmp_path: Path) -> None:
    out = tmp_path / "printer.bin"
    home = enroll_home(live_central, tmp_path / "t1", lease_seats=4, printer=out.as_uri())
    st = next(r for r in pos_json(*args(home, "schedule")) if r["free"] > 20)
    sale = pos_json(*sell_args(home, st["id"], "auto:2"))
    assert paper(out) == b"", "selling queues the paper; it does not print it"
    assert pos_json(*args(home, "print", "run"))["pending"] == 0
    printed = paper(out)
    for ticket in sale["tickets"]:
        assert ticket["id"].encode() in printed
    assert b"REPRINT" not in printed

    again = pos_json(*args(home, "print", "run"))
    assert again == {"printed": [], "pending": 0, "problem": None}
    assert paper(out) == printed, "a job prints once"


def test_a_job_interrupted_mid_print_is_recovered_and_reprinted(
    live_central: CentralThread, tmp_path: Path
) -> None:
    out = tmp_path / "printer.bin"
    home = enroll_home(live_central, tmp_path / "t1", lease_seats=4, printer=out.as_uri())
    st = next(r for r in pos_json(*args(home, "schedule")) if r["free"] > 20)
    sale = pos_json(*sell_args(home, st["id"], "auto:1"))
    ticket_id = sale["tickets"][0]["id"]
    # The terminal died while the ticket's bytes were on their way to the printer.
    with sqlite3.connect(home.store_path) as db:
        (job,) = db.execute(
            "SELECT id FROM print_jobs WHERE kind = 'ticket' AND sale_id = ?", [sale["sale_id"]]
        ).fetchone()
        db.execute("UPDATE print_jobs SET state = 'printing' WHERE id = ?", [job])

    run = pos_json(*args(home, "print", "run"))
    assert job in run["printed"] and run["pending"] == 0
    printed = paper(out)
    assert ticket_id.encode() in printed
    assert b"REPRINT" in printed, "a second copy of a ticket always says so"
    with sqlite3.connect(home.store_path) as db:
        assert db.execute("SELECT state FROM print_jobs WHERE id = ?", [job]).fetchone() == (
            "printed",
        )


def test_print_run_exits_non_zero_while_jobs_wait(
    live_central: CentralThread, tmp_path: Path
) -> None:
    home = enroll_home(
        live_central, tmp_path / "t1", lease_seats=4, printer="tcp://127.0.0.1:9"
    )  # nothing listens on the discard port: the printer is unreachable
    st = next(r for r in pos_json(*args(home, "schedule")) if r["free"] > 20)
    pos_json(*sell_args(home, st["id"], "auto:1"))
    code, out, _ = pos(*args(home, "print", "run", "--json"))
    assert code == 1
    assert '"pending": 2' in out and "PRINTER_" in out


def test_the_receipt_shows_cash_handed_over_and_change(
    live_central: CentralThread, tmp_path: Path
) -> None:
    out = tmp_path / "printer.bin"
    home = enroll_home(live_central, tmp_path / "t1", lease_seats=4, printer=out.as_uri())
    st = next(r for r in pos_json(*args(home, "schedule")) if r["free"] > 20)
    sale = pos_json(*sell_args(home, st["id"], "auto:1", pay="cash=200.00", types="adult"))
    assert pos_json(*args(home, "print", "run"))["pending"] == 0
    printed = paper(out)
    change = sale["change"]
    assert change == 20000 - sale["total"] > 0
    assert b"200.00" in printed, "the cash the customer handed over"
    assert f"{change // 100}.{change % 100:02d}".encode() in printed


def test_printed_words_follow_the_tickets_language(
    live_central: CentralThread, tmp_path: Path
) -> None:
    home = enroll_home(live_central, tmp_path / "t1", lease_seats=4, language="zh")
    st = next(r for r in pos_json(*args(home, "schedule")) if r["free"] > 20)
    sale = pos_json(*sell_args(home, st["id"], "auto:1", types="adult"))
    paper = pos_json(*args(home, "print", "preview", "--ticket", sale["sale_id"]))["text"]
    assert "成人" in paper and "adult" not in paper, paper
    assert "Lumière" not in paper, "the cinema's name in Chinese on a Chinese receipt"
