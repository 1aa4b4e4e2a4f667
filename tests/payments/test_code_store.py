"""The store's step 0005_code_payments: a terminal's existing sales and payments survive the
rebuild of sale_payments, which then takes code payments; the code-payment state machine
refuses a step it does not have."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database, Migrations

from offline import code_payments, sales
from offline.schema import MIGRATION_SET, STEPS, _step
from offline.store import Store


def test_step_0005_keeps_the_payments_of_a_version_4_store(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    old = Migrations(MIGRATION_SET)
    for name, statements in STEPS[:4]:
        old(name=name)(_step(statements))
    db = Database(path)
    old.apply(db)
    db.execute(
        "INSERT INTO sales (id, idempotency_key, showtime_id, mode, state, cashier_id, lines,"
        " total, created_at, updated_at) VALUES ('s1', 'k1', 'st-001', 'offline', 'paid', 'c01',"
        " '[]', 4500, '2026-01-01T00:00:00.000000+00:00', '2026-01-01T00:00:00.000000+00:00')"
    )
    db.execute(
        "INSERT INTO sale_payments (sale_id, method, amount, reference) VALUES"
        " ('s1', 'cash', 4000, NULL), ('s1', 'card', 500, 'POS1')"
    )
    db.conn.commit()
    db.close()
    # version 4 knows only cash and card
    with pytest.raises(sqlite3.IntegrityError), sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO sale_payments (sale_id, method, amount) VALUES ('s1', 'alipay', 1)"
        )

    store = Store.open(path)
    assert [(p.method, p.amount, p.reference) for p in sales.get(store, "s1").payments] == [
        ("cash", 4000, None),
        ("card", 500, "POS1"),
    ]
    with store.atomic():
        draft = sales.create_draft(store, showtime_id="st-001", cashier_id="c01", mode="online")
        code_payments.open_charge(store, "T0120260101000000abcd", "alipay", 4500, draft.id)
    store.db.execute(
        "INSERT INTO sale_payments (sale_id, method, amount, reference) VALUES (?, 'alipay', 1, ?)",
        [draft.id, "T0120260101000000abcd"],
    )
    with pytest.raises(ValueError, match="charging → captured"):
        code_payments.move(store, "T0120260101000000abcd", "captured")
    assert code_payments.unsettled(store)[0].state == "charging"
    store.close()
