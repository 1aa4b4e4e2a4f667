"""The bar every screen carries: mode, outbox depth, cashier, shift, business day, printer.

It reads the app's reactives (`status`, `cashier`, `printer_line`, `language`, `shift`), so a
mode change reported by the counter's listeners shows on whatever screen is up. On a narrow
terminal (80×24) the labels go and the day loses its year, so the shift and the day still show;
the printer comes last because its message can be long."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import Static

from pos.tui.i18n import t

MODE_STYLES = {
    "online": "bold black on green",
    "degraded": "bold black on yellow",
    "offline": "bold white on red",
}
"""By the counter's `Mode` (a StrEnum, so its members find their style here): the bar is drawn
before the counter is loaded, so this module does not import it (start-up speed)."""

WIDE = 110
"""From this width on, every fact has its label."""


class StatusBar(Static):
    def on_mount(self) -> None:
        for name in ("status", "cashier", "printer_line", "language", "shift"):
            self.watch(self.app, name, lambda _: self.redraw(), init=False)
        self.redraw()

    def on_resize(self, event: events.Resize) -> None:
        self.redraw()

    def redraw(self) -> None:
        app = self.app
        status = app.status  # type: ignore[attr-defined]
        cashier = app.cashier  # type: ignore[attr-defined]
        wide = (self.size.width or app.size.width) >= WIDE
        text = Text(no_wrap=True, overflow="ellipsis")
        if status is None:
            text.append(f" {t('status.starting')} ", "reverse")
        else:
            text.append(f" {t('mode.' + status.mode.value)} ", MODE_STYLES[status.mode])
            if not status.journal_ok:
                text.append(f" {t('status.journal_broken')} ", "bold white on red")
            if status.mode == "offline" and wide:
                text.append(f" {t('status.from_leases')}", "bold")
            text.append(f" │ {t('status.outbox', n=status.outbox)}")
            if status.held:  # the central refused them (not as a verdict): still retried
                text.append(f" {t('status.held', n=status.held)}", "bold yellow")
            if status.conflicts:  # refused for good: the supervisor must look
                text.append(f" {t('status.conflicts', n=status.conflicts)}", "bold white on red")
            if status.code_owed:  # a payment provider still owes a customer money: retried
                text.append(f" {t('status.code_owed', n=status.code_owed)}", "bold yellow")
        who = f"{cashier.id} {cashier.name}" if cashier else "—"
        shift = app.shift  # type: ignore[attr-defined]
        if wide:
            shift = shift or "—"
            text.append(f" │ {t('status.cashier')} {who}")
            text.append(f" │ {t('status.shift')} {shift}")
        else:
            text.append(f" │ {who} │ {shift or t('status.no_shift')}")
        if status is not None:  # the till's day: the shift's, the one F9 closes
            day = status.business_date
            text.append(f" │ {day if wide else day[5:]}")
        printer = app.printer_line  # type: ignore[attr-defined]
        text.append(f" │ {t('status.printer')} {printer}")
        self.update(text)
