"""The scripting CLI against a real central: answers, one-line errors and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from central.server import CentralThread
from offline import leases
from offline.store import Store
from pos.counter.home import Home
from tests.kit import args, pos, pos_json, sell_args


def free_showtime(home: Home) -> dict:
    rows = pos_json(*args(home, "schedule"))
    assert isinstance(rows, list) and len(rows) >= 50
    return next(r for r in rows if r["free"] > 100)


def test_schedule_seats_sell_status(home: Home) -> None:
    st = free_showtime(home)
    assert {"id", "film", "start", "auditorium", "free"} <= set(st)
    seats = pos_json(*args(home, "seats", "--showtime", st["id"]))
    assert {"label", "kind", "state", "leased"} <= set(seats[0])
    leased = [s for s in seats if s["leased"]]
    assert leased and all(s["state"] == "free" for s in leased)
    free = [
        s["label"]
        for s in seats
        if s["state"] == "free" and not s["leased"] and s["kind"] == "standard"
    ]

    sale = pos_json(
        *sell_args(
            home,
            st["id"],
            ",".join(free[:2]),
            types="adult,child",
            pay="cash=200.00",
            cashier="c02",
            pin="2222",
        )
    )
    prices = st["prices"]
    assert sale["mode"] == "online"
    assert sale["total"] == prices["adult"] + prices["child"]
    assert sale["change"] == 20_000 - sale["total"]
    assert [t["seat"] for t in sale["tickets"]] == free[:2]
    assert all(t["code"].startswith("BO1.") for t in sale["tickets"])

    again = pos(*sell_args(home, st["id"], free[0], pay="cash=10000", cashier="c02", pin="2222"))
    assert again[0] == 2 and "SEAT_TAKEN" in again[2] and again[2].count("\n") == 1

    auto = pos_json(
        *sell_args(
            home,
            st["id"],
            "auto:3",
            pay=f"card={3 * prices['adult']}:POS1",
            cashier="c02",
            pin="2222",
        )
    )
    row_numbers = [(t["seat"].rstrip("0123456789"), int(t["seat"][1:])) for t in auto["tickets"]]
    assert len({row for row, _ in row_numbers}) == 1, "auto:3 seats sit in one row"

    status = pos_json(*args(home, "status"))
    assert status["mode"] == "online" and status["outbox"] == 0
    assert sum(status["leases"].values()) > 0


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        (["--showtime", "st-999", "--seats", "A1"], "UNKNOWN_SHOWTIME"),
        (["--seats", "A1", "--pin", "0000"], "WRONG_PIN"),
        (["--seats", "auto:2", "--pay", "cash=1"], "UNPAID"),
        (["--seats", "auto:x"], "BAD_SEATS"),
        (["--seats", "A1", "--pay", "bitcoin=5"], "BAD_PAYMENT"),
        (["--seats", "A1", "--types", "pirate"], "UNKNOWN_TICKET_TYPE"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(home: Home, extra: list[str], code: str) -> None:
    base = {"--showtime": "st-005", "--pay": "cash=100000", "--pin": "1111", "--types": "adult"}
    for i in range(0, len(extra), 2):
        base[extra[i]] = extra[i + 1]
    flat = [x for pair in base.items() for x in pair]
    rc, out, err = pos(*args(home, "sell", *flat, "--cashier", "c01"))
    assert rc == 2
    assert f"[{code}]" in err and err.count("\n") == 1
    assert out == ""


def test_unknown_flag_exits_2_with_one_line(home: Home) -> None:
    rc, _, err = pos("sell", "--bogus")
    assert rc == 2 and err.count("\n") == 1


def test_offline_sale_only_from_the_lease(home: Home, live_central: CentralThread) -> None:
    st = free_showtime(home)
    live_central.stop()
    leased = pos_json(*args(home, "leases"))
    mine = next(r for r in leased if r["showtime_id"] == st["id"])["seats"]
    seats = pos_json(*args(home, "seats", "--showtime", st["id"]))
    outside = next(s["label"] for s in seats if not s["leased"] and s["state"] == "free")
    assert pos_json(*args(home, "status"))["mode"] == "offline"

    rc, _, err = pos(*sell_args(home, st["id"], outside))
    assert rc == 2 and "[SEAT_NOT_LEASED]" in err

    sale = pos_json(*sell_args(home, st["id"], mine[0]))
    assert sale["mode"] == "offline"
    status = pos_json(*args(home, "status"))
    assert status["mode"] == "offline" and status["outbox"] == 1
    rc, _, _ = pos(*args(home, "sync", "--json"))
    assert rc == 1  # the central is still down: the sale stays queued


def test_door_check(home: Home, tmp_path: Path) -> None:
    st = free_showtime(home)
    sale = pos_json(*sell_args(home, st["id"], "auto:2"))
    code = sale["tickets"][0]["code"]
    ok = pos_json(*args(home, "verify", code, "--showtime", st["id"]))
    assert ok["verdict"] == "valid" and ok["seat"] == sale["tickets"][0]["seat"]

    other = "st-050" if st["id"] != "st-050" else "st-049"
    rc, out, _ = pos(*args(home, "verify", code, "--showtime", other, "--json"))
    assert rc == 1 and '"wrong_showtime"' in out

    prefix, payload, signature = code.split(".")
    flipped = payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:]
    rc, out, _ = pos(*args(home, "verify", f"{prefix}.{flipped}.{signature}", "--json"))
    assert rc == 1 and ('"altered"' in out)

    rc, out, _ = pos(*args(home, "verify", "hello world", "--json"))
    assert rc == 1 and '"forged"' in out


def test_sync_reports_what_the_recovery_drain_sent(
    home: Home, live_central: CentralThread, central_db: Path
) -> None:
    st = free_showtime(home)
    live_central.stop()
    for _ in range(2):
        assert pos_json(*sell_args(home, st["id"], "auto:1"))["mode"] == "offline"
    with CentralThread(central_db, live_central.seeds_dir, drill=True, port=live_central.port):
        report = pos_json(*args(home, "sync"))
    assert report["sent"] == 2 and report["accepted"] == 2, report
    assert report["remaining"] == 0 and report["error"] is None


def held(home: Home, showtime: str) -> list[str]:
    """The terminal's own unsold leased seats of the showtime, as its store has them."""
    store = Store.open(home.store_path, check=False)
    try:
        return leases.available_seats(store, showtime)
    finally:
        store.db.close()


def test_one_shot_sales_keep_the_lease_following_demand(home: Home) -> None:
    """`pos sell` runs no sync loop: each online sale tops up its showtime's lease itself, so a
    counter run by one-shot calls holds what its queue needs when the central dies."""
    st = free_showtime(home)
    before = held(home, st["id"])
    assert 0 < len(before) <= 8  # a cold showtime's few parties' worth
    for _ in range(5):
        assert pos_json(*sell_args(home, st["id"], "auto:4"))["mode"] == "online"
    mine = held(home, st["id"])
    # 20 seats within the hour: expected = 20/h x 75 min x 1.5 headroom, far above the floor
    assert len(mine) >= 30, mine
    seats = pos_json(*args(home, "seats", "--showtime", st["id"]))
    assert set(mine) <= {s["label"] for s in seats if s["leased"] and s["state"] == "free"}
