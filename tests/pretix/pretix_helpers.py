"""The session's pretix: its installation, and what the tests know of the seeded event."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from devtools.pretix.devserver import (
    GUNICORN,
    PRETIX_VERSION,
    PretixServer,
    cache_root,
    file_lock,
)
from devtools.pretix.postgres import PGSERVER
from devtools.pretix.seeding import Api

EVENT = "festival"


def pretix_python() -> Path:
    """The cached pretix virtualenv's Python, made on first use (~40 s, ~620 MB): pretix, and
    what runs it as deployed: gunicorn, and a PostgreSQL server from a wheel (`pgserver`, whose
    binaries alone are used, hence no dependencies)."""
    folder = cache_root() / f"pretix-{PRETIX_VERSION}"
    venv = folder / "venv"
    python = venv / "bin" / "python"
    with file_lock(folder / "install.lock"):
        if not (venv / "installed").exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
            _pip(python, f"pretix=={PRETIX_VERSION}")
            (venv / "installed").write_text(PRETIX_VERSION)
        deployed = f"{GUNICORN} {PGSERVER}"
        marker = venv / "deployed"
        if not marker.exists() or marker.read_text() != deployed:
            _pip(python, GUNICORN)
            _pip(python, "--no-deps", PGSERVER)
            marker.write_text(deployed)
    return python


def _pip(python: Path, *what: str) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *what],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot install {' '.join(what)}: {done.stderr[-500:]}")


@dataclass
class SeededPretix:
    server: PretixServer
    business_date: date
    showtimes: dict[str, str]
    """Seed showtime id → the adapter's showtime id (se<subevent id>)."""

    @property
    def api(self) -> Api:
        return Api.connect(self.server.url, self.server.token, self.server.organizer, EVENT)
