"""A pretix on loopback, for `pos pretix up` and the test session.

It installs nothing: it is given the Python of an environment where pretix is installed (its
pinned Django stack stays out of ours). Migrating an empty database costs more than a minute of
CPU, so the migrated file is kept once per pretix version and copied for every new server;
organizer, team and API token cannot be made through the REST API, so a short script runs in
`python -m pretix shell`, and everything else is done over HTTP."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

CACHE_ENV = "BOXOFFICE_POS_CACHE"
PYTHON_ENV = "POS_PRETIX_PYTHON"
PRETIX_VERSION = "2026.8.0"
"""The version the adapter is tested against (and the test session installs)."""

_BOOTSTRAP = """
import json
from django_scopes import scopes_disabled
from pretix.base.models import Organizer, Team, TeamAPIToken
with scopes_disabled():
    org, _ = Organizer.objects.get_or_create(slug={organizer!r}, defaults={{"name": {name!r}}})
    team, _ = Team.objects.get_or_create(
        organizer=org, name="Box Office POS",
        defaults=dict(all_events=True, all_event_permissions=True,
                      all_organizer_permissions=True),
    )
    token = team.tokens.filter(active=True).first() or team.tokens.create(name="pos")
    print("POS-BOOTSTRAP " + json.dumps({{"token": token.token}}))
"""


def cache_root() -> Path:
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.home() / ".cache" / "boxoffice-pos"


def default_python() -> Path | None:
    """$POS_PRETIX_PYTHON, else the test session's cached pretix, else none."""
    env = os.environ.get(PYTHON_ENV)
    if env:
        return Path(env)
    cached = cache_root() / f"pretix-{PRETIX_VERSION}" / "venv" / "bin" / "python"
    return cached if cached.exists() else None


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Parallel test sessions share the cache: one installs or migrates, the others wait."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pretix_version(python: Path) -> str:
    out = subprocess.run(
        [str(python), "-c", "import pretix; print(pretix.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


@dataclass
class PretixServer:
    """One pretix instance in `folder`: its config, data and log, and its runserver process."""

    python: Path
    folder: Path
    port: int = field(default_factory=free_port)
    organizer: str = "boxoffice"
    process: subprocess.Popen[bytes] | None = None
    token: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v1"

    @property
    def config(self) -> Path:
        return self.folder / "pretix.cfg"

    @property
    def database(self) -> Path:
        return self.folder / "data" / "db.sqlite3"

    def env(self) -> dict[str, str]:
        return {**os.environ, "PRETIX_CONFIG_FILE": str(self.config)}

    def prepare(self) -> None:
        """Config, a migrated database (from the per-version cache) and the API token."""
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            "[pretix]\n"
            "instance_name=Box Office POS (pretix on loopback)\n"
            f"url={self.url}\n"
            "currency=CNY\n"
            f"datadir={self.folder / 'data'}\n"
            "[django]\n"
            f"secret=pos-dev-{os.urandom(16).hex()}\n"
            "[database]\n"
            "backend=sqlite3\n"
            f"name={self.database}\n"
            "[mail]\n"
            "from=pos@example.invalid\n"
        )
        if not self.database.exists():
            shutil.copyfile(self.migrated_database(), self.database)
        self.token = self._bootstrap()

    def migrated_database(self) -> Path:
        """An empty, migrated database for this pretix version, made once and kept."""
        cached = cache_root() / f"pretix-{pretix_version(self.python)}" / "migrated.sqlite3"
        with file_lock(cached.with_suffix(".lock")):
            if not cached.exists():
                subprocess.run(
                    [str(self.python), "-m", "pretix", "migrate", "--noinput"],
                    env=self.env(),
                    check=True,
                    capture_output=True,
                    preexec_fn=lambda: os.nice(5),
                )
                shutil.copyfile(self.database, cached)
        return cached

    def _bootstrap(self) -> str:
        script = _BOOTSTRAP.format(organizer=self.organizer, name="Box Office POS demo")
        out = subprocess.run(
            [str(self.python), "-m", "pretix", "shell", "-c", script],
            env=self.env(),
            capture_output=True,
            text=True,
            check=True,
        )
        for line in out.stdout.splitlines():
            if line.startswith("POS-BOOTSTRAP "):
                return json.loads(line.removeprefix("POS-BOOTSTRAP "))["token"]
        raise RuntimeError(f"pretix shell printed no token: {out.stdout}\n{out.stderr}")

    def start(self, timeout: float = 90.0) -> None:
        log = (self.folder / "runserver.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(self.python),
                "-m",
                "pretix",
                "runserver",
                f"127.0.0.1:{self.port}",
                "--noreload",
            ],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        headers = {"Authorization": f"Token {self.token}"}
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"pretix exited; see {self.folder / 'runserver.log'}")
            with contextlib.suppress(httpx.HTTPError):
                answer = httpx.get(f"{self.api_url}/organizers/", headers=headers, timeout=2)
                if answer.status_code == 200:
                    return
            time.sleep(0.3)
        raise TimeoutError(f"pretix did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
