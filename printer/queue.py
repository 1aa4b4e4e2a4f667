"""The print queue: jobs persisted in the terminal's SQLite store, so no sale's paper is lost.

States: queued -> printing -> printed, or -> failed (retryable) / cancelled. A job is `printing`
from just before its first byte is sent until the printer confirms it is fine afterwards. Any
failure after bytes may have reached the paper sets the job's REPRINT mark, and so does finding a
job still `printing` at start (the terminal crashed mid-job): a second copy always says REPRINT.

A `sqlite_utils.Database` is bound to the thread that made it: a print worker thread makes its
own Database and its own `PrintQueue(db, recover=False)`; the one created at terminal start
recovers interrupted jobs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from printer.errors import PrinterConnectionError, PrinterError
from printer.layout import (
    KINDS,
    Kind,
    Layout,
    kind_of,
    layout_from_json,
    layout_to_json,
    with_reprint,
)
from printer.status import PrinterStatus

if TYPE_CHECKING:
    from printer.device import Printer

TABLE = "print_jobs"


class JobState(StrEnum):
    QUEUED = "queued"
    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"
    CANCELLED = "cancelled"


RETRYABLE = (JobState.QUEUED, JobState.FAILED)


@dataclass(frozen=True, slots=True)
class PrintJob:
    id: int
    sale_id: str | None
    kind: Kind
    layout: Layout
    """As it will print: with the REPRINT mark set when the job's `reprint` flag is."""
    state: JobState
    reason: str
    reason_code: str
    attempts: int
    reprint: bool
    created_at: str
    updated_at: str
    printed_at: str | None


@dataclass(frozen=True, slots=True)
class JobOutcome:
    job_id: int
    state: JobState
    code: str
    """PRINTER_OK when printed, else the code of what stopped it."""
    reason: str


