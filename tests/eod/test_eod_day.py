"""A whole business day against a real central on loopback: online sales, an outage with
offline sales, recovery, refunds, a void, pickups and a reprint; then the shift and the day
close, and the central's totals agree with the terminal's to the fen."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import date
from pathlib import Path

from central.server import CentralThread
from offline import journal, shifts
from pos.counter.home import Home
from pos.counter.service import Counter
from tests.kit import pos, pos_json, sell_args, with_counter

FLOAT = "100x2,50x1,10x5,1x10,0.5x4"
FLOAT_FEN = 20000 + 5000 + 5000 + 1000 + 200
CASHIER = ("--cashier", "c01", "--pin", "1111")
SUPERVISOR = ("--supervisor", "s01", "--pin", "9999")


def leased_showtimes(home: Home) -> list[str]:
    rows = pos_json("leases", "--home", str(home.path))
    return [r["showtime_id"] for r in rows if r["available"] >= 2]


def sell(home: Home, showtime: str, pay: str, seats: str = "auto:2") -> dict:
    return pos_json(*sell_args(home, showtime, seats, pay=pay))


def live(report: dict) -> list[dict]:
    return [line for line in report["lines"] if line["status"] != "voided"]


def assert_agrees(report: dict) -> None:
    """The central's figures for this terminal equal the report's, to the fen."""
    central = report["central"]
    assert central is not None, "the report was not answered"
    assert central["differences"] == []
    lines = live(report)
    assert central["central_sales_count"] == len(lines)
    assert central["central_gross"] == sum(line["total"] for line in lines)
    assert central["central_refunds"] == sum(line["refunded"] for line in lines)
    by_payment: dict[str, int] = {}
    for line in lines:
        for method, amount in line["payments"].items():
            by_payment[method] = by_payment.get(method, 0) + amount
    assert central["central_by_payment"] == by_payment


def test_day_with_outage_reconciles_to_the_fen(
    home: Home, live_central: CentralThread, central_db: Path, tmp_path: Path
) -> None:
    h = ("--home", str(home.path))
    shift = pos_json("shift", "open", *CASHIER, "--float", FLOAT, *h)
    assert shift["float"] == FLOAT_FEN
    code, _, err = pos("shift", "open", *CASHIER, "--float", FLOAT, *h)
    assert code == 2 and "SHIFT_ALREADY_OPEN" in err

    first, second = leased_showtimes(home)[:2]
    cash_sale = sell(home, first, "cash=100000")
    card_sale = sell(home, second, "card=1000,cash=100000")
    assert cash_sale["mode"] == card_sale["mode"] == "online"

    async def pick_up_online(counter: Counter) -> None:
        await counter.pick_up("3YJW5E", "c01")

    with_counter(home, pick_up_online)

    live_central.stop()
    offline_a = sell(home, first, "cash=100000")
    offline_b = sell(home, second, "cash=100000")
    assert offline_a["mode"] == offline_b["mode"] == "offline"
    pos_json("shift", "cash", "--out", "50.00", "--reason", "bank drop", *SUPERVISOR, *h)

    async def offline_business(counter: Counter) -> None:
        await counter.pick_up("D5W9XT", "c01")
        ticket = offline_a["tickets"][0]["id"]
        await counter.refund(offline_a["sale_id"], "s01", "9999", [ticket], reason="changed mind")
        await counter.void(offline_b["sale_id"], "s01", "9999", reason="wrong showtime")
        counter.reprint(cash_sale["sale_id"])

    with_counter(home, offline_business)

    back = CentralThread(
        central_db, live_central.seeds_dir, drill=True, port=live_central.port,
        business_date=live_central.business_date,
    )  # fmt: skip
    with back:
        assert pos_json("sync", *h)["remaining"] == 0

        async def refund_online(counter: Counter) -> None:
            await counter.refund(card_sale["sale_id"], "s01", "9999")

        with_counter(home, refund_online)

        closed = pos_json("shift", "close", *CASHIER, "--count", "100x2,50x1,10x5", *h)
        shift_report = closed["report"]
        cash = shift_report["cash"]
        assert cash["opening_float"] == FLOAT_FEN and cash["cash_out"] == 5000
        assert cash["counted"] == 25000 + 5000
        assert cash["expected"] == (
            FLOAT_FEN + cash["sales"] - cash["given_back"] - cash["cash_out"]
        )
        assert cash["variance"] == cash["counted"] - cash["expected"]
        assert shift_report["pickups"] == 2 and shift_report["reprints"] == 1
        assert shift_report["refunds"]["count"] == 2 and shift_report["voids"]["count"] == 1
        assert set(shift_report["by_mode"]) == {"online", "offline"}
        assert shift_report["journal"]["chain_ok"]
        assert closed["upload"] == "done"
        assert_agrees(shift_report)

        day = pos_json("eod", *h)
        assert day["closed"] and day["upload"] == "done"
        day_report = day["report"]
        assert day_report["day_close"]["override"] is False
        assert day_report["sales"] == shift_report["sales"]
        assert day_report["cash"]["counted"] == cash["counted"]
        assert_agrees(day_report)

        today = date.fromisoformat(day_report["scope"]["business_date"])
        out = tmp_path / "day.csv"
        again = pos_json("report", "--day", today.isoformat(), "--csv", str(out), *h)
        assert again["report"]["central"] == day_report["central"]
        assert again["uploaded_last_hash"] == day_report["journal"]["last_hash"]
        rows = list(csv.reader(out.open(encoding="utf-8")))
        assert ["Totals", "net", "", str(day_report["net"])] in rows

    async def check(counter: Counter) -> tuple[date, int]:
        kept = (home.path / "reports" / f"{closed['report_id']}.central.json").exists()
        return counter.today.business_date(), kept

    day_of_sales, kept = with_counter(home, check)
    assert day_of_sales == today and kept


def test_altered_sale_shows_as_difference_and_broken_chain(
    home: Home, live_central: CentralThread
) -> None:
    h = ("--home", str(home.path))
    pos_json("shift", "open", *CASHIER, "--float", FLOAT, *h)
    first, second = leased_showtimes(home)[:2]
    altered = sell(home, first, "cash=100000")
    deleted = sell(home, second, "cash=100000", seats="auto:1")
    edited = sell(home, second, "cash=100000", seats="auto:1")

    with sqlite3.connect(home.store_path) as db:
        db.execute(
            "UPDATE journal SET amount = amount - 100 WHERE kind = 'sale' AND sale_id = ?",
            [altered["sale_id"]],
        )
        db.execute("DELETE FROM journal WHERE sale_id = ?", [deleted["sale_id"]])
        db.execute("UPDATE sales SET total = total + 100 WHERE id = ?", [edited["sale_id"]])

    closed = pos_json("shift", "close", *CASHIER, "--count", FLOAT, *h)
    report = closed["report"]
    assert not report["journal"]["chain_ok"]
    assert "broken at entry" in report["journal"]["chain_problem"]
    why = {d["sale_id"]: d["why"] for d in report["central"]["differences"]}
    assert sorted(why.values()) == ["amounts differ", "missing at the terminal"]
    assert any(edited["sale_id"] in m for m in report["mismatches"])

    async def verify(counter: Counter) -> journal.JournalCheck:
        return journal.verify(counter.store)

    assert not with_counter(home, verify).ok
    code, out, _ = pos("status", "--json", *h)
    assert code == 1 and json.loads(out)["journal_ok"] is False

    code, out, _ = pos("eod", "--json", *h)
    refusal = json.loads(out)
    assert code == 2 and refusal["code"] == "DAY_NOT_READY", "a broken chain stops the day"
    assert "entry" in refusal["detail"]["journal_problem"]
    day = pos_json("eod", "--override", *SUPERVISOR, "--reason", "journal checked", *h)
    assert day["closed"] and not day["report"]["journal"]["chain_ok"]
    assert day["report"]["day_close"]["override"]


def test_day_does_not_close_with_a_full_outbox_without_override(
    home: Home, live_central: CentralThread
) -> None:
    h = ("--home", str(home.path))
    pos_json("shift", "open", *CASHIER, "--float", FLOAT, *h)
    live_central.stop()
    assert sell(home, leased_showtimes(home)[0], "cash=100000")["mode"] == "offline"

    code, out, _ = pos("eod", "--json", *h)
    refusal = json.loads(out)
    assert code == 2 and refusal["code"] == "DAY_NOT_READY"
    assert refusal["detail"]["open_shifts"] and refusal["detail"]["outbox_items"] == 1

    closed = pos_json("shift", "close", *CASHIER, "--count", FLOAT, *h)
    assert closed["upload"] == "pending" and closed["report"]["central"] is None
    code, out, _ = pos("eod", "--json", *h)
    refusal = json.loads(out)
    assert code == 2
    assert refusal["detail"] == {"open_shifts": [], "outbox_items": 2, "journal_problem": ""}

    code, out, _ = pos("eod", "--json", "--override", "--supervisor", "c01", "--pin", "1111", *h)
    assert code == 2 and json.loads(out)["code"] == "NOT_SUPERVISOR"

    day = pos_json("eod", "--override", *SUPERVISOR, "--reason", "central down", *h)
    assert day["closed"] and day["upload"] == "pending"
    close = day["report"]["day_close"]
    assert close["override"] and close["closed_by"] == "s01" and close["outbox_items"] == 2
    assert close["reason"] == "central down"

    code, out, _ = pos("eod", "--json", *h)
    assert code == 2 and json.loads(out)["code"] == "DAY_ALREADY_CLOSED"

    async def days(counter: Counter) -> shifts.DayClose | None:
        return shifts.day_closed(counter.store, counter.today.business_date())

    record = with_counter(home, days)
    assert record is not None and record.override
