"""Benchmark: the counter TUI's cold start and seat-map keypress latency. On demand, not in CI.

Run `python tests/bench/bench_tui.py`. Each figure has a baseline measured the same way in
the same run, so the ratio says what our layer costs on whatever machine runs it:

- cold start: a fresh interpreter until the login screen is up with its field focused (the
  child prints a line then), against a minimal Textual app with one Input started the same way;
- keypress to redraw: the seat map's key handler (move the cursor) plus drawing every visible
  line of the largest auditorium, against an Input's cursor-right plus its redraw.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.tui.conftest import SNAPSHOT_DAY, Terminal, start_terminal  # noqa: E402

START_GOAL_S = 1.0
KEY_GOAL_MS = 50.0
STARTS = 5
KEYS = 60

POS_RUN = """
import sys
from pos.tui.app import PosApp
from pos.counter.service import Counter
from pos.counter.home import Home
from pathlib import Path
from pos.tui.screens import LoginScreen

async def ready(pilot):
    app = pilot.app
    while not (isinstance(app.screen, LoginScreen) and app.focused is not None):
        await pilot.pause(0.002)
    print("ready", flush=True)
    app.exit()

PosApp(Counter(Home(Path(sys.argv[1])))).run(headless=True, auto_pilot=ready, size=(120, 40))
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


def cold_start_s(script: str, *args: str) -> float:
    """Median wall time of a fresh interpreter running `script` until its app is usable."""
    times = []
    for _ in range(STARTS):
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", script, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        ready = child.stdout.readline()
        times.append(time.perf_counter() - start)
        child.communicate()
        assert ready.strip() == "ready" and child.returncode == 0, "the app did not start"
    return statistics.median(times)


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

    app = terminal.app(blink=False)
    ours = asyncio.run(redraw_ms(app, open_seat_map, SeatMap, move))
    baseline = asyncio.run(redraw_ms(Minimal(), nothing, Input, cursor))
    return ours, baseline


def row(figure: str, value: float, baseline: float, goal: float, unit: str) -> dict:
    return {
        "figure": f"{figure} ({unit})",
        "value": round(value, 3),
        "baseline": round(baseline, 3),
        "ratio": round(value / baseline, 2),
        "goal": f"<= {goal} {unit}",
        "passed": value <= goal,
    }


def run() -> list[dict]:
    terminal = start_terminal(Path(tempfile.mkdtemp(prefix="bench-tui-")), SNAPSHOT_DAY)
    try:
        start = cold_start_s(POS_RUN, str(terminal.home.path))
        start_baseline = cold_start_s(MINIMAL)
        key, key_baseline = seat_map_ms(terminal)
    finally:
        terminal.central.stop()
    return [
        row(
            "cold start of pos run to a usable login screen",
            start,
            start_baseline,
            START_GOAL_S,
            "s",
        ),
        row("keypress to seat map redraw, 738 seats", key, key_baseline, KEY_GOAL_MS, "ms"),
    ]


if __name__ == "__main__":
    rows = run()
    for found in rows:
        print(
            f"{found['figure']}: {found['value']} (baseline {found['baseline']}, "
            f"x{found['ratio']}) goal {found['goal']}: {'PASS' if found['passed'] else 'FAIL'}"
        )
    sys.exit(0 if all(found["passed"] for found in rows) else 1)
