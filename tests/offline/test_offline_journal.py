"""The journal's hash chain catches rows altered, deleted or reordered behind the app's back."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import pytest

from offline import journal
from offline.errors import InvalidMoney
from offline.store import Store


def fill(store: Store, n: int = 5) -> list[journal.JournalEntry]:
    return [
        journal.append(store, "sale", sale_id=f"sale-{i}", amount=1000 * i, payload={"i": i})
        for i in range(1, n + 1)
    ]


def tamper(path: Path, *statements: str) -> None:
    """Edit the file with plain sqlite3, as someone bypassing the app would."""
    raw = sqlite3.connect(path)
    for statement in statements:
        raw.execute(statement)
    raw.commit()
    raw.close()


def test_an_untouched_chain_verifies(store: Store) -> None:
    entries = fill(store)
    check = journal.verify(store)
    assert check == journal.JournalCheck(True, 5, None, "ok", entries[0].hash, entries[-1].hash)
    assert entries[0].prev_hash == journal.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert journal.entries(store, sale_id="sale-2")[0].payload == {"i": 2}


def test_an_empty_journal_verifies(store: Store) -> None:
    assert journal.verify(store) == journal.JournalCheck(True, 0, None, "ok", None, None)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE journal SET amount = 99999 WHERE seq = 3",
        "UPDATE journal SET payload = '{\"i\":30}' WHERE seq = 3",
        "UPDATE journal SET kind = 'refund' WHERE seq = 3",
        "UPDATE journal SET at = '2020-01-01T00:00:00.000000+00:00' WHERE seq = 3",
    ],
)
def test_an_altered_row_is_named(store: Store, store_path: Path, statement: str) -> None:
    fill(store)
    tamper(store_path, statement)
    check = journal.verify(store)
    assert (check.ok, check.first_bad_seq, check.entries) == (False, 3, 2)
    assert "altered" in check.reason


def test_a_deleted_row_is_a_gap(store: Store, store_path: Path) -> None:
    fill(store)
    tamper(store_path, "DELETE FROM journal WHERE seq = 2")
    check = journal.verify(store)
    assert (check.ok, check.first_bad_seq) == (False, 2)
    assert "missing" in check.reason


def test_a_deleted_and_renumbered_row_breaks_the_link(store: Store, store_path: Path) -> None:
    fill(store)
    tamper(
        store_path,
        "DELETE FROM journal WHERE seq = 2",
        "UPDATE journal SET seq = seq - 1 WHERE seq > 2",
    )
    check = journal.verify(store)
    assert (check.ok, check.first_bad_seq) == (False, 2)


def test_a_deleted_first_row_is_caught(store: Store, store_path: Path) -> None:
    fill(store)
    tamper(store_path, "DELETE FROM journal WHERE seq = 1")
    assert journal.verify(store).first_bad_seq == 1


def test_reordered_rows_are_caught(store: Store, store_path: Path) -> None:
    fill(store)
    tamper(
        store_path,
        "UPDATE journal SET seq = 100 WHERE seq = 2",
        "UPDATE journal SET seq = 2 WHERE seq = 3",
        "UPDATE journal SET seq = 3 WHERE seq = 100",
    )
    check = journal.verify(store)
    assert (check.ok, check.first_bad_seq) == (False, 2)


def test_amounts_are_signed_whole_fen(store: Store) -> None:
    assert journal.append(store, "refund", amount=-500, payload={}).amount == -500
    with pytest.raises(InvalidMoney):
        journal.append(store, "sale", amount=12.5, payload={})  # type: ignore[arg-type]
    with pytest.raises(InvalidMoney):
        journal.append(store, "sale", amount=True, payload={})  # type: ignore[arg-type]


def test_an_entry_rolls_back_with_its_transaction(store: Store) -> None:
    fill(store, 2)
    with pytest.raises(RuntimeError), store.atomic():
        journal.append(store, "sale", amount=100, payload={})
        raise RuntimeError("the sale failed")
    assert journal.verify(store).entries == 2
    assert journal.append(store, "sale", amount=100, payload={}).seq == 3
