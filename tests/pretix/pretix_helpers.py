"""The session's pretix: its installation, and what the tests know of the seeded event."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import subprocess
import sys
from collections import Counter as Tally
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from contract.models import PaymentMethod
from devtools.pretix.devserver import (
    GUNICORN,
    PRETIX_VERSION,
    PretixServer,
    cache_root,
    file_lock,
)
from devtools.pretix.postgres import PGSERVER
from devtools.pretix.seeding import Api
from offline import outbox
from pos.cli import main as pos_main
from pos.counter.home import Home
from pos.counter.payments import Tender
from pos.counter.selling import Order
from pos.counter.service import Counter

EVENT = "festival"


def pretix_python() -> Path:
    """The cached pretix virtualenv's Python, made on first use (~40 s, ~620 MB): pretix, and
    what runs it as deployed: gunicorn, and a PostgreSQL server from a wheel (`pgserver`, whose
    binaries alone are used, hence no dependencies)."""
    folder = cache_root() / f"pretix-{PRETIX_VERSION}"
    venv = folder / "venv"
    python = venv / "bin" / "python"
    with file_lock(folder / "install.lock"):
        if not (venv / "installed").exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
            _pip(python, f"pretix=={PRETIX_VERSION}")
            (venv / "installed").write_text(PRETIX_VERSION)
        deployed = f"{GUNICORN} {PGSERVER}"
        marker = venv / "deployed"
        if not marker.exists() or marker.read_text() != deployed:
            _pip(python, GUNICORN)
            _pip(python, "--no-deps", PGSERVER)
            marker.write_text(deployed)
    return python


def _pip(python: Path, *what: str) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *what],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot install {' '.join(what)}: {done.stderr[-500:]}")


@dataclass
class SeededPretix:
    server: PretixServer
    business_date: date
    showtimes: dict[str, str]
    """Seed showtime id → the adapter's showtime id (se<subevent id>)."""

    @property
    def api(self) -> Api:
        return Api.connect(self.server.url, self.server.token, self.server.organizer, EVENT)


def pos(*args: str, exit_code: int = 0) -> dict[str, Any]:
    """One `pos` command with --json; its answer (a refused door check exits 1)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = pos_main([*args, "--json"])
    assert code == exit_code, err.getvalue()
    return json.loads(out.getvalue())


async def enroll(
    pretix: SeededPretix, folder: Path, terminal: str, printer: str = "dummy:"
) -> Home:
    """Through the CLI (which runs its own event loop, hence the thread)."""
    server = pretix.server
    await asyncio.to_thread(
        pos,
        "enroll",
        "--pretix",
        server.url,
        "--organizer",
        server.organizer,
        "--event",
        EVENT,
        "--token",
        server.token,
        "--terminal",
        terminal,
        "--lease-seats",
        "2",
        "--printer",
        printer,
        "--home",
        str(folder),
    )
    # no sale or pickup without an open shift: the tests sell as c01 and pick up as c02
    for cashier, pin in (("c01", "1111"), ("c02", "2222")):
        await asyncio.to_thread(
            pos, "shift", "open", "--cashier", cashier, "--pin", pin, "--float", "100x1",
            "--home", str(folder),
        )  # fmt: skip
    return Home(folder)


def order(showtime: str, seats: list[str] | None = None, count: int | None = None) -> Order:
    return Order(
        showtime_id=showtime,
        cashier_id="c01",
        ticket_types=["adult"],
        tenders=[Tender(PaymentMethod.CASH, 100_000)],
        seats=seats,
        count=count,
    )


def live_orders(pretix: SeededPretix) -> list[dict[str, Any]]:
    return [o for o in pretix.api.all(f"{pretix.api.ev}/orders/") if o["status"] in ("n", "p")]


def assert_no_seat_sold_twice(pretix: SeededPretix) -> None:
    seats = Tally(
        (p["subevent"], p["seat"]["seat_guid"])
        for o in live_orders(pretix)
        for p in o["positions"]
        if p.get("seat") and not p.get("canceled")
    )
    assert [s for s, n in seats.items() if n > 1] == []


def first_showtime(pretix: SeededPretix) -> str:
    return sorted(pretix.showtimes.values())[0]


async def back_online(counter: Counter) -> None:
    """Probe until the breaker lets calls through (DEGRADED is fine: pretix under load is
    slow), then send whatever the outbox still holds."""
    for _ in range(counter.breaker.good_probes_to_close * 5):
        if counter.breaker.is_open:
            await counter.probe()
            continue
        await counter.sender.drain(now=True)
        if outbox.depth(counter.store) == 0:
            return
    assert outbox.depth(counter.store) == 0, outbox.items(counter.store)
