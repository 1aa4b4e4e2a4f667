"""The print queue against a fake network printer that goes off, runs out of paper, drops links."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_printer import FakePrinter
from printer_helpers import make_ticket
from sqlite_utils import Database

from contract.ticket_code import Ed25519PrivateKey
from printer.demo import demo_receipt, demo_report
from printer.device import Printer
from printer.queue import JobState, PrintQueue


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(tmp_path / "terminal.db")


def ticket_ids(fake: FakePrinter) -> list[str]:
    return [ln.strip().split()[-1] for ln in fake.decoded().lines if "Ticket T-" in ln]


def test_printer_off_during_20_tickets_loses_none_and_prints_each_once_in_order(
    fake: FakePrinter, db: Database, signing_key: Ed25519PrivateKey
) -> None:
    queue = PrintQueue(db)
    fake.power_off()
    printer = Printer(fake.url)
    ids = [queue.enqueue("ticket", make_ticket(signing_key, n), sale_id="S-1") for n in range(20)]

    outcomes = queue.run_pending(printer)

    assert [(o.job_id, o.code) for o in outcomes] == [(ids[0], "PRINTER_UNREACHABLE")]
    assert queue.depth() == 20
    assert queue.job(ids[0]).state is JobState.FAILED
    assert "switched on" in queue.job(ids[0]).reason
    assert all(job.state is JobState.QUEUED for job in queue.jobs()[1:])

    fake.power_on()
    outcomes = queue.run_pending(printer)

    assert [o.job_id for o in outcomes] == ids
    assert {o.state for o in outcomes} == {JobState.PRINTED}
    assert queue.depth() == 0
    assert ticket_ids(fake) == [f"T-{n:06d}" for n in range(20)]
    assert fake.decoded().cuts == 20
    assert "REPRINT" not in fake.decoded().text  # nothing had reached paper before


def test_paper_out_mid_run_stops_and_resumes_with_reprint_only_where_paper_ran_out(
    fake: FakePrinter, db: Database, signing_key: Ed25519PrivateKey
) -> None:
    queue = PrintQueue(db)
    printer = Printer(fake.url)
    ids = [queue.enqueue("ticket", make_ticket(signing_key, n)) for n in range(5)]
    fake.paper_out_after_cuts = 2  # the roll ends as the second ticket is cut

    outcomes = queue.run_pending(printer)

    assert [o.state for o in outcomes] == [JobState.PRINTED, JobState.FAILED]
    assert outcomes[1].code == "PRINTER_PAPER_OUT"
    second = queue.job(ids[1])
    assert (second.state, second.reprint, second.attempts) == (JobState.FAILED, True, 1)
    assert "out of paper" in second.reason
    assert [j.state for j in queue.jobs()[2:]] == [JobState.QUEUED] * 3

    fake.paper_out, fake.paper_out_after_cuts = False, None
    outcomes = queue.run_pending(printer)

    assert [o.job_id for o in outcomes] == ids[1:]
    assert queue.depth() == 0
    text = fake.decoded().text
    assert text.count("REPRINT") == 1  # only the ticket that may be half on paper
    assert ticket_ids(fake) == [
        "T-000000",
        "T-000001",
        "T-000001",
        "T-000002",
        "T-000003",
        "T-000004",
    ]


def test_dropped_connection_mid_job_leaves_the_job_retryable(
    fake: FakePrinter, db: Database, signing_key: Ed25519PrivateKey
) -> None:
    queue = PrintQueue(db)
    printer = Printer(fake.url)
    job = queue.enqueue("ticket", make_ticket(signing_key, 1))
    queue.enqueue("ticket", make_ticket(signing_key, 2))
    fake.drop_after_bytes = 300  # status queries, then part of the ticket

    outcomes = queue.run_pending(printer)

    assert [(o.job_id, o.state) for o in outcomes] == [(job, JobState.FAILED)]
    assert outcomes[0].code in ("PRINTER_CONNECTION_LOST", "PRINTER_UNREACHABLE")
    assert queue.depth() == 2

    outcomes = queue.run_pending(printer)

    assert [o.state for o in outcomes] == [JobState.PRINTED, JobState.PRINTED]
    assert queue.job(job).reprint
    assert fake.connections >= 2


def test_reprint_carries_the_reprint_mark(
    fake: FakePrinter, db: Database, signing_key: Ed25519PrivateKey
) -> None:
    queue = PrintQueue(db)
    printer = Printer(fake.url)
    original = queue.enqueue("ticket", make_ticket(signing_key, 9), sale_id="S-9")
    queue.run_pending(printer)
    assert "REPRINT" not in fake.decoded().text

    copy = queue.reprint(original)
    queue.run_pending(printer)

    assert copy != original
    assert queue.job(copy).sale_id == "S-9"
    assert queue.job(copy).layout.reprint
    assert fake.decoded().text.count("REPRINT") == 1
    assert fake.decoded().qr[0] == fake.decoded().qr[1]


def test_job_left_printing_by_a_crash_is_interrupted_and_prints_as_reprint(
    db: Database, signing_key: Ed25519PrivateKey
) -> None:
    queue = PrintQueue(db)
    job = queue.enqueue("ticket", make_ticket(signing_key, 3))
    db.execute("UPDATE print_jobs SET state = 'printing' WHERE id = ?", [job])
    db.conn.commit()

    restarted = PrintQueue(db)

    stored = restarted.job(job)
    assert (stored.state, stored.reason, stored.reprint) == (JobState.FAILED, "interrupted", True)
    printer = Printer("dummy:")
    restarted.run_pending(printer)
    assert "REPRINT" in printer.output.decode("cp437")


def test_cancel_receipts_and_reports_on_a_one_way_printer(tmp_path: Path, db: Database) -> None:
    queue = PrintQueue(db)
    receipt = queue.enqueue("receipt", demo_receipt(), sale_id="S-0001-0001")
    report = queue.enqueue("report", demo_report())
    cancelled = queue.enqueue("report", demo_report())
    assert queue.cancel(cancelled)

    out = tmp_path / "printer.bin"
    outcomes = queue.run_pending(Printer(f"file://{out}"))

    assert [o.job_id for o in outcomes] == [receipt, report]
    assert queue.jobs(JobState.CANCELLED)[0].id == cancelled
    assert not queue.cancel(receipt)
    assert out.read_bytes().count(b"\x1dVB") == 2
    with pytest.raises(ValueError, match="not a 'ticket'"):
        queue.enqueue("ticket", demo_receipt())
