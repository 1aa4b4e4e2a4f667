"""Helpers shared by the counter-level suites (counter, eod): the `pos` CLI in-process,
enrolling terminals into temporary homes, drill faults, a Counter call from sync code.
Imported as `tests.kit` (the repository root is on pytest's path)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from central.server import CentralThread
from pos.cli import main as pos_main
from pos.counter.home import Home
from pos.counter.service import Counter


def pos(*args: str) -> tuple[int, str, str]:
    """Run the `pos` CLI in-process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = pos_main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def pos_json(*args: str) -> object:
    code, out, err = pos(*args, "--json")
    assert code == 0, err
    return json.loads(out)


PINS = {"c01": "1111", "c02": "2222", "c03": "3333", "c04": "4444"}


def enroll_home(
    server: CentralThread,
    path: Path,
    index: int = 0,
    *,
    shifts: tuple[str, ...] = ("c01", "c02"),
    **settings: object,
) -> Home:
    """An enrolled terminal with open shifts for `shifts` (no sale without one); end-of-day
    tests pass `shifts=()` to open and close their own."""
    info = server.info()["terminals"][index]
    code, _, err = pos(
        "enroll",
        "--central",
        server.url,
        "--code",
        info["enrollment_code"],
        "--home",
        str(path),
        "--json",
    )
    assert code == 0, err
    home = Home(path)
    if settings:
        config = json.loads(home.config_path.read_text())
        config.update(settings)
        home.config_path.write_text(json.dumps(config))
    for cashier in shifts:
        code, _, err = pos(
            *args(home, "shift", "open", "--cashier", cashier, "--pin", PINS[cashier]),
            "--float", "100x1", "--json",
        )  # fmt: skip
        assert code == 0, err
    return home


def set_faults(server: CentralThread, body: dict[str, object]) -> None:
    httpx.put(f"{server.url}/v1/drill", json=body).raise_for_status()


def args(home: Home, *rest: str) -> list[str]:
    """A `pos` command line for the terminal in `home`."""
    return [*rest, "--home", str(home.path)]


def with_counter(home: Home, action: Callable[[Counter], Awaitable[Any]]) -> Any:
    """Open the home's Counter (recovering as a one-shot CLI call would), run, close."""

    async def main() -> Any:
        async with Counter(home) as counter:
            await counter.recover_if_possible()
            return await action(counter)

    return asyncio.run(main())


def sell_args(
    home: Home,
    showtime: str,
    seats: str,
    *,
    pay: str = "cash=100000",
    cashier: str = "c01",
    pin: str = "1111",
    types: str | None = None,
) -> list[str]:
    """A `pos sell` command line for the terminal in `home`."""
    extra = ["--types", types] if types else []
    return args(
        home, "sell", "--showtime", showtime, "--seats", seats, *extra, "--pay", pay,
        "--cashier", cashier, "--pin", pin,
    )  # fmt: skip


class MovableClock:
    """Real time until a test sets `at` (a central's or a counter's clock, moved by hand)."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        return self.at or datetime.now(UTC)
