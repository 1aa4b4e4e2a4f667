"""A ticket refunded or voided at one counter is refused at every other door after that door's
terminal refreshed: the central lists the day's refunded tickets and terminals cache them."""

from __future__ import annotations

import json
from pathlib import Path

from central.server import CentralThread
from tests.kit import args, enroll_home, pos, pos_json, sell_args


def test_a_refund_at_one_counter_reaches_the_other_doors(
    live_central: CentralThread, tmp_path: Path
) -> None:
    seller = enroll_home(live_central, tmp_path / "t1", 0, lease_seats=2)
    door = enroll_home(live_central, tmp_path / "t2", 1, lease_seats=2)
    sold = pos_json(*sell_args(seller, "st-004", "auto:2"))
    refunded, kept = sold["tickets"]
    assert json.loads(pos(*args(door, "verify", refunded["code"], "--json"))[1])["valid"]

    pos_json(*args(seller, "refund", sold["sale_id"], "--supervisor", "s01", "--pin", "9999",
                   "--tickets", refunded["id"]))  # fmt: skip
    assert pos(*args(seller, "sync"))[0] == 0
    assert pos(*args(door, "sync"))[0] == 0  # the door's terminal refreshes

    code, out, _ = pos(*args(door, "verify", refunded["code"], "--json"))
    assert code == 1 and json.loads(out)["verdict"] == "refunded"
    code, out, _ = pos(*args(door, "verify", kept["code"], "--json"))
    assert code == 0 and json.loads(out)["verdict"] == "valid"
