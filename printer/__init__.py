"""Tickets, receipts and reports on thermal paper: layout, ESC/POS rendering, connections, queue.

Never imports textual or `pos`. Typical use::

    printer = Printer("tcp://10.0.0.5", PrintSettings(paper_mm=80, lang="zh"))
    queue = PrintQueue(db)
    queue.enqueue("ticket", ticket_face, sale_id=sale.id)
    queue.run_pending(printer)
"""

from printer.device import Printer
from printer.errors import (
    CjkFontMissingError,
    PrinterConnectionError,
    PrinterError,
    PrinterSettingError,
    UnprintableTextError,
)
from printer.layout import (
    Layout,
    ReceiptFace,
    ReceiptLine,
    ReceiptPayment,
    ReportFace,
    ReportRow,
    ReportSection,
    TicketFace,
)
from printer.queue import JobOutcome, JobState, PrintJob, PrintQueue
from printer.settings import PrintSettings
from printer.status import PrinterState, PrinterStatus

__all__ = [
    "CjkFontMissingError",
    "JobOutcome",
    "JobState",
    "Layout",
    "PrintJob",
    "PrintQueue",
    "PrintSettings",
    "Printer",
    "PrinterConnectionError",
    "PrinterError",
    "PrinterSettingError",
    "PrinterState",
    "PrinterStatus",
    "ReceiptFace",
    "ReceiptLine",
    "ReceiptPayment",
    "ReportFace",
    "ReportRow",
    "ReportSection",
    "TicketFace",
    "UnprintableTextError",
]
