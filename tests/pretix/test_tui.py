"""The real counter TUI against the real pretix (gunicorn on PostgreSQL), driven by Textual's
Pilot: log in, sell online, sell offline while pretix is stopped (uploaded once it is back),
pick up a web-shop order, refund a sale. Judged from the screens and from pretix's orders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pretix_helpers import SeededPretix, enroll, live_orders

from pos.counter.connectivity import Breaker, Mode
from pos.counter.service import Counter
from pos.tui.app import PosApp
from pos.tui.screens import PickupScreen, ResultScreen, SalesScreen, ScheduleScreen
from pos.tui.widgets import ConfirmDialog, RefundDialog
from tests.tui.test_flows import SIZE, choose_two_seats, log_in, pay_cash, settle, text_of

pytestmark = [pytest.mark.pretix, pytest.mark.timeout(900)]


def web_order(pretix: SeededPretix, showtime: str) -> str:
    """A paid web-shop order for one free seat, to pick up at the counter: its code."""
    api = pretix.api
    sid = int(showtime.removeprefix("se"))
    seat = api.call(
        "GET", f"{api.ev}/subevents/{sid}/seats/?is_available=true&blocked=false&page_size=1"
    )["results"][0]
    item = api.call("GET", f"{api.ev}/items/{seat['product']}/")
    made = api.call(
        "POST",
        f"{api.ev}/orders/",
        {
            "status": "p",
            "sales_channel": "web",
            "payment_provider": "manual",
            "send_email": False,
            "positions": [
                {
                    "item": item["id"],
                    "variation": item["variations"][0]["id"],
                    "subevent": sid,
                    "seat": seat["seat_guid"],
                    "attendee_name": "Lin Wei",
                }
            ],
        },
    )
    return made["code"]


def order_of(pretix: SeededPretix, key: str) -> dict[str, Any]:
    (found,) = [
        o
        for o in pretix.api.all(f"{pretix.api.ev}/orders/")
        if (o.get("api_meta") or {}).get("pos", {}).get("key") == key
    ]
    return found


async def wait_sent(pilot: Any, app: PosApp) -> None:
    """Until pretix has everything the counter queued (DEGRADED is fine: slow, reachable)."""
    for _ in range(600):
        if app.status is not None and app.status.mode != Mode.OFFLINE and app.status.outbox == 0:
            return
        await pilot.pause(0.05)
    raise AssertionError(f"not back online: {app.status}")


async def test_counter_tui_on_pretix(pretix: SeededPretix, tmp_path: Path) -> None:
    tickets = tmp_path / "tickets.bin"
    home = await enroll(pretix, tmp_path / "t13", "T95", printer=tickets.as_uri())
    booking = web_order(pretix, sorted(pretix.showtimes.values())[0])
    app = PosApp(Counter(home, breaker=Breaker()), background=True, blink=False)
    server = pretix.server
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        assert isinstance(app.screen, ScheduleScreen)

        # online
        await choose_two_seats(pilot)
        await pay_cash(pilot, "200")
        assert isinstance(app.screen, ResultScreen), text_of(app, "#confirm-question")
        online = app.screen.outcome
        assert online.mode == "online"
        assert order_of(pretix, online.sale.idempotency_key)["status"] == "p"
        await pilot.press("enter")
        await settle(pilot)

        # offline: pretix stopped between choosing the seats and paying
        await choose_two_seats(pilot)
        server.stop()
        try:
            await pay_cash(pilot, "200")
            if isinstance(app.screen, ConfirmDialog):  # seats outside the lease: asked first
                await pilot.press("enter")
                await settle(pilot)
            assert isinstance(app.screen, ResultScreen)
            offline = app.screen.outcome
            assert offline.mode == "offline"
            assert "OFFLINE" in str(app.screen.query_one("#status-bar").render())
        finally:
            server.start()
        await wait_sent(pilot, app)
        uploaded = order_of(pretix, offline.sale.idempotency_key)
        assert uploaded["status"] == "p"
        assert {p["secret"] for p in uploaded["positions"]} == {
            t.code for t in offline.sale.tickets
        }
        await pilot.press("enter")
        await settle(pilot)

        # pickup of the web-shop order
        await app.counter.refresh()  # bookings are cached at refresh; this one is new
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, PickupScreen)
        await pilot.press(*booking.lower(), "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog), text_of(app, "#pickup-message")
        assert "Lin Wei" in text_of(app, "#confirm-question")
        await pilot.press("enter")
        await settle(pilot)
        assert "Lin Wei" in text_of(app, "#pickup-result")
        logs = [
            log
            for p in pretix.api.call("GET", f"{pretix.api.ev}/orders/{booking}/")["positions"]
            for log in p.get("print_logs", [])
        ]
        assert [log["info"]["terminal"] for log in logs] == ["T95"]
        await pilot.press("escape")
        await settle(pilot)

        # refund the offline sale (the newest on the list), whole
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, SalesScreen)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, RefundDialog)
        await pilot.press("enter", *"s01", "tab", *"9999", "enter")
        await settle(pilot)
        assert "refunded" in text_of(app, "#sales-message")
        await wait_sent(pilot, app)
    refunded = order_of(pretix, offline.sale.idempotency_key)
    assert refunded["status"] == "c"
    assert offline.sale.idempotency_key not in {
        (o.get("api_meta") or {}).get("pos", {}).get("key") for o in live_orders(pretix)
    }
