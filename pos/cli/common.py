"""What every subcommand shares: `--home`, `--json`, and printing a result either way."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pos.counter.home import Home

# pos.counter is imported inside the functions below, for start-up speed: importing it loads
# pydantic, sqlite-utils and httpx, and `pos --help` or `pos run`'s first paint need none of them.


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--home", type=Path, default=None, help="terminal home folder (default: $POS_HOME)"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON object")


def home_of(args: argparse.Namespace) -> Home:
    return home_at(args.home)


def home_at(folder: Path | None) -> Home:
    """The terminal home in `folder`, or the default one ($POS_HOME, else the user data dir)."""
    from pos.counter.home import Home, default_home  # lazy, for start-up speed

    return Home(folder or default_home())


def emit(args: argparse.Namespace, data: Any, text: Callable[[Any], str]) -> None:
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        print(text(data))


def with_counter(
    args: argparse.Namespace, action: Callable[..., Any], *, recover: bool = True
) -> Any:
    """Open the terminal's counter, run `action(counter)` (a coroutine), and close it again."""
    import asyncio

    from pos.counter.service import Counter  # lazy, for start-up speed

    async def main() -> Any:
        async with Counter(home_of(args)) as counter:
            if recover:
                await counter.recover_if_possible()
            return await action(counter)

    return asyncio.run(main())


def require_extra(extra: str, *modules: str) -> None:
    """A counter is installed without the reference central's server (FastAPI, uvicorn) or
    the drill's charts (matplotlib); the commands that need them say how to get them."""
    for module in modules:
        if importlib.util.find_spec(module) is None:
            from pos.counter.errors import CounterError  # lazy, for start-up speed

            raise CounterError(
                "MISSING_EXTRA",
                f"`{module}` is not installed; pip install 'boxoffice-pos[{extra}]'.",
            )
