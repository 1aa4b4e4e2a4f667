"""From a paid sale to paper: ticket faces for the print queue, and running the queue.

The queue lives in the terminal's store, so a printer that is off or out of paper costs
nothing: the jobs wait, the cashier sees why, and they print once the printer is back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from contract import models
from offline import sales
from printer.device import Printer
from printer.layout import ReceiptFace, ReceiptLine, ReceiptPayment, TicketFace
from printer.queue import JobOutcome, PrintQueue
from printer.settings import PrintSettings
from printer.status import PrinterStatus

if TYPE_CHECKING:
    from pos.counter.service import Counter


def print_settings(counter: Counter) -> PrintSettings:
    s = counter.settings
    return PrintSettings(paper_mm=s.paper_width, lang=s.language)  # type: ignore[arg-type]


def open_printer(counter: Counter) -> Printer:
    return Printer(counter.settings.printer, print_settings(counter))


def ticket_faces(
    counter: Counter,
    showtime_id: str,
    tickets: Iterable[sales.SaleTicket | models.Ticket],
    *,
    offline: bool = False,
    reprint: bool = False,
) -> list[TicketFace]:
    schedule = counter.schedule()
    st = counter.showtime(showtime_id)
    film = next(f for f in schedule.films if f.id == st.film_id)
    auditorium = next(a for a in schedule.auditoriums if a.id == st.auditorium_id)
    zh = counter.settings.language == "zh"
    return [
        TicketFace(
            cinema=schedule.cinema.name if zh else schedule.cinema.name_en,
            film_title=film.title if zh else film.title_en,
            auditorium=auditorium.name if zh else auditorium.name_en,
            row=t.seat.rstrip("0123456789"),
            seat=t.seat[len(t.seat.rstrip("0123456789")) :],
            starts_at=st.start,
            timezone=counter.settings.timezone,
            ticket_type=t.ticket_type,
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


def receipt_face(counter: Counter, sale: sales.Sale) -> ReceiptFace:
    schedule = counter.schedule()
    by_type: dict[tuple[str, int], int] = {}
    for t in sale.tickets:
        by_type[(t.ticket_type, t.price)] = by_type.get((t.ticket_type, t.price), 0) + 1
    return ReceiptFace(
        cinema=schedule.cinema.name_en,
        sale_id=sale.id,
        sold_at=sale.created_at,
        timezone=counter.settings.timezone,
        lines=tuple(
            ReceiptLine(description=kind, quantity=n, unit_price=price, amount=n * price)
            for (kind, price), n in by_type.items()
        ),
        payments=tuple(ReceiptPayment(method=p.method, amount=p.amount) for p in sale.payments),
        total=sale.total,
        change=sale.change,
        currency=schedule.cinema.currency,
        cashier=sale.cashier_id,
        offline=sale.mode == "offline",
    )


def queue_sale_tickets(counter: Counter, sale: sales.Sale) -> list[int]:
    queue = PrintQueue(counter.store.db, recover=False)
    faces = ticket_faces(counter, sale.showtime_id, sale.tickets, offline=sale.mode == "offline")
    jobs = [queue.enqueue("ticket", face, sale_id=sale.id) for face in faces]
    jobs.append(queue.enqueue("receipt", receipt_face(counter, sale), sale_id=sale.id))
    return jobs


def queue_reprint(counter: Counter, sale: sales.Sale) -> list[int]:
    queue = PrintQueue(counter.store.db, recover=False)
    faces = ticket_faces(
        counter, sale.showtime_id, sale.tickets, offline=sale.mode == "offline", reprint=True
    )
    return [queue.enqueue("ticket", face, sale_id=sale.id) for face in faces]


def queue_booking_tickets(counter: Counter, booking: models.Booking) -> list[int]:
    """A picked-up online booking prints like a sale: same faces, its own (central) codes."""
    queue = PrintQueue(counter.store.db, recover=False)
    faces = ticket_faces(counter, booking.showtime_id, booking.tickets)
    return [queue.enqueue("ticket", face) for face in faces]


def run_print_queue(counter: Counter, printer: Printer) -> list[JobOutcome]:
    """Print what waits; jobs a crash interrupted were recovered when the counter opened."""
    return PrintQueue(counter.store.db, recover=False).run_pending(printer)


def printer_status(printer: Printer) -> PrinterStatus:
    return printer.status()
