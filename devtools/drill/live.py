"""The live view of a running drill (rich): phase and clock, each terminal's mode, sales and
outbox, the online rush, and the central's health as the drill sees it."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from devtools.drill.figures import is_error, sale_kind
from devtools.drill.monitor import Monitor

MODE_STYLE = {"online": "green", "degraded": "yellow", "offline": "bold red"}


class LiveView:
    def __init__(self, console: Console, enabled: bool = True):
        self.console = console
        self.enabled = enabled and console.is_terminal
        self._live: Live | None = None

    def __enter__(self) -> LiveView:
        if self.enabled:
            self._live = Live(console=self.console, refresh_per_second=4, transient=False)
            self._live.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.__exit__(kind, exc, tb)

    def show(self, phase: str, monitor: Monitor, start: float | None) -> None:
        if self._live is not None:
            self._live.update(render(phase, monitor, start))


def render(phase: str, monitor: Monitor, start: float | None) -> Group:
    clock = f"{time.time() - start:6.1f} s" if start is not None else "  setup"
    health = monitor.health[-1][1] if monitor.health else None
    central = "no answer" if health is None else f"{health:.0f} ms"
    head = Text.assemble(
        ("Festival drill ", "bold"), (f"{clock}  ", ""), (phase, "bold magenta"),
        f"   central health: {central}",
    )  # fmt: skip
    table = Table(box=None, pad_edge=False)
    for column in ("terminal", "mode", "online", "offline", "failover", "refused", "outbox"):
        table.add_column(column, justify="left" if column in ("terminal", "mode") else "right")
    for tid, records in monitor.terminals.items():
        sales = [r for r in records if r["type"] == "sale"]
        statuses = [r for r in records if r["type"] == "status"]
        last = statuses[-1] if statuses else {"mode": "-", "outbox": 0}
        kinds = [sale_kind(s) for s in sales]
        table.add_row(
            tid,
            Text(last["mode"], style=MODE_STYLE.get(last["mode"], "")),
            str(kinds.count("online")),
            str(kinds.count("offline")),
            str(kinds.count("failover")),
            str(sum(1 for r in records if r["type"] == "error")),
            str(last["outbox"]),
        )
    requests = monitor.requests()
    web = Text(
        f"online rush: {sum(r['op'] == 'sale' and r['ok'] for r in requests)} sales, "
        f"{len(requests)} requests, {sum(is_error(r) for r in requests)} errors"
    )
    return Group(head, table, web)
