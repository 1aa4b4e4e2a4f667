"""Tickets, receipts and reports on thermal paper: layout, ESC/POS rendering, connections, queue.

Never imports textual or `pos`. Import the modules themselves (`printer.device`,
`printer.queue`, ...): this package imports nothing up front, because python-escpos takes the
best part of a second to load and only the code that really prints should pay for it. Typical
use::

    from printer.device import Printer
    from printer.queue import PrintQueue
    from printer.settings import PrintSettings

    printer = Printer("tcp://10.0.0.5", PrintSettings(paper_mm=80, lang="zh"))
    queue = PrintQueue(db)
    queue.enqueue("ticket", ticket_face, sale_id=sale.id)
    queue.run_pending(printer)
"""
