"""After-sale service through the CLI: pickups (online and offline), refunds and voids with a
supervisor PIN, reprints; all of it reaches the central exactly once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from central.server import CentralThread
from pos.counter.home import Home
from tests.kit import args, pos, pos_json, sell_args


def booking_codes(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [c for (c,) in conn.execute("SELECT code FROM bookings ORDER BY code")]


def booking_state(db: Path, code: str) -> tuple[str, str | None]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT status, picked_up_terminal FROM bookings WHERE code = ?", (code,)
        ).fetchone()


def test_pickup_online_then_twice_is_refused(home: Home, central_db: Path) -> None:
    code = booking_codes(central_db)[0]
    got = pos_json(*args(home, "pickup", code, "--cashier", "c01", "--pin", "1111"))
    assert got["code"] == code and got["seats"]
    assert booking_state(central_db, code) == ("picked_up", "T01")
    rc, _, err = pos(*args(home, "pickup", code, "--cashier", "c01", "--pin", "1111"))
    assert rc == 2 and "[ALREADY_PICKED_UP]" in err


def test_pickup_offline_is_synced_later(
    home: Home, live_central: CentralThread, central_db: Path
) -> None:
    code = booking_codes(central_db)[1]
    live_central.stop()
    got = pos_json(*args(home, "pickup", code, "--cashier", "c01", "--pin", "1111"))
    assert got["mode"] != "online"
    rc, _, err = pos(*args(home, "pickup", code, "--cashier", "c02", "--pin", "2222"))
    assert rc == 2 and "[ALREADY_PICKED_UP]" in err, "the cached list knows it went"
    with CentralThread(central_db, live_central.seeds_dir, drill=True, port=live_central.port):
        assert pos(*args(home, "sync"))[0] == 0
    assert booking_state(central_db, code) == ("picked_up", "T01")


def test_refund_void_and_reprint(home: Home, live_central: CentralThread, central_db: Path):
    sold = pos_json(*sell_args(home, "st-003", "auto:2"))
    first = sold["tickets"][0]["id"]
    rc, _, err = pos(*args(home, "refund", sold["sale_id"], "--supervisor", "c01", "--pin", "1111"))
    assert rc == 2 and "[NOT_SUPERVISOR]" in err
    rc, _, err = pos(*args(home, "refund", sold["sale_id"], "--supervisor", "s01", "--pin", "1"))
    assert rc == 2 and "[WRONG_PIN]" in err

    refunded = pos_json(
        *args(
            home,
            "refund",
            sold["sale_id"],
            "--supervisor",
            "s01",
            "--pin",
            "9999",
            "--tickets",
            first,
        )
    )
    assert refunded["refunded"] == sold["tickets"][0]["price"]
    assert refunded["queued_for_print"], "no paper came out yet: the sale says so"
    assert pos_json(*args(home, "print", "run"))["pending"] == 0
    reprint = pos_json(*args(home, "reprint", sold["sale_id"]))
    assert len(reprint["jobs"]) == 1, "only the ticket still valid is reprinted"
    voided = pos_json(*args(home, "void", sold["sale_id"], "--supervisor", "s01", "--pin", "9999"))
    assert voided["state"] == "voided"
    assert voided["queued_for_print"], "the reprint's job waits for `pos print run`"
    rc, _, err = pos(*args(home, "reprint", sold["sale_id"]))
    assert rc == 2 and "[NOT_REPRINTABLE]" in err, "a voided sale's tickets are not handed out"
    assert pos(*args(home, "sync"))[0] == 0

    with sqlite3.connect(central_db) as conn:
        status = conn.execute(
            "SELECT status FROM sales WHERE idempotency_key = (SELECT idempotency_key FROM sales"
            " WHERE id IN (SELECT sale_id FROM tickets WHERE id = ?))",
            (first,),
        ).fetchone()[0]
        live = conn.execute(
            "SELECT count(*) FROM tickets WHERE sale_id IN (SELECT sale_id FROM tickets"
            " WHERE id = ?) AND refunded = 0",
            (first,),
        ).fetchone()[0]
        refunds = conn.execute("SELECT count(*), sum(amount) FROM refunds").fetchone()
    assert status == "cancelled" and live == 0
    assert refunds == (1, sold["tickets"][0]["price"])

    code = sold["tickets"][1]["code"]
    door = pos(*args(home, "verify", code, "--json"))
    assert door[0] == 1 and '"refunded"' in door[1]
