"""Enrollment codes work once; replacing a terminal's machine takes a fresh code from IT at the
central, and then the old machine's token stops working; guessing codes is limited."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from central.server import CentralThread
from contract.ticket_code import new_private_key, public_key_text
from tests.kit import pos


def enroll_with(server: CentralThread, code: str) -> httpx.Response:
    body = {"code": code, "public_key": public_key_text(new_private_key())}
    return httpx.post(f"{server.url}/v1/enrollments", json=body)


def health_as(server: CentralThread, token: str) -> int:
    auth = {"Authorization": f"Bearer {token}"}
    return httpx.get(f"{server.url}/v1/keys", headers=auth).status_code


def test_a_code_works_once_and_a_new_code_replaces_the_machine(
    live_central: CentralThread, central_db: Path
) -> None:
    code = live_central.info()["terminals"][0]["enrollment_code"]
    first = enroll_with(live_central, code)
    assert first.status_code == 200
    token = first.json()["token"]

    again = enroll_with(live_central, code)
    assert again.status_code == 403 and again.json()["code"] == "CODE_USED"
    assert health_as(live_central, token) == 200, "a refused takeover changes nothing"

    rc, out, err = pos("central", "new-code", "--db", str(central_db), "--terminal", "T01",
                       "--json")  # fmt: skip
    assert rc == 0, err
    fresh = json.loads(out)["code"]
    assert len(fresh.replace("-", "")) >= 30 and fresh != code
    replaced = enroll_with(live_central, fresh)
    assert replaced.status_code == 200
    assert health_as(live_central, token) == 401, "the old machine's token stops working"
    assert health_as(live_central, replaced.json()["token"]) == 200

    rc, _, err = pos("central", "new-code", "--db", str(central_db), "--terminal", "T99")
    assert (rc == 2 and "[NOT_FOUND" in err) or "T99" in err


def test_guessing_codes_is_limited_per_address(live_central: CentralThread) -> None:
    answers = [enroll_with(live_central, f"ENROLL-GUESS-{i:04d}").status_code for i in range(7)]
    assert answers[:5] == [403] * 5
    assert answers[5:] == [429, 429]
    code = live_central.info()["terminals"][1]["enrollment_code"]
    locked = enroll_with(live_central, code)
    assert locked.status_code == 429, "while locked out, even a right code waits"
