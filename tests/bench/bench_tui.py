"""Benchmark: the counter TUI's cold start and seat-map keypress latency. On demand, not in CI.

Run `python tests/bench/bench_tui.py`. Each figure has a baseline measured the same way in
the same run, so the ratio says what our layer costs on whatever machine runs it:

- cold start: a fresh interpreter running `pos run`'s own parser and entry (`counter_app` in
  pos/cli/tui.py, headless) until the login screen is up with its field focused (the child
  prints a line then), against a minimal Textual app with one Input started the same way; goal
  ≤ 2×. The two alternate, run by run, after one unmeasured run of each: the children cache
  bytecode in a temporary folder, as an installed counter has it (this machine may set
  PYTHONDONTWRITEBYTECODE). Informative: the same start until the counter is open too (from
  then on a PIN typed at the login is checked);
- keypress to redraw: the seat map's key handler (move the cursor) plus drawing every visible
  line of the largest auditorium, against an Input's cursor-right plus its redraw.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.rows import row  # noqa: E402
from tests.kit import pos  # noqa: E402
from tests.tui.conftest import SNAPSHOT_DAY, Terminal, start_terminal  # noqa: E402

START_RATIO_GOAL = 2.0
KEY_GOAL_MS = 50.0
STARTS = 7
KEYS = 60

POS_RUN = """
import sys

from pos.cli import build_parser
from pos.cli.tui import counter_app
from pos.tui.screens import LoginScreen

args = build_parser("run").parse_args(["run", "--home", sys.argv[1]])

async def ready(pilot):
    app = pilot.app
    while not (isinstance(app.screen, LoginScreen) and app.focused is not None):
        await pilot.pause(0.002)
    print("ready", flush=True)
    await app.opened_counter()
    print("open", flush=True)
    app.exit()

counter_app(args.home).run(headless=True, auto_pilot=ready, size=(120, 40))
"""

MINIMAL = """
from textual.app import App
from textual.widgets import Input

class Minimal(App):
    def compose(self):
        yield Input()

async def ready(pilot):
    while pilot.app.focused is None:
        await pilot.pause(0.002)
    print("ready", flush=True)
    pilot.app.exit()

Minimal().run(headless=True, auto_pilot=ready, size=(120, 40))
"""


def child_env(pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def start_s(script: str, *args: str, env: dict[str, str]) -> list[float]:
    """Seconds from a fresh interpreter to each line the child prints ("ready", "open")."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    times = []
    for _line in child.stdout:
        times.append(time.perf_counter() - start)
    child.wait()
    assert times and child.returncode == 0, "the app did not start"
    return times


def cold_starts(home: Path) -> tuple[float, float, float]:
    """Median seconds to `pos run`'s usable login, to its open counter, and to the minimal
    app's usable Input, alternating run by run after one unmeasured run of each."""
    ours: list[list[float]] = []
    minimal: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache:
        env = child_env(Path(pycache))
        start_s(POS_RUN, str(home), env=env)
        start_s(MINIMAL, env=env)
        for _ in range(STARTS):
            ours.append(start_s(POS_RUN, str(home), env=env))
            minimal.append(start_s(MINIMAL, env=env)[0])
    return (
        statistics.median(t[0] for t in ours),
        statistics.median(t[-1] for t in ours),
        statistics.median(minimal),
    )


async def redraw_ms(app, setup, kind: type, press) -> float:
    """Mean time of one key's handler plus a redraw of every visible line of the widget."""
    async with app.run_test(size=(120, 40)) as pilot:
        await setup(pilot)
        widget = app.screen.query_one(kind)
        region = widget.size.region
        start = time.perf_counter()
        for i in range(KEYS):
            press(widget, i)
            widget.render_lines(region)
        return (time.perf_counter() - start) * 1000 / KEYS


async def open_seat_map(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.press(*"c01", "tab", *"1111", "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def nothing(pilot) -> None:
    await pilot.pause()


def seat_map_ms(terminal: Terminal) -> tuple[float, float]:
    from textual.app import App
    from textual.widgets import Input

    from pos.tui.widgets import SeatMap

    class Minimal(App):
        def compose(self):
            yield Input("some text to move along")

    def move(seat_map: SeatMap, i: int) -> None:
        seat_map.action_move(1 if i % 2 else -1, 0)

    def cursor(field: Input, i: int) -> None:
        field.action_cursor_right() if i % 2 else field.action_cursor_left()

    # no sale without an open shift: c01 opens one, so login leads to the schedule
    opened = pos("shift", "open", "--cashier", "c01", "--pin", "1111", "--float", "100x1",
                 "--home", str(terminal.home.path))  # fmt: skip
    assert opened[0] == 0, opened
    app = terminal.app(blink=False)
    ours = asyncio.run(redraw_ms(app, open_seat_map, SeatMap, move))
    baseline = asyncio.run(redraw_ms(Minimal(), nothing, Input, cursor))
    return ours, baseline


def run() -> list[dict]:
    terminal = start_terminal(Path(tempfile.mkdtemp(prefix="bench-tui-")), SNAPSHOT_DAY)
    try:
        login, opened, minimal = cold_starts(terminal.home.path)
        key, key_baseline = seat_map_ms(terminal)
    finally:
        terminal.central.stop()
    return [
        row(
            "cold start of pos run to a usable login screen (s) vs a minimal Textual app",
            login,
            minimal,
            f"≤ {START_RATIO_GOAL:g}× baseline",
            login <= START_RATIO_GOAL * minimal,
        ),
        row(
            "cold start of pos run to an open counter (s) vs a minimal Textual app",
            opened,
            minimal,
            "informative",
            True,
        ),
        row(
            "keypress to seat map redraw, 738 seats (ms)",
            key,
            key_baseline,
            f"≤ {KEY_GOAL_MS:g} ms",
            key <= KEY_GOAL_MS,
        ),
    ]


if __name__ == "__main__":
    rows = run()
    for found in rows:
        print(
            f"{found['figure']}: {found['value']} (baseline {found['baseline']}, "
            f"x{found['ratio']}) goal {found['goal']}: {'PASS' if found['passed'] else 'FAIL'}"
        )
    sys.exit(0 if all(found["passed"] for found in rows) else 1)
