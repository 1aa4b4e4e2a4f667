"""The drill's central when it is a pretix, as festivals deploy it: PostgreSQL, gunicorn with
several workers (devtools/pretix). It is seeded with the drill's day, stopped for the outage
(`kill`: SIGKILL of every web process, then a restart; `hang`: every web process frozen with
SIGSTOP, so connections are taken and never answered, then SIGCONT), and read back through
its REST API for the verdict, before it is shut down."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from central.seeds import SeedData, SeedShowtime, load_seeds
from devtools.drill.central_process import DrillError
from devtools.drill.checks import CentralRecord, SeatingRecord
from devtools.pretix.devserver import PretixServer, default_python
from devtools.pretix.seeding import Api, seed_pretix
from pos.ports.pretix.config import CHANNEL
from pos.ports.pretix.mapping import seat_label
from pos.ports.pretix.selling import ticket_ids

EVENT = "festival"
LIVE = ("n", "p")


def opening_showtimes(seeds: SeedData, day: date, count: int) -> list[SeedShowtime]:
    """The day's first `count` showtimes: where the festival morning's queue goes."""
    return sorted(seeds.showtimes, key=lambda st: (seeds.showtime_window(st, day)[0], st.id))[
        :count
    ]


@dataclass
class PretixCentral:
    folder: Path
    seeds: Path
    business_date: date
    showtimes: int
    server: PretixServer | None = None
    subevents: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    @property
    def token(self) -> str:
        assert self.server is not None
        return self.server.token

    @property
    def organizer(self) -> str:
        assert self.server is not None
        return self.server.organizer

    def api(self) -> Api:
        return Api.connect(self.url, self.token, self.organizer, EVENT)

    def start(self) -> PretixCentral:
        """Install-free: the pretix virtualenv the tests cache (or $POS_PRETIX_PYTHON)."""
        python = default_python()
        if python is None:
            raise DrillError("no pretix installed: run the pretix tests once, or see README")
        self.server = PretixServer(python, self.folder, db="postgresql")
        try:
            self.server.prepare()
            self.server.start()
            seeds = load_seeds(self.seeds)
            chosen = opening_showtimes(seeds, self.business_date, self.showtimes)
            self.subevents = seed_pretix(self.api(), seeds, self.business_date, chosen)
        except BaseException:
            self.server.close()
            raise
        return self

    def health(self) -> tuple[httpx.Client, str]:
        """A client and a path for the drill's own health probes (the event, as counters do)."""
        http = httpx.Client(base_url=self.url, headers={"Authorization": f"Token {self.token}"})
        return http, f"/api/v1/organizers/{self.organizer}/events/{EVENT}/"

    def _signal_web(self, sig: signal.Signals) -> None:
        assert self.server is not None and self.server.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.server.process.pid, sig)

    def begin_outage(self, fault: str) -> None:
        assert self.server is not None
        if fault == "kill":
            self.server.kill()
        else:
            self._signal_web(signal.SIGSTOP)

    def end_outage(self, fault: str) -> float | None:
        """pretix is back; when it answered again."""
        assert self.server is not None
        if fault == "kill":
            self.server.start()
        else:
            self._signal_web(signal.SIGCONT)
        return time.time()

    def stop(self) -> None:
        if self.server is not None:
            with contextlib.suppress(ProcessLookupError, AssertionError):
                self._signal_web(signal.SIGCONT)  # a frozen gunicorn cannot stop
            self.server.close()
            place = self.server.postgres.place if self.server.postgres else None
            if place is not None and not place.is_relative_to(self.folder):
                shutil.rmtree(place, ignore_errors=True)  # as root it lived outside the drill

    def finish(self) -> tuple[CentralRecord, SeatingRecord]:
        """Read what it holds through its API, then stop."""
        try:
            orders = self.orders()
            return self.record(orders), self.seating(orders)
        finally:
            self.stop()

    # --- the record, read through the API ----------------------------------------------------

    def orders(self) -> list[dict[str, Any]]:
        api = self.api()
        return api.all(f"{api.ev}/orders/?include_canceled_positions=true")

    def record(self, orders: list[dict[str, Any]]) -> CentralRecord:
        """Live tickets (by the ids the terminals know them by) and the counters' sales."""
        live: list[tuple[str, str, str]] = []
        sales: list[tuple[str, str, str]] = []
        for o in orders:
            meta = (o.get("api_meta") or {}).get("pos", {})
            ids = ticket_ids(o)
            alive = o["status"] in LIVE
            refunded = set(meta.get("refunded", []))
            live += [
                (ids[p["positionid"]], f"se{p['subevent']}", seat_label(p["seat"]))
                for p in o["positions"]
                if alive
                and p.get("seat")
                and not p.get("canceled")
                and ids[p["positionid"]] not in refunded
            ]
            if o["sales_channel"] == CHANNEL and meta.get("terminal") and not meta.get("tombstone"):
                status = "paid" if alive else "cancelled"
                sales.append((meta["terminal"], meta["key"], status))
        return CentralRecord(live=live, sales=sales)

    def seating(self, orders: list[dict[str, Any]]) -> SeatingRecord:
        api = self.api()
        showtimes = []
        for sid in self.subevents.values():
            sub = api.call("GET", f"{api.ev}/subevents/{sid}/")
            seats = api.call("GET", f"{api.ev}/subevents/{sid}/seats/?page_size=1")["count"]
            showtimes.append((f"se{sid}", seats, sub["date_from"]))
        sold_at = []
        for o in orders:
            if o["status"] not in LIVE:
                continue
            meta = (o.get("api_meta") or {}).get("pos", {})
            when = meta.get("sold_at") or o["datetime"]
            sold_at += [
                (f"se{p['subevent']}", when)
                for p in o["positions"]
                if p.get("seat") and not p.get("canceled")
            ]
        return SeatingRecord(showtimes=showtimes, sold_at=sold_at)
