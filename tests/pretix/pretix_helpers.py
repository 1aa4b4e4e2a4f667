"""The session's pretix: its installation, and what the tests know of the seeded event."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from devtools.pretix.devserver import PRETIX_VERSION, PretixServer, cache_root, file_lock
from devtools.pretix.seeding import Api

EVENT = "festival"


def pretix_python() -> Path:
    """The cached pretix virtualenv's Python, made on first use (~40 s, ~590 MB)."""
    folder = cache_root() / f"pretix-{PRETIX_VERSION}"
    python = folder / "venv" / "bin" / "python"
    with file_lock(folder / "install.lock"):
        if not (folder / "venv" / "installed").exists():
            subprocess.run(
                [sys.executable, "-m", "venv", "--clear", str(folder / "venv")], check=True
            )
            done = subprocess.run(
                [str(python), "-m", "pip", "install", "-q", f"pretix=={PRETIX_VERSION}"],
                capture_output=True,
                text=True,
                timeout=900,
            )
            if done.returncode != 0:
                pytest.skip(f"cannot install pretix {PRETIX_VERSION}: {done.stderr[-500:]}")
            (folder / "venv" / "installed").write_text(PRETIX_VERSION)
    return python


@dataclass
class SeededPretix:
    server: PretixServer
    business_date: date
    showtimes: dict[str, str]
    """Seed showtime id → the adapter's showtime id (se<subevent id>)."""

    @property
    def api(self) -> Api:
        return Api.connect(self.server.url, self.server.token, self.server.organizer, EVENT)
