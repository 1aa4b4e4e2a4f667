"""What the drill knows while it runs: every record its children wrote so far, and the
central's health as the drill itself sees it (a GET of its health path per tick)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from devtools.drill.figures import Record
from devtools.drill.records import Tail

HEALTH_TIMEOUT = 0.5


class Monitor:
    def __init__(self, terminal_logs: dict[str, Path], web_log: Path | None):
        self._tails = {tid: Tail(path) for tid, path in terminal_logs.items()}
        self._web_tail = Tail(web_log) if web_log is not None else None
        self.terminals: dict[str, list[Record]] = {tid: [] for tid in terminal_logs}
        self.web: list[Record] = []
        self.health: list[tuple[float, float | None]] = []
        """(when, milliseconds or None for no answer) of the drill's own probes."""

    def poll(self) -> None:
        for tid, tail in self._tails.items():
            self.terminals[tid].extend(tail.new())
        if self._web_tail is not None:
            self.web.extend(self._web_tail.new())

    def probe(self, http: httpx.Client, path: str = "/v1/health") -> None:
        started = time.time()
        try:
            http.get(path, timeout=HEALTH_TIMEOUT).raise_for_status()
        except httpx.HTTPError:
            self.health.append((started, None))
        else:
            self.health.append((started, (time.time() - started) * 1000))

    def of(self, terminal_id: str, kind: str) -> list[Record]:
        return [r for r in self.terminals[terminal_id] if r["type"] == kind]

    def ready(self) -> set[str]:
        ready = {tid for tid, records in self.terminals.items() if _has(records, "ready")}
        if self._web_tail is None or _has(self.web, "ready"):
            ready.add("web")
        return ready

    def requests(self) -> list[Record]:
        return [r for r in self.web if r["type"] == "request"]


def _has(records: list[Record], kind: str) -> bool:
    return any(r["type"] == kind for r in records)
