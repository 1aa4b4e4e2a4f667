"""Layouts to paper blocks: wording, language, padding and wrapping for one paper width."""

from __future__ import annotations

from contract.business_day import format_clock, format_date
from contract.money import format_money
from printer.layout import Layout, ReceiptFace, ReportFace, ReportRow, TicketFace
from printer.paper import QR, Block, Cut, DrawerKick, Feed, Text
from printer.settings import PrintSettings
from printer.strings import payment_label, text
from printer.textwidth import clean, pad, pair, wrap

TAIL_FEED = 3
"""Lines fed before the cut so the last line clears the cutter."""


def compose(layout: Layout, settings: PrintSettings) -> list[Block]:
    if isinstance(layout, TicketFace):
        return _Composer(settings).ticket(layout)
    if isinstance(layout, ReceiptFace):
        return _Composer(settings).receipt(layout)
    if isinstance(layout, ReportFace):
        return _Composer(settings).report(layout)
    raise TypeError(f"not a layout: {type(layout).__name__}")


class _Composer:
    """Accumulates blocks for one layout; every user-supplied string passes through `clean`."""

    def __init__(self, settings: PrintSettings) -> None:
        self.settings = settings
        self.columns = settings.columns
        self.lang = settings.lang
        self.blocks: list[Block] = []

    def ticket(self, t: TicketFace) -> list[Block]:
        zone, money = t.timezone, format_money(t.price, t.currency)
        self._centered(t.cinema, bold=True)
        self._marks(offline=t.offline, reprint=t.reprint)
        self._rule()
        self._centered(t.film_title, bold=True, big=True)
        self._rule()
        self._pairs(
            (text("auditorium", self.lang), t.auditorium),
            (text("seat", self.lang), text("row_seat", self.lang, row=t.row, seat=t.seat)),
            (text("date", self.lang), format_date(t.starts_at, zone)),
            (text("starts", self.lang), format_clock(t.starts_at, zone)),
            (text("ticket_type", self.lang), t.ticket_type),
            (text("price", self.lang), money),
        )
        self.blocks += [Feed(1), QR(t.code)]
        self._centered(f"{text('ticket_id', self.lang)} {t.ticket_id}")
        return self._end()

    def receipt(self, r: ReceiptFace) -> list[Block]:
        zone = r.timezone
        if r.drawer_pin is not None:
            self.blocks.append(DrawerKick(r.drawer_pin))
        self._centered(r.cinema, bold=True)
        self._centered(text("receipt", self.lang))
        self._marks(offline=r.offline, reprint=r.reprint)
        self._rule()
        self._pairs(
            (text("sale", self.lang), r.sale_id),
            (
                text("time", self.lang),
                f"{format_date(r.sold_at, zone)} {format_clock(r.sold_at, zone)}",
            ),
        )
        if r.cashier:
            self._pairs((text("cashier", self.lang), r.cashier))
        self._rule()
        for line in r.lines:
            label = f"{line.quantity} x {line.description}"
            self._pairs((label, format_money(line.amount, r.currency)))
        self._rule()
        self._pairs((text("total", self.lang), format_money(r.total, r.currency)), bold=True)
        for payment in r.payments:
            self._pairs(
                (payment_label(payment.method, self.lang), format_money(payment.amount, r.currency))
            )
        self._pairs((text("change", self.lang), format_money(r.change, r.currency)))
        return self._end()

    def report(self, rep: ReportFace) -> list[Block]:
        self._centered(rep.title, bold=True, big=True)
        self._marks(offline=False, reprint=rep.reprint)
        self._rule()
        self._rows(rep.fields)
        for section in rep.sections:
            self.blocks.append(Feed(1))
            self._centered(section.title, bold=True)
            self._rule()
            self._rows(section.rows)
        if rep.totals:
            self._rule("=")
            self._rows(rep.totals, bold=True)
        return self._end()

    def _centered(self, words: str, bold: bool = False, big: bool = False) -> None:
        columns = self.columns // 2 if big else self.columns
        for line in wrap(clean(words), columns):
            self.blocks.append(Text(pad(line, columns, "center"), bold=bold, big=big))

    def _marks(self, offline: bool, reprint: bool) -> None:
        for key, shown in (("offline", offline), ("reprint", reprint)):
            if shown:
                self._centered(f"** {text(key, self.lang)} **", bold=True, big=True)

    def _rule(self, char: str = "-") -> None:
        self.blocks.append(Text(char * self.columns))

    def _pairs(self, *pairs: tuple[str, str], bold: bool = False) -> None:
        for label, value in pairs:
            for line in pair(clean(label), clean(value), self.columns):
                self.blocks.append(Text(pad(line, self.columns), bold=bold))

    def _rows(self, rows: tuple[ReportRow, ...], bold: bool = False) -> None:
        self._pairs(*((row.label, row.value) for row in rows), bold=bold)

    def _end(self) -> list[Block]:
        self.blocks += [Feed(TAIL_FEED), Cut()]
        return self.blocks
