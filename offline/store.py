"""The terminal's local durable store: one SQLite file per terminal.

Opening checks the file before touching it: a damaged file or one from a newer version is
reported and left byte-for-byte as found, because the sales in it may be the only record of
money taken while the central was down. Then it sets the durability pragmas and applies any
pending schema steps.

A `sqlite_utils.Database` is bound to the thread that opened it. Each thread (the counter, the
sync worker, the print queue) opens its own `Store` on the same path; opening is cheap
(`check=False` skips the integrity check for threads after the first).

Example::

    store = Store.open(Path("terminal.db"))
    with store.atomic():
        ...  # several store calls, all or nothing
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from offline.errors import StoreCorrupt, StoreFull, StoreTooNew, StoreUnavailable
from offline.schema import MIGRATION_SET, MIGRATIONS, SCHEMA_VERSION, STEP_NAMES
from offline.values import system_clock, utc_iso

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


@dataclass(eq=False)
class Store:
    """An open store: the sqlite-utils database, its path and the clock that stamps rows."""

    db: Database
    path: Path
    clock: Callable[[], datetime]

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        clock: Callable[[], datetime] | None = None,
        check: bool = True,
    ) -> Store:
        """Open (creating if absent) the store at `path`, checked and migrated.

        Raises StoreCorrupt or StoreTooNew without modifying or creating any file, and
        StoreUnavailable when SQLite cannot open the path at all.
        """
        path = Path(path)
        if check and _has_content(path):
            _check_existing(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = Database(path)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.enable_wal()
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(path, str(exc)) from exc
        store = cls(db=db, path=path, clock=clock or system_clock)
        try:
            store._migrate()
        except BaseException:
            db.close()
            raise
        return store

    def _migrate(self) -> None:
        if not MIGRATIONS.pending(self.db) and not _unknown_steps(self.db):
            return
        # One IMMEDIATE transaction: two threads opening a new file at once must not both
        # run the same step, and a crash mid-way leaves the previous version intact.
        with self.atomic():
            unknown = _unknown_steps(self.db)
            if unknown:
                raise StoreTooNew(self.path, unknown, SCHEMA_VERSION)
            MIGRATIONS.apply(self.db)

    @property
    def schema_version(self) -> int:
        """How many of this set's numbered schema steps the file has applied."""
        return len(MIGRATIONS.applied(self.db))

    def now(self) -> datetime:
        """The injected clock's time; it must be aware (stored as UTC)."""
        moment = self.clock()
        utc_iso(moment)
        return moment

    def now_iso(self) -> str:
        return utc_iso(self.clock())

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """A transaction: all of the block or none of it; nested blocks become savepoints.

        The outermost block starts with BEGIN IMMEDIATE, not the plain BEGIN of
        `db.atomic()`: a block that reads then writes would otherwise fail with "database is
        locked" whenever another thread (sync worker, print queue) wrote in between.
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self.db.rollback()
            if "full" in str(exc):  # SQLITE_FULL: "database or disk is full"
                raise StoreFull(self.path) from exc
            raise
        except BaseException:
            self.db.rollback()
            raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _has_content(path: Path) -> bool:
    """A missing or empty file (a crash right after creation) is a new store, not a damaged one."""
    wal = path.with_name(path.name + "-wal")
    return (path.exists() and path.stat().st_size > 0) or wal.exists()


def _check_existing(path: Path) -> None:
    """Integrity and version check through a connection that cannot write or create files.

    Without a WAL file the main file is the whole database: open it `immutable` (no locks,
    no -wal/-shm created). With one, open `mode=ro` so committed frames in the WAL count and
    no checkpoint writes into a file we may be about to call damaged.
    """
    if path.is_dir():
        raise StoreUnavailable(path, "it is a directory")
    try:
        with path.open("rb") as raw:
            header = raw.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreUnavailable(path, str(exc)) from exc
    if header != SQLITE_MAGIC:
        raise StoreCorrupt(path, "it is not an SQLite database: the file header is wrong")
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "immutable=1"
    uri = f"file:{quote(str(path.resolve()))}?{mode}"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise StoreUnavailable(path, str(exc)) from exc
    try:
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
        if rows != ["ok"]:
            raise StoreCorrupt(path, "integrity check found: " + "; ".join(rows[:5]))
        db = Database(conn, execute_plugins=False, recursive_triggers=False)
        unknown = _unknown_steps(db)
    except sqlite3.DatabaseError as exc:
        raise StoreCorrupt(path, f"SQLite says: {exc}") from exc
    finally:
        conn.close()
    if unknown:
        raise StoreTooNew(path, unknown, SCHEMA_VERSION)


def _unknown_steps(db: Database) -> set[str]:
    if not db[MIGRATIONS.migrations_table].exists():
        return set()
    rows = db.execute(
        f"SELECT name FROM [{MIGRATIONS.migrations_table}] WHERE migration_set = ?",
        [MIGRATION_SET],
    )
    return {name for (name,) in rows} - STEP_NAMES
