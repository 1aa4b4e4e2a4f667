"""Benchmark: a one-shot `pos` command, start to exit. On demand, not in CI.

Run `python tests/bench/bench_cli.py`. `pos status` is what a script or a supervisor runs most:
it builds the parser, opens the terminal's counter (store, journal check), probes the central
once (a reference central on loopback, in this process) and prints one line. The baseline is a
fresh interpreter importing only what that command needs (`python -c pass` plus the argparse,
asyncio and counter imports), so the ratio is what the CLI and the command's own work add; goal
≤ 2×. Informative, against `python -c pass`: `pos status --help` (`pos WORD` imports only
WORD's command module) and `pos --help` (every command module, most of which load the counter).

The two alternate, run by run, after one unmeasured run of each; the children cache bytecode in a
temporary folder, as an installed counter has it (this machine may set PYTHONDONTWRITEBYTECODE).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_tui import child_env  # noqa: E402
from tests.bench.rows import row  # noqa: E402
from tests.tui.conftest import SNAPSHOT_DAY, start_terminal  # noqa: E402

RATIO_GOAL = 2.0
RUNS = 7

STATUS_IMPORTS = "import argparse, asyncio, json, pos.counter.service"
"""What `pos status` cannot start without: the counter (pydantic, sqlite-utils, httpx)."""


def seconds(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def medians(commands: dict[str, list[str]], env: dict[str, str]) -> dict[str, float]:
    """Median seconds of each command, run in turn, after one unmeasured run of each."""
    for command in commands.values():
        seconds(command, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(RUNS):
        for name, command in commands.items():
            times[name].append(seconds(command, env))
    return {name: statistics.median(found) for name, found in times.items()}


def run() -> list[dict]:
    folder = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    terminal = start_terminal(folder, SNAPSHOT_DAY)
    python = sys.executable
    try:
        with tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache:
            found = medians(
                {
                    "status": [
                        python,
                        "-m",
                        "pos.cli",
                        "status",
                        "--home",
                        str(terminal.home.path),
                    ],
                    "status_imports": [python, "-c", STATUS_IMPORTS],
                    "help": [python, "-m", "pos.cli", "--help"],
                    "status_help": [python, "-m", "pos.cli", "status", "--help"],
                    "pass": [python, "-c", "pass"],
                },
                child_env(Path(pycache)),
            )
    finally:
        terminal.central.stop()
    status, imports = found["status"], found["status_imports"]
    return [
        row(
            "pos status, start to exit (s) vs python -c pass plus the imports it needs",
            status,
            imports,
            f"≤ {RATIO_GOAL:g}× baseline",
            status <= RATIO_GOAL * imports,
        ),
        row(
            "pos status --help, the parser of one command (s) vs python -c pass",
            found["status_help"],
            found["pass"],
            "informative",
            True,
        ),
        row(
            "pos --help, every command module imported (s) vs python -c pass",
            found["help"],
            found["pass"],
            "informative",
            True,
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
