"""A PostgreSQL server on loopback for pretix: its own data folder, its own free port.

The server comes from the `pgserver` wheel on PyPI (PostgreSQL 16.2 built into a manylinux
wheel), installed into the pretix virtualenv; only its binaries are used, not its Python
(which chmods every parent folder when run as root). A wheel installs the same way on any
machine that has Python, needs no root and starts no system service, where Debian's package
needs apt as root and starts a cluster of its own on port 5432.

PostgreSQL refuses to run as root. As root, the server runs as `nobody`, from a copy of the
binaries (the wheel's package folder and its libraries) and a data folder under the system's
temporary folder (root's home, where the cache
lives, is closed to other users).

Migrating pretix's empty database costs minutes of CPU, so a shut-down cluster holding the
migrated database as `pretix_template` is kept once per pretix version; every new server is a
copy of that cluster, and its database `pretix` is made with `CREATE DATABASE ... TEMPLATE`."""

from __future__ import annotations

import hashlib
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PGSERVER = "pgserver==0.1.4"
"""The wheel that ships the server (PostgreSQL 16.2)."""
RUN_AS_WHEN_ROOT = "nobody"
TEMPLATE = "pretix_template"
DATABASE = "pretix"
USER = "pretix"


class PostgresMissing(RuntimeError):
    """The pretix virtualenv has no PostgreSQL server (pgserver) installed."""


def server_home(python: Path) -> Path:
    """The PostgreSQL tree (bin/, lib/, share/) that pgserver installed beside `python`."""
    out = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util as u; s = u.find_spec('pgserver'); "
            "print(s.submodule_search_locations[0] if s else '')",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = out.stdout.strip()
    if not found:
        raise PostgresMissing(
            f"No PostgreSQL beside {python}: install it with "
            f"`{python} -m pip install --no-deps {PGSERVER}`."
        )
    return Path(found) / "pginstall"


def server_version(home: Path) -> str:
    out = subprocess.run(
        [str(home / "bin" / "postgres"), "--version"], capture_output=True, text=True, check=True
    )
    return out.stdout.split()[-1]


def _run_as() -> pwd.struct_passwd | None:
    return pwd.getpwnam(RUN_AS_WHEN_ROOT) if os.geteuid() == 0 else None


def _demote(user: pwd.struct_passwd | None) -> Callable[[], None] | None:
    if user is None:
        return None

    def become() -> None:
        os.setgroups([])
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)

    return become


def _give(path: Path, user: pwd.struct_passwd | None) -> None:
    """Hand a folder tree to the user the server runs as."""
    if user is None:
        return
    for root, dirs, files in os.walk(path):
        for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
            os.chown(name, user.pw_uid, user.pw_gid, follow_symlinks=False)


def run_folder(folder: Path) -> Path:
    """Where the cluster of a pretix in `folder` lives: in it, or (as root) in a folder of the
    system's temporary folder named after it, which `nobody` can reach."""
    if _run_as() is None:
        return folder / "postgresql"
    name = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"boxoffice-pos-pg-{name}"


@dataclass
class Postgres:
    """One cluster in `place` (data/ and, as root, a copy of the binaries in pginstall/)."""

    home: Path
    place: Path
    port: int
    password: str
    process: subprocess.Popen[bytes] | None = None
    user: pwd.struct_passwd | None = field(default_factory=_run_as)

    @property
    def data(self) -> Path:
        return self.place / "data"

    @property
    def bin(self) -> Path:
        return (self.place / "wheel" / "pgserver" / "pginstall" if self.user else self.home) / "bin"

    @property
    def log(self) -> Path:
        return self.place / "postgres.log"

    def settings(self, database: str = DATABASE) -> str:
        """The `[database]` section of pretix.cfg for this cluster."""
        return (
            "[database]\n"
            "backend=postgresql\n"
            f"name={database}\n"
            f"user={USER}\n"
            f"password={self.password}\n"
            "host=127.0.0.1\n"
            f"port={self.port}\n"
        )

    def _prepare_place(self) -> None:
        self.place.mkdir(parents=True, exist_ok=True, mode=0o700)
        if self.user is not None and not (self.place / "wheel").exists():
            # the tools find their libpq in the wheel's pgserver.libs, beside the package
            site = self.home.parent.parent
            shutil.copytree(
                site / "pgserver",
                self.place / "wheel" / "pgserver",
                ignore=shutil.ignore_patterns("include", "__pycache__"),
            )
            shutil.copytree(site / "pgserver.libs", self.place / "wheel" / "pgserver.libs")
        _give(self.place, self.user)

    def initdb(self) -> None:
        """A new, empty cluster whose superuser `pretix` has `password`."""
        self._prepare_place()
        pwfile = self.place / "pwfile"
        pwfile.write_text(self.password + "\n")
        _give(pwfile, self.user)
        try:
            command = [str(self.bin / "initdb"), "-D", str(self.data), "-U", USER]
            command += ["--pwfile", str(pwfile), "--auth", "scram-sha-256"]
            command += ["-E", "UTF8", "--locale", "C", "--no-sync"]
            subprocess.run(
                command,
                check=True,
                capture_output=True,
                preexec_fn=_demote(self.user),
            )
        finally:
            pwfile.unlink()

    def adopt(self, cluster: Path) -> None:
        """This place gets a copy of the shut-down cluster in `cluster`."""
        self._prepare_place()
        shutil.copytree(cluster, self.data, symlinks=True)
        self.data.chmod(0o700)
        _give(self.data, self.user)

    def _listen(self) -> list[str]:
        """On 127.0.0.1 only, with no Unix socket."""
        return ["-h", "127.0.0.1", "-p", str(self.port), "-k", "", "-c", "max_connections=100"]

    def start(self, timeout: float = 60.0) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(self.bin / "postgres"), "-D", str(self.data), *self._listen()],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_demote(self.user),
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        pid_file = self.data / "postmaster.pid"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"PostgreSQL exited; see {self.log}")
            if pid_file.exists() and pid_file.read_text().rstrip().endswith("ready"):
                return
            time.sleep(0.1)
        raise TimeoutError(f"PostgreSQL did not start within {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        """Fast shutdown: clients are disconnected, the data is left consistent."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def sql(self, python: Path, statement: str, database: str = "postgres") -> None:
        """One statement, through psycopg2 in the pretix virtualenv (pretix depends on it);
        the password goes through the environment, never the command line."""
        script = (
            "import sys, psycopg2\n"
            "c = psycopg2.connect(host='127.0.0.1', port=int(sys.argv[1]), user=sys.argv[2],"
            " dbname=sys.argv[3])\n"
            "c.autocommit = True\n"
            "c.cursor().execute(sys.argv[4])\n"
        )
        done = subprocess.run(
            [str(python), "-c", script, str(self.port), USER, database, statement],
            env={**os.environ, "PGPASSWORD": self.password},
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"PostgreSQL refused {statement.split()[0]}: {done.stderr[-500:]}")


def new_password() -> str:
    return secrets.token_hex(16)
