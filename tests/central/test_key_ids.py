"""A replaced terminal's old key stays on the key ring under its own id: tickets the old machine
signed still pass at every door, and the new machine signs under a new id (T01.2)."""

from __future__ import annotations

import json
from pathlib import Path

from central.server import CentralThread
from tests.kit import args, enroll_home, pos, pos_json, sell_args


def test_tickets_of_a_replaced_machine_stay_valid(
    live_central: CentralThread, central_db: Path, tmp_path: Path
) -> None:
    old = enroll_home(live_central, tmp_path / "old", 0, lease_seats=2)
    sold = pos_json(*sell_args(old, "st-002", "auto:1"))
    old_code = sold["tickets"][0]["code"]

    rc, _, err = pos("central", "new-code", "--db", str(central_db), "--terminal", "T01")
    assert rc == 0, err
    new = enroll_home(live_central, tmp_path / "new", 0, lease_seats=2)
    assert json.loads(new.config_path.read_text())["key_id"] == "T01.2"

    live_central.stop()  # the new machine sells offline: its tickets name key T01.2
    offline = pos_json(*sell_args(new, "st-002", "auto:1"))
    assert offline["mode"] == "offline"
    with CentralThread(central_db, live_central.seeds_dir, drill=True, port=live_central.port):
        report = pos_json(*args(new, "sync"))
        assert report["accepted"] == 1 and report["conflicts"] == 0, report
        for code in (old_code, offline["tickets"][0]["code"]):
            rc, out, _ = pos(*args(new, "verify", code, "--json"))
            assert rc == 0 and json.loads(out)["verdict"] == "valid", out
