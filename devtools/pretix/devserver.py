"""A pretix on loopback, for `pos pretix up` and the test session.

It installs nothing: it is given the Python of an environment where pretix is installed (its
pinned Django stack stays out of ours). Two set-ups: SQLite under Django's `runserver` (quick,
development-only), and pretix as it is deployed, on PostgreSQL behind gunicorn with several
workers, where two requests really run at the same time. Migrating an empty database costs
minutes of CPU, so the migrated database is kept once per pretix version (a file for SQLite, a
template cluster for PostgreSQL) and copied for every new server; organizer, team and API token
cannot be made through the REST API, so a short script runs in `python -m pretix shell`, and
everything else is done over HTTP.

No Redis and no Celery: pretix's locks are PostgreSQL advisory locks
(`pretix.base.services.locking`), its idempotency keys are rows in its database, and without a
broker its background tasks run inside the request, so nothing the adapter calls needs them."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

from devtools.pretix.postgres import (
    DATABASE,
    TEMPLATE,
    Postgres,
    new_password,
    run_folder,
    server_home,
    server_version,
)

CACHE_ENV = "BOXOFFICE_POS_CACHE"
PYTHON_ENV = "POS_PRETIX_PYTHON"
PRETIX_VERSION = "2026.8.0"
"""The version the adapter is tested against (and the test session installs)."""
GUNICORN = "gunicorn==27.0.1"
WORKERS = 4
"""gunicorn workers, as pretix's installation guide runs it: requests really run in parallel."""
Database = Literal["sqlite", "postgresql"]

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
    """One pretix instance in `folder`: its config, data and logs, its web process (runserver
    on SQLite, gunicorn on PostgreSQL) and, on PostgreSQL, its database server."""

    python: Path
    folder: Path
    port: int = field(default_factory=free_port)
    organizer: str = "boxoffice"
    db: Database = "sqlite"
    workers: int = WORKERS
    process: subprocess.Popen[bytes] | None = None
    postgres: Postgres | None = None
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

    def _write_config(self, database: str) -> None:
        self.config.write_text(
            "[pretix]\n"
            "instance_name=Box Office POS (pretix on loopback)\n"
            f"url={self.url}\n"
            "currency=CNY\n"
            f"datadir={self.folder / 'data'}\n"
            "[django]\n"
            f"secret={self._secret()}\n"
            f"{database}"
            "[mail]\n"
            "from=pos@example.invalid\n"
        )

    def _secret(self) -> str:
        """Kept across restarts: sessions and signed links outlive a restart, as in production."""
        path = self.folder / "data" / ".secret"
        if not path.exists():
            path.write_text(f"pos-dev-{os.urandom(16).hex()}")
            path.chmod(0o600)
        return path.read_text()

    def prepare(self) -> None:
        """Config, a migrated database (from the per-version cache) and the API token; on
        PostgreSQL its server is started here and runs until `close`."""
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        if self.db == "postgresql":
            self._write_config(self._start_postgres())
        else:
            self._write_config(f"[database]\nbackend=sqlite3\nname={self.database}\n")
            if not self.database.exists():
                shutil.copyfile(self.migrated_database(), self.database)
        self.token = self._bootstrap()

    def migrated_database(self) -> Path:
        """An empty, migrated database for this pretix version, made once and kept."""
        cached = cache_root() / f"pretix-{pretix_version(self.python)}" / "migrated.sqlite3"
        with file_lock(cached.with_suffix(".lock")):
            if not cached.exists():
                self._migrate()
                shutil.copyfile(self.database, cached)
        return cached

    def _migrate(self) -> None:
        subprocess.run(
            [str(self.python), "-m", "pretix", "migrate", "--noinput"],
            env=self.env(),
            check=True,
            capture_output=True,
            preexec_fn=lambda: os.nice(5),
        )

    def _start_postgres(self) -> str:
        """This pretix's cluster, a copy of the cached template cluster on first use; answers
        the config's `[database]` section."""
        home = server_home(self.python)
        secret = self.folder / "postgresql.password"
        place = run_folder(self.folder)
        fresh = not (place / "data" / "PG_VERSION").exists()
        if fresh:
            template, password = self.template_cluster(home)
        else:
            password = secret.read_text()
        self.postgres = Postgres(home, place, free_port(), password)
        if fresh:
            self.postgres.adopt(template)
        self.postgres.start()
        if fresh:  # every copy gets its own password, and its database from the template
            self.postgres.sql(self.python, f"CREATE DATABASE {DATABASE} TEMPLATE {TEMPLATE}")
            password = new_password()
            self.postgres.sql(self.python, f"ALTER USER pretix PASSWORD '{password}'")
            self.postgres.password = password
            secret.write_text(password)
            secret.chmod(0o600)
        return self.postgres.settings()

    def template_cluster(self, home: Path) -> tuple[Path, str]:
        """A shut-down cluster holding pretix's migrated empty database as `pretix_template`,
        made once per pretix and PostgreSQL version and kept; and its password."""
        cached = (
            cache_root()
            / f"pretix-{pretix_version(self.python)}"
            / f"postgresql-{server_version(home)}"
        )
        with file_lock(cached.parent / f"{cached.name}.lock"):
            if not (cached / "cluster" / "PG_VERSION").exists():
                password = new_password()
                building = Postgres(
                    home, run_folder(self.folder / "template"), free_port(), password
                )
                if building.place.exists():
                    shutil.rmtree(building.place)
                building.initdb()
                building.start()
                try:
                    building.sql(self.python, f"CREATE DATABASE {TEMPLATE}")
                    self._write_config(building.settings(TEMPLATE))
                    self._migrate()
                finally:
                    building.stop()
                shutil.rmtree(cached, ignore_errors=True)
                cached.mkdir(parents=True)
                shutil.copytree(building.data, cached / "cluster.part", symlinks=True)
                (cached / "password").write_text(password)
                (cached / "cluster.part").rename(cached / "cluster")
                shutil.rmtree(building.place)
        return cached / "cluster", (cached / "password").read_text()

    def _bootstrap(self) -> str:
        out = self.shell(_BOOTSTRAP.format(organizer=self.organizer, name="Box Office POS demo"))
        for line in out.splitlines():
            if line.startswith("POS-BOOTSTRAP "):
                return json.loads(line.removeprefix("POS-BOOTSTRAP "))["token"]
        raise RuntimeError(f"pretix shell printed no token: {out}")

    def shell(self, script: str) -> str:
        """Run `script` in `python -m pretix shell` (what the REST API cannot do); its output."""
        out = subprocess.run(
            [str(self.python), "-m", "pretix", "shell", "-c", script],
            env=self.env(),
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            raise RuntimeError(f"pretix shell failed: {out.stderr[-2000:]}")
        return out.stdout

    def _command(self) -> list[str]:
        if self.db == "postgresql":
            return [
                str(self.python), "-m", "gunicorn", "pretix.wsgi",
                "--name", "pretix", "--bind", f"127.0.0.1:{self.port}", "--preload",
                "--workers", str(self.workers), "--max-requests", "1200",
                "--max-requests-jitter", "50", "--timeout", "60", "--graceful-timeout", "5",
            ]  # fmt: skip
        return [
            str(self.python), "-m", "pretix", "runserver", f"127.0.0.1:{self.port}", "--noreload",
        ]  # fmt: skip

    def start(self, timeout: float = 90.0) -> None:
        """The web part (PostgreSQL, started by `prepare`, keeps running across restarts)."""
        with (self.folder / "web.log").open("ab") as log:
            self.process = subprocess.Popen(
                self._command(),
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        headers = {"Authorization": f"Token {self.token}"}
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"pretix exited; see {self.folder / 'web.log'}")
            with contextlib.suppress(httpx.HTTPError):
                answer = httpx.get(f"{self.api_url}/organizers/", headers=headers, timeout=2)
                if answer.status_code == 200:
                    return
            time.sleep(0.3)
        raise TimeoutError(f"pretix did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        """The web part goes away gracefully (in-flight requests finish)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def kill(self) -> None:
        """The web part dies at once, every worker with it, whatever it was doing."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def close(self) -> None:
        """Everything stops: the web part, then the database server."""
        self.stop()
        if self.postgres is not None:
            self.postgres.stop()
