"""The one owner of printing: from a paid sale to paper.

Ticket faces go into the print queue in the same transaction that records the sale, so a
printer that is off or out of paper costs nothing: the jobs wait in the store, the cashier sees
why, and they print once the printer is back. The queue is recovered once, when the terminal
opens (a job a crash left "printing" prints again, marked REPRINT), and run by `pos print run`,
the TUI's print worker or the demo, never by whoever happened to queue a job."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contract import models
from offline import sales
from offline.store import Store
from pos.counter.home import Settings
from pos.counter.today import Today
from printer.layout import Layout, ReceiptFace, ReceiptLine, ReceiptPayment, TicketFace
from printer.queue import JobState, PrintQueue
from printer.settings import PrintSettings

if TYPE_CHECKING:  # python-escpos loads only when something really prints (a second of start)
    from printer.device import Printer


@dataclass(frozen=True, slots=True)
class PrintRun:
    """What one run of the queue did, in terms the TUI bar and `pos print run` show."""

    printed: list[int]
    pending: int
    """Jobs still waiting after the run: non-zero means the printer needs a look."""
    problem_code: str | None = None
    problem_reason: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "printed": self.printed,
            "pending": self.pending,
            "problem": {"code": self.problem_code, "reason": self.problem_reason}
            if self.problem_code
            else None,
        }


def handed_over(sale: sales.Sale) -> list[ReceiptPayment]:
    """What the customer handed over, as the receipt shows it: the sale records the cash that
    paid for the tickets, the customer gave that plus the change."""
    return [
        ReceiptPayment(
            method=p.method, amount=p.amount + (sale.change if p.method == "cash" else 0)
        )
        for p in sale.payments
    ]


class TicketPrinter:
    def __init__(self, store: Store, today: Today, settings: Settings) -> None:
        self.store = store
        self.today = today
        self.settings = settings
        self._printer: Printer | None = None
        self._lock = threading.Lock()

    @property
    def print_settings(self) -> PrintSettings:
        return settings_for(self.settings.paper_width, self.settings.language)

    def recover(self) -> list[int]:
        """At terminal start: jobs a crash interrupted mid-print go back in line as REPRINT."""
        return PrintQueue(self.store.db, recover=False).recover()

    # --- queueing (inside the caller's transaction) -----------------------------------------

    def _queue(self) -> PrintQueue:
        return PrintQueue(self.store.db, recover=False)

    def _type_name(self, code: str, discount: str | None = None) -> str:
        """A ticket type as the ticket's language names it (`成人`, `Adult`), not its code;
        with its discount's name when it has one (`Adult · Member price`)."""
        zh = self.settings.language == "zh"
        schedule = self.today.schedule()
        kind = next((k for k in schedule.ticket_types if k.code == code), None)
        name = (kind.name if zh else kind.name_en) if kind else code
        if discount is None:
            return name
        rule = next((d for d in schedule.cinema.discounts if d.code == discount), None)
        return f"{name} · {(rule.name if zh else rule.name_en) if rule else discount}"

    def ticket_faces(
        self,
        showtime_id: str,
        tickets: Iterable[sales.SaleTicket | models.Ticket],
        *,
        offline: bool = False,
        reprint: bool = False,
    ) -> list[TicketFace]:
        schedule = self.today.schedule()
        st = self.today.showtime(showtime_id)
        film = next(f for f in schedule.films if f.id == st.film_id)
        auditorium = next(a for a in schedule.auditoriums if a.id == st.auditorium_id)
        zh = self.settings.language == "zh"
        return [
            TicketFace(
                cinema=schedule.cinema.name if zh else schedule.cinema.name_en,
                film_title=film.title if zh else film.title_en,
                auditorium=auditorium.name if zh else auditorium.name_en,
                row=t.seat.rstrip("0123456789"),
                seat=t.seat[len(t.seat.rstrip("0123456789")) :],
                starts_at=st.start,
                timezone=self.settings.timezone,
                ticket_type=self._type_name(
                    t.ticket_type, t.discount if isinstance(t, sales.SaleTicket) else None
                ),
                price=t.price,
                currency=schedule.cinema.currency,
                ticket_id=t.id,
                code=t.code,
                offline=offline,
                reprint=reprint,
            )
            for t in tickets
            if not t.refunded
        ]

    def receipt_face(self, sale: sales.Sale) -> ReceiptFace:
        schedule = self.today.schedule()
        by_type: dict[tuple[str, str | None, int], int] = {}
        for t in sale.tickets:
            line = (t.ticket_type, t.discount, t.price)
            by_type[line] = by_type.get(line, 0) + 1
        zh = self.settings.language == "zh"
        return ReceiptFace(
            cinema=schedule.cinema.name if zh else schedule.cinema.name_en,
            sale_id=sale.id,
            sold_at=sale.created_at,
            timezone=self.settings.timezone,
            lines=tuple(
                ReceiptLine(
                    description=self._type_name(kind, discount),
                    quantity=n,
                    unit_price=price,
                    amount=n * price,
                )
                for (kind, discount, price), n in by_type.items()
            ),
            payments=tuple(handed_over(sale)),
            total=sale.total,
            change=sale.change,
            currency=schedule.cinema.currency,
            cashier=sale.cashier_id,
            offline=sale.mode == "offline",
            drawer_pin=self._drawer_pin(sale),
        )

    def _drawer_pin(self, sale: sales.Sale) -> int | None:
        """The drawer opens for a sale that took cash, if the terminal has one on its printer."""
        took_cash = any(p.method == "cash" and p.amount > 0 for p in sale.payments)
        return self.settings.cash_drawer_pin if self.settings.cash_drawer and took_cash else None

    def queue_sale(self, sale: sales.Sale) -> list[int]:
        queue = self._queue()
        offline = sale.mode == "offline"
        faces = self.ticket_faces(sale.showtime_id, sale.tickets, offline=offline)
        jobs = [queue.enqueue("ticket", face, sale_id=sale.id) for face in faces]
        jobs.append(queue.enqueue("receipt", self.receipt_face(sale), sale_id=sale.id))
        return jobs

    def queue_reprint(self, sale: sales.Sale) -> list[int]:
        queue = self._queue()
        faces = self.ticket_faces(
            sale.showtime_id, sale.tickets, offline=sale.mode == "offline", reprint=True
        )
        return [queue.enqueue("ticket", face, sale_id=sale.id) for face in faces]

    def queue_booking(self, booking: models.Booking) -> list[int]:
        """A picked-up online booking prints like a sale: same faces, its own (central) codes."""
        queue = self._queue()
        return [
            queue.enqueue("ticket", face)
            for face in self.ticket_faces(booking.showtime_id, booking.tickets)
        ]

    def queue_layout(self, kind: str, layout: Layout) -> int:
        return self._queue().enqueue(kind, layout)  # type: ignore[arg-type]

    def unprinted(self, sale_id: str) -> int:
        """Jobs of a sale whose paper has not come out yet ("queued for print" while > 0)."""
        row = self.store.db.execute(
            "SELECT COUNT(*) FROM print_jobs WHERE sale_id = ? AND state IN (?, ?, ?)",
            [sale_id, JobState.QUEUED, JobState.PRINTING, JobState.FAILED],
        ).fetchone()
        return int(row[0])

    # --- printing (any thread) ----------------------------------------------------------------

    def print_pending(self, previews: Path | None = None) -> PrintRun:
        """Print what waits, on this thread with its own store connection (a sqlite-utils
        Database is bound to the thread that made it); one run at a time per terminal.
        `previews` is a folder for PNG pictures of what printed (the demo's paper)."""
        from printer.device import Printer  # python-escpos: loaded when something prints

        with self._lock:
            if self._printer is None:
                self._printer = Printer(self.settings.printer, self.print_settings)
            store = Store.open(self.store.path, check=False)
            try:
                queue = PrintQueue(store.db, recover=False)
                outcomes = queue.run_pending(self._printer)
                printed = [o.job_id for o in outcomes if o.state == JobState.PRINTED]
                if previews is not None:
                    self._save_previews(queue, printed, previews)
                pending = queue.depth()
            finally:
                store.close()
        failed = [o for o in outcomes if o.state != JobState.PRINTED]
        if failed:
            return PrintRun(printed, pending, failed[-1].code, failed[-1].reason)
        return PrintRun(printed, pending)

    def _save_previews(self, queue: PrintQueue, job_ids: list[int], folder: Path) -> None:
        from printer.preview import save_png

        folder.mkdir(parents=True, exist_ok=True)
        for job_id in job_ids:
            save_png(
                queue.job(job_id).layout, self.print_settings, folder / f"job-{job_id:05d}.png"
            )

    def close(self) -> None:
        if self._printer is not None:
            self._printer.close()
            self._printer = None


def settings_for(paper_mm: int, lang: str) -> PrintSettings:
    return PrintSettings(paper_mm=paper_mm, lang=lang)  # type: ignore[arg-type]


def preview_text(layouts: list[Layout], settings: PrintSettings, png: Path | None = None) -> str:
    """What layouts look like on paper, as text (and drawn to `png`), without a printer."""
    from printer.preview import save_png, text_preview

    if png is not None:
        save_png(layouts, settings, png)
    return "\n".join(text_preview(layouts, settings))


def demo_layouts(lang: str) -> list[Layout]:
    """A demo ticket, receipt and Z report: what IT prints to check a new printer."""
    from printer.demo import demo_layouts as layouts

    return layouts(lang)
