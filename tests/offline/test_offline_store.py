"""Opening the store: pragmas, migrations, and refusing damaged or newer files untouched."""

from __future__ import annotations

import ast
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import date, datetime
from pathlib import Path

import pytest
from offline_helpers import START, FakeClock

from contract import models
from offline import cache, outbox
from offline.errors import StoreCorrupt, StoreError, StoreTooNew
from offline.schema import SCHEMA_VERSION
from offline.store import Store

OFFLINE_DIR = Path(__file__).resolve().parents[2] / "offline"


def schedule() -> models.Schedule:
    cinema = models.Cinema(
        id="C1", name="影城", name_en="Cinema", timezone="Asia/Shanghai", currency="CNY"
    )
    return models.Schedule(
        business_date=date(2025, 6, 14),
        version="v7",
        cinema=cinema,
        films=[],
        auditoriums=[],
        ticket_types=[],
        showtimes=[],
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_new_store_is_durable_and_migrated(store: Store) -> None:
    pragma = store.db.execute
    assert pragma("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert pragma("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert pragma("PRAGMA foreign_keys").fetchone()[0] == 1
    assert pragma("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert store.schema_version == SCHEMA_VERSION
    assert {"sales", "outbox", "journal", "lease_seats"} <= set(store.db.table_names())


def test_reopen_keeps_data_and_does_not_migrate_again(store_path: Path, clock: FakeClock) -> None:
    with Store.open(store_path, clock=clock) as first:
        cache.put_schedule(first, schedule(), etag='"abc"')
        outbox.enqueue(first, "report", "report-key-1", {"n": 1})
    with Store.open(store_path, clock=clock) as again:
        assert again.schema_version == SCHEMA_VERSION
        cached = cache.get_schedule(again, date(2025, 6, 14))
        assert cached is not None and cached.version == "v7" and cached.etag == '"abc"'
        assert outbox.depth(again) == 1


def test_an_empty_file_is_a_new_store(store_path: Path) -> None:
    store_path.write_bytes(b"")
    with Store.open(store_path) as store:
        assert store.schema_version == SCHEMA_VERSION


def _filled_store(path: Path) -> None:
    with Store.open(path) as store:
        for n in range(400):
            outbox.enqueue(store, "sale", f"key-{n:08d}", {"blob": "x" * 200, "n": n})
    assert not path.with_name(path.name + "-wal").exists()  # closed cleanly, checkpointed


def test_garbage_in_the_middle_is_refused_untouched(store_path: Path) -> None:
    _filled_store(store_path)
    data = bytearray(store_path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle : middle + page] = b"\xde\xad\xbe\xef" * (page // 4)
    store_path.write_bytes(bytes(data))
    before = snapshot(store_path.parent)

    with pytest.raises(StoreCorrupt) as caught:
        Store.open(store_path)

    assert snapshot(store_path.parent) == before  # same bytes, nothing created beside it
    message = str(caught.value)
    assert message.endswith("[STORE_CORRUPT]")
    assert str(store_path) in message
    assert "not modified" in message and "restore from backup or move it aside" in message


def test_a_file_that_is_not_sqlite_is_refused_untouched(store_path: Path) -> None:
    store_path.write_bytes(b"cash drawer notes, not a database\n" * 200)
    before = snapshot(store_path.parent)
    with pytest.raises(StoreCorrupt, match="not an SQLite database"):
        Store.open(store_path)
    assert snapshot(store_path.parent) == before


def test_a_newer_schema_is_refused_untouched(store_path: Path) -> None:
    Store.open(store_path).close()
    raw = sqlite3.connect(store_path)
    raw.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('offline', '0099_from_the_future', 'x')"
    )
    raw.commit()
    raw.close()
    before = snapshot(store_path.parent)
    with pytest.raises(StoreTooNew, match="0099_from_the_future") as caught:
        Store.open(store_path)
    assert caught.value.code == "STORE_TOO_NEW"
    assert snapshot(store_path.parent) == before


def test_errors_share_one_base() -> None:
    assert issubclass(StoreCorrupt, StoreError) and issubclass(StoreTooNew, StoreError)


def test_threads_opening_a_new_file_together_both_succeed(store_path: Path) -> None:
    barrier = threading.Barrier(4)
    versions: list[int] = []

    def open_one() -> None:
        barrier.wait()
        with Store.open(store_path) as store:
            versions.append(store.schema_version)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert versions == [SCHEMA_VERSION] * 4


def test_a_store_is_bound_to_the_thread_that_opened_it(store: Store) -> None:
    errors: list[BaseException] = []

    def use() -> None:
        try:
            outbox.depth(store)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    assert len(errors) == 1 and isinstance(errors[0], sqlite3.ProgrammingError)


def test_atomic_is_all_or_nothing_and_nests(store: Store) -> None:
    with pytest.raises(RuntimeError), store.atomic():
        outbox.enqueue(store, "report", "report-key-1", {})
        raise RuntimeError("power cut")
    assert outbox.depth(store) == 0

    with store.atomic():
        outbox.enqueue(store, "report", "report-key-2", {})
        with pytest.raises(RuntimeError), store.atomic():
            outbox.enqueue(store, "report", "report-key-3", {})
            raise RuntimeError("inner step fails")
    assert [item.idempotency_key for item in outbox.items(store)] == ["report-key-2"]


def test_times_are_stored_as_utc_with_offset(store: Store) -> None:
    assert store.now_iso() == "2025-06-14T00:30:00.000000+00:00"
    store.clock = lambda: datetime(2025, 6, 14, 8, 30)  # naive
    with pytest.raises(ValueError, match="naive"):
        store.now_iso()
    store.clock = FakeClock(START)


def test_offline_never_imports_the_tui_or_its_neighbours() -> None:
    forbidden = ("textual", "pos", "central", "printer")
    for module in OFFLINE_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{module.name} imports {name}"


def test_a_store_open_elsewhere_is_checked_without_disturbing_it(
    store: Store, store_path: Path
) -> None:
    outbox.enqueue(store, "report", "report-key-1", {})
    with Store.open(store_path) as second:  # the first keeps its WAL open meanwhile
        assert outbox.depth(second) == 1


KILLED_MIDWAY = """
import os, signal, sys
from pathlib import Path
from offline import outbox
from offline.store import Store
store = Store.open(Path(sys.argv[1]))
for n in range(50):
    outbox.enqueue(store, "sale", f"sale-key-{n:04d}", {"n": n})
store.db.conn.execute("BEGIN IMMEDIATE")
store.db.conn.execute("DELETE FROM outbox")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_process_leaves_a_store_that_opens(store_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", KILLED_MIDWAY, str(store_path)], check=False)
    assert done.returncode == -signal.SIGKILL
    assert store_path.with_name(store_path.name + "-wal").exists()  # a hot WAL was left
    with Store.open(store_path) as store:
        assert outbox.depth(store) == 50
