"""Nothing leaves the outbox without a definitive per-item answer from the central: an expired
token, a damaged record or a batch the central refuses keep the sales queued, visible and
retried; one bad sale never holds back the others."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

from central.server import CentralThread
from contract.models import ErrorBody, OfflineBatch, OfflineBatchResult
from offline import outbox
from pos.counter.home import Home
from pos.counter.service import Counter
from pos.counter.sync import SyncReport
from pos.ports import client_for
from pos.ports.errors import Rejected
from pos.ports.port import CentralPort
from tests.kit import args, pos, pos_json, sell_args


def sell_offline(home: Home, live_central: CentralThread, n: int) -> list[str]:
    """n offline sales, each alone in the outbox with its idempotency key."""
    live_central.stop()
    keys = []
    for _ in range(n):
        sale = pos_json(*sell_args(home, "st-002", "auto:1"))
        assert sale["mode"] == "offline"
    with sqlite3.connect(home.store_path) as db:
        keys = [r[0] for r in db.execute("SELECT idempotency_key FROM outbox WHERE kind = 'sale'")]
    assert len(keys) == n
    return keys


def restart(live_central: CentralThread, central_db: Path) -> CentralThread:
    return CentralThread(central_db, live_central.seeds_dir, drill=True, port=live_central.port)


def test_an_expired_token_keeps_every_sale_queued(
    home: Home, live_central: CentralThread, central_db: Path
) -> None:
    sell_offline(home, live_central, 2)
    config = json.loads(home.config_path.read_text())
    good = config["token"]
    home.config_path.write_text(json.dumps({**config, "token": "revoked"}))
    with restart(live_central, central_db):
        code, out, _ = pos(*args(home, "sync", "--json"))
        report = json.loads(out)
        assert code == 1 and report["remaining"] == 2 and report["error"], report
        status = json.loads(pos(*args(home, "status", "--json"))[1])
        assert status["outbox"] == 2 and status["held"] == 2
        home.config_path.write_text(json.dumps({**config, "token": good}))
        report = pos_json(*args(home, "sync"))
    assert report["remaining"] == 0 and report["accepted"] == 2


def test_a_damaged_record_is_held_and_the_others_go(
    home: Home, live_central: CentralThread, central_db: Path
) -> None:
    keys = sell_offline(home, live_central, 3)
    with sqlite3.connect(home.store_path) as db:
        db.execute("UPDATE outbox SET payload = '{\"lines\": 7}' WHERE idempotency_key = ?",
                   [keys[1]])  # fmt: skip
    with restart(live_central, central_db):
        code, out, _ = pos(*args(home, "sync", "--json"))
        report = json.loads(out)
        assert code == 1 and report["accepted"] == 2 and report["held"] == 1
        assert report["remaining"] == 1
        again = json.loads(pos(*args(home, "sync", "--json"))[1])
        assert again["remaining"] == 1, "held, retried, and never dropped"
    with sqlite3.connect(home.store_path) as db:
        (state, error) = db.execute(
            "SELECT state, last_error FROM outbox WHERE idempotency_key = ?", [keys[1]]
        ).fetchone()
    assert state == "pending" and error.startswith("held: ")


class RefusesOneSale:
    """A central whose intake refuses a whole batch when it holds one particular sale (ours
    takes batches sale by sale; pretix, or a stricter central, may not)."""

    def __init__(self, inner: CentralPort, bad_key: str) -> None:
        self.inner = inner
        self.bad_key = bad_key
        self.batches: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def upload_offline(self, batch: OfflineBatch) -> OfflineBatchResult:
        self.batches.append(len(batch.sales))
        if any(s.idempotency_key == self.bad_key for s in batch.sales):
            raise Rejected(422, ErrorBody(code="BAD_BATCH", message="one sale is unreadable"))
        return await self.inner.upload_offline(batch)


def test_one_refused_sale_never_holds_back_the_batch(
    home: Home, live_central: CentralThread, central_db: Path
) -> None:
    keys = sell_offline(home, live_central, 5)
    port = RefusesOneSale(client_for(home.load()), keys[3])

    async def drain() -> tuple[SyncReport, list[str]]:
        async with Counter(home, client=port) as counter:
            report = await counter.sender.drain(now=True)
            return report, [i.idempotency_key for i in outbox.items(counter.store, "pending")]

    with restart(live_central, central_db):
        report, queued = asyncio.run(drain())
    assert report.accepted == 4 and report.held == 1 and report.remaining == 1
    assert queued == [keys[3]]
    assert port.batches[0] == 5 and len(port.batches) > 2, "split until the bad one was alone"
