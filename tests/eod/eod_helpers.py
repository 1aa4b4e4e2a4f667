"""Helpers for end-of-day tests: the `pos` CLI in-process, enrolling a home, a Counter call."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from central.server import CentralThread
from pos.cli import main as pos_main
from pos.counter import Counter
from pos.home import Home


def pos(*args: str) -> tuple[int, str, str]:
    """Run the `pos` CLI in-process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = pos_main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def pos_json(*args: str) -> Any:
    code, out, err = pos(*args, "--json")
    assert code == 0, err or out
    return json.loads(out)


def enroll_home(server: CentralThread, path: Path) -> Home:
    info = server.info()["terminals"][0]
    code, _, err = pos(
        "enroll", "--central", server.url, "--code", info["enrollment_code"], "--home", str(path)
    )
    assert code == 0, err
    config = json.loads((path / "config.json").read_text())
    config["lease_seats"] = 4
    (path / "config.json").write_text(json.dumps(config))
    return Home(path)


def with_counter(home: Home, action: Callable[[Counter], Awaitable[Any]]) -> Any:
    """Open the home's Counter (recovering as a one-shot CLI call would), run, close."""

    async def main() -> Any:
        async with Counter(home) as counter:
            await counter.recover_if_possible()
            return await action(counter)

    return asyncio.run(main())
