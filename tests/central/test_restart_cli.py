"""A restarted central keeps everything (seeding happens once); the `pos` command's central
entry point fails clearly on broken seeds and bad flags."""

from __future__ import annotations

import shutil

import httpx
import pytest
from centralkit import (
    SEEDS,
    SHOWTIME,
    enroll,
    error_of,
    free_standard_seats,
    key_ring,
    ok,
    sale_body,
    schedule,
    states,
    tomorrow_in_shanghai,
)

from central.server import CentralThread
from contract.ticket_code import Verdict, check_ticket_code
from pos import __version__
from pos.cli import main


def test_restart_keeps_sales_holds_and_leases(tmp_path) -> None:
    db = tmp_path / "central.db"
    day = tomorrow_in_shanghai()
    with CentralThread(db, SEEDS, drill=False, business_date=day) as first:
        term = enroll(first, 0)
        seats = free_standard_seats(term, 3)
        sale = ok(term.post("/v1/sales", sale_body(term, seats[:2]), key="sale-before-restart"))
        hold = ok(
            term.post(
                "/v1/holds", {"showtime_id": SHOWTIME, "seats": seats[2:], "ttl_seconds": 1800}
            )
        )
        lease = ok(term.post("/v1/leases", {"showtime_id": SHOWTIME, "count": 4}))
        before_schedule = schedule(term)
        before_states = states(term)
        before_bookings = ok(term.client.get("/v1/bookings"))
        central_key = term.central_public_key
        term.client.close()

    # Started again on the same file, even with another business date: nothing is re-seeded.
    with CentralThread(
        db, SEEDS, drill=False, business_date=day.replace(year=day.year + 1)
    ) as second:
        assert second.url  # a new port, maybe
        client = httpx.Client(
            base_url=second.url, headers={"Authorization": f"Bearer {term.token}"}
        )
        term.client = client
        try:
            assert ok(client.get(f"/v1/sales/{sale['id']}")) == sale
            replay = ok(
                term.post("/v1/sales", sale_body(term, seats[:2]), key="sale-before-restart")
            )
            assert replay["id"] == sale["id"]
            assert states(term) == before_states
            assert states(term)[seats[2]]["state"] == "held"
            assert ok(client.get("/v1/leases")) == [lease]
            after = schedule(term)
            assert after["business_date"] == before_schedule["business_date"]
            assert after["version"] == before_schedule["version"]
            assert ok(client.get("/v1/bookings")) == before_bookings
            # The same signing key: tickets sold before the restart still verify.
            ring = key_ring(term)
            assert all(
                check_ticket_code(t["code"], ring).verdict == Verdict.VALID for t in sale["tickets"]
            )
            assert enroll(second, 1).central_public_key == central_key
            # The hold still protects its seat from a terminal that enrolls now.
            other = enroll(second, 2)
            error_of(other.post("/v1/sales", sale_body(other, seats[2:])), 409, "SEAT_TAKEN")
            other.client.close()
            # The holder can still sell its hold, and release its lease.
            ok(term.post("/v1/sales", sale_body(term, seats[2:], hold_id=hold["id"])))
            released = ok(term.post(f"/v1/leases/{lease['id']}/releases", {}))
            assert released["seats"] == []
        finally:
            client.close()


def test_seed_error_exits_2_naming_the_file(tmp_path, capsys) -> None:
    broken = tmp_path / "seeds"
    shutil.copytree(SEEDS, broken)
    films = broken / "films.toml"
    films.write_text(films.read_text(encoding="utf-8") + "\n[[films]\nid = \n", encoding="utf-8")
    code = main(
        ["central", "serve", "--db", str(tmp_path / "c.db"), "--seed", str(broken), "--port", "0"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "films.toml" in err and "[SEED_INVALID]" in err
    assert "Traceback" not in err

    shutil.rmtree(broken)
    shutil.copytree(SEEDS, broken)
    (broken / "showtimes.toml").unlink()
    assert (
        main(
            [
                "central",
                "serve",
                "--db",
                str(tmp_path / "d.db"),
                "--seed",
                str(broken),
                "--port",
                "0",
            ]
        )
        == 2
    )
    assert "showtimes.toml" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["central", "serve", "--bogus"],
        ["central", "serve"],
        ["central", "serve", "--db", "x.db", "--port", "many"],
        ["central", "serve", "--db", "x.db", "--business-date", "someday"],
        ["central", "dance"],
        ["--bogus"],
    ],
)
def test_bad_flags_exit_2_with_one_line(argv, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "error" in err


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out.strip()
    assert out == f"pos {__version__}" and out != "pos "
