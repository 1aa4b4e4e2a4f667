"""A ticket printed offline gets in at pretix's own door once its sale is uploaded: the signed
code in its QR is the secret pretix holds for that position, so our `pos verify` and pretix's
check-in API accept the same paper, each exactly once at pretix's door."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pretix_helpers import SeededPretix, back_online, enroll, order, pos

from devtools.pretix.seeding import DOOR
from pos.counter.service import Counter

pytestmark = [pytest.mark.pretix, pytest.mark.timeout(900)]


def redeem(pretix: SeededPretix, code: str) -> dict[str, Any]:
    """One scan at pretix's door (its check-in RPC, as its apps call it)."""
    api = pretix.api
    lists = api.all(f"{api.ev}/checkinlists/")
    door = next(c["id"] for c in lists if c["name"] == DOOR)
    answer = api.http.post(f"{api.org}/checkinrpc/redeem/", json={"secret": code, "lists": [door]})
    assert answer.status_code in (201, 400, 404), answer.text
    return answer.json()


async def test_offline_ticket_is_admitted_by_pretix_check_in(pretix: SeededPretix, tmp_path: Path):
    home = await enroll(pretix, tmp_path / "t9", "T91")
    showtime = sorted(pretix.showtimes.values())[0]
    server = pretix.server
    async with Counter(home) as counter:
        server.stop()
        try:
            outcome = await counter.sell(order(showtime, count=2))
        finally:
            server.start()
        assert outcome.mode == "offline"
        codes = [t.code for t in outcome.sale.tickets]
        # before the upload pretix does not know the paper
        assert redeem(pretix, codes[0])["status"] == "error"
        await back_online(counter)
    secrets = {
        p["secret"]
        for o in pretix.api.all(f"{pretix.api.ev}/orders/")
        if (o.get("api_meta") or {}).get("pos", {}).get("key") == outcome.sale.idempotency_key
        for p in o["positions"]
    }
    assert secrets == set(codes)
    for code in codes:
        ours = await asyncio.to_thread(
            pos, "verify", code, "--showtime", showtime, "--home", str(home.path)
        )
        assert ours["valid"], ours
        first = redeem(pretix, code)
        assert first["status"] == "ok", first
        assert first["position"]["seat"]["seat_guid"] in {t.seat for t in outcome.sale.tickets}
        again = redeem(pretix, code)
        assert (again["status"], again["reason"]) == ("error", "already_redeemed")
    forged = codes[0][:-2] + ("AA" if not codes[0].endswith("AA") else "BB")
    assert redeem(pretix, forged)["status"] == "error"
    ours = await asyncio.to_thread(
        lambda: pos("verify", forged, "--home", str(home.path), exit_code=1)
    )
    assert not ours["valid"]


async def test_online_ticket_is_admitted_by_pretix_check_in(pretix: SeededPretix, tmp_path: Path):
    home = await enroll(pretix, tmp_path / "t10", "T92")
    showtime = sorted(pretix.showtimes.values())[0]
    async with Counter(home) as counter:
        outcome = await counter.sell(order(showtime, count=1))
    assert outcome.mode == "online"
    assert redeem(pretix, outcome.sale.tickets[0].code)["status"] == "ok"