class PrintQueue:
    def __init__(self, db: Database, recover: bool = True) -> None:
        self.db = db
        self._create_table()
        if recover:
            self.recover()

    def enqueue(self, kind: Kind, layout: Layout, sale_id: str | None = None) -> int:
        if kind not in KINDS or kind_of(layout) != kind:
            raise ValueError(f"layout {type(layout).__name__} is not a {kind!r}")
        now = _now()
        with self.db.atomic():
            return (
                self.db[TABLE]
                .insert(
                    {
                        "sale_id": sale_id,
                        "kind": kind,
                        "layout": json.dumps(layout_to_json(layout), ensure_ascii=False),
                        "state": JobState.QUEUED.value,
                        "reason": "",
                        "reason_code": "",
                        "attempts": 0,
                        "reprint": int(layout.reprint),
                        "created_at": now,
                        "updated_at": now,
                        "printed_at": None,
                    }
                )
                .last_pk
            )

    def run_pending(self, printer: Printer) -> list[JobOutcome]:
        """Print queued and failed jobs in id order; stop at the first the printer cannot take.

        A job that cannot be rendered (text no font can show) fails on its own and does not
        hold back the jobs behind it; a printer problem stops the run and leaves every job
        from the failed one on retryable, with the reason stored.
        """
        outcomes: list[JobOutcome] = []
        for job in self.jobs(state=RETRYABLE):
            try:
                data = printer.render(job.layout)
            except PrinterError as exc:
                outcomes.append(self._fail(job.id, exc.code, exc.message, sent=False))
                continue
            before = printer.status()
            if not before.ok:
                outcomes.append(self._fail_status(job.id, before, sent=False))
                break
            if not self._claim(job.id):
                continue  # cancelled, or taken by another queue handle, meanwhile
            try:
                printer.send(data)
            except PrinterConnectionError as exc:
                outcomes.append(self._fail(job.id, exc.code, exc.message, sent=True))
                break
            after = printer.status()
            if not after.ok:
                outcomes.append(self._fail_status(job.id, after, sent=True))
                break
            outcomes.append(self._printed(job.id))
        return outcomes

    def cancel(self, job_id: int) -> bool:
        """Cancel a job not yet printed; False if it printed already (or is printing now)."""
        with self.db.atomic():
            cursor = self.db.execute(
                f"UPDATE {TABLE} SET state = ?, updated_at = ? WHERE id = ? AND state IN (?, ?)",
                [JobState.CANCELLED.value, _now(), job_id, *RETRYABLE],
            )
        return cursor.rowcount == 1

    def reprint(self, job_id: int) -> int:
        """Queue a copy of a job with the REPRINT mark; the caller journals who asked and why."""
        original = self.job(job_id)
        return self.enqueue(original.kind, with_reprint(original.layout), original.sale_id)

    def recover(self) -> list[int]:
        """Jobs left `printing` by a crash become failed ("interrupted") and print as REPRINT."""
        with self.db.atomic():
            ids = [
                row[0]
                for row in self.db.execute(
                    f"UPDATE {TABLE} SET state = ?, reason = 'interrupted', "
                    "reason_code = 'PRINTER_INTERRUPTED', reprint = 1, updated_at = ? "
                    "WHERE state = ? RETURNING id",
                    [JobState.FAILED.value, _now(), JobState.PRINTING.value],
                ).fetchall()
            ]
        return ids

    def job(self, job_id: int) -> PrintJob:
        return _job(self.db[TABLE].get(job_id))

    def jobs(self, state: JobState | str | tuple[JobState, ...] | None = None) -> list[PrintJob]:
        states = (state,) if isinstance(state, str) else state
        where, args = ("", []) if states is None else (f"state IN ({_marks(states)})", list(states))
        rows = self.db[TABLE].rows_where(where or None, args, order_by="id")
        return [_job(row) for row in rows]

    def depth(self) -> int:
        """Jobs still to print (queued or failed): what the counter shows next to the printer."""
        return self.db[TABLE].count_where(f"state IN ({_marks(RETRYABLE)})", list(RETRYABLE))

    def _create_table(self) -> None:
        self.db[TABLE].create(
            {
                "id": int,
                "sale_id": str,
                "kind": str,
                "layout": str,
                "state": str,
                "reason": str,
                "reason_code": str,
                "attempts": int,
                "reprint": int,
                "created_at": str,
                "updated_at": str,
                "printed_at": str,
            },
            pk="id",
            not_null={"kind", "layout", "state", "attempts", "reprint", "created_at"},
            if_not_exists=True,
        )
        self.db[TABLE].create_index(["state", "id"], if_not_exists=True)

    def _claim(self, job_id: int) -> bool:
        with self.db.atomic():
            cursor = self.db.execute(
                f"UPDATE {TABLE} SET state = ?, attempts = attempts + 1, updated_at = ? "
                "WHERE id = ? AND state IN (?, ?)",
                [JobState.PRINTING.value, _now(), job_id, *RETRYABLE],
            )
        return cursor.rowcount == 1

    def _printed(self, job_id: int) -> JobOutcome:
        now = _now()
        with self.db.atomic():
            self.db.execute(
                f"UPDATE {TABLE} SET state = ?, reason = '', reason_code = '', "
                "updated_at = ?, printed_at = ? WHERE id = ?",
                [JobState.PRINTED.value, now, now, job_id],
            )
        return JobOutcome(job_id, JobState.PRINTED, "PRINTER_OK", "")

    def _fail_status(self, job_id: int, status: PrinterStatus, sent: bool) -> JobOutcome:
        return self._fail(job_id, status.code, status.message(), sent)

    def _fail(self, job_id: int, code: str, reason: str, sent: bool) -> JobOutcome:
        """Mark failed; `sent` means bytes may have reached paper, so the retry says REPRINT."""
        with self.db.atomic():
            self.db.execute(
                f"UPDATE {TABLE} SET state = ?, reason = ?, reason_code = ?, updated_at = ?, "
                "reprint = MAX(reprint, ?) WHERE id = ?",
                [JobState.FAILED.value, reason, code, _now(), int(sent), job_id],
            )
        return JobOutcome(job_id, JobState.FAILED, code, reason)


def _job(row: dict[str, Any]) -> PrintJob:
    kind = row["kind"]
    layout = layout_from_json(kind, json.loads(row["layout"]))
    reprint = bool(row["reprint"])
    if reprint and not layout.reprint:
        layout = with_reprint(layout)
    return PrintJob(
        id=row["id"],
        sale_id=row["sale_id"],
        kind=kind,
        layout=layout,
        state=JobState(row["state"]),
        reason=row["reason"] or "",
        reason_code=row["reason_code"] or "",
        attempts=row["attempts"],
        reprint=reprint,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        printed_at=row["printed_at"],
    )


def _marks(values: tuple[Any, ...]) -> str:
    return ", ".join("?" for _ in values)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
