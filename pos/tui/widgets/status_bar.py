"""The bar every screen carries: mode, outbox depth, printer, cashier, shift, business day.

It reads the app's reactives (`status`, `cashier`, `printer_line`, `language`), so a mode
change reported by the counter's listeners shows on whatever screen is up."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from pos.tui.i18n import t

MODE_STYLES = {
    "online": "bold black on green",
    "degraded": "bold black on yellow",
    "offline": "bold white on red",
}
"""By the counter's `Mode` (a StrEnum, so its members find their style here): the bar is drawn
before the counter is loaded, so this module does not import it (start-up speed)."""


class StatusBar(Static):
    def on_mount(self) -> None:
        for name in ("status", "cashier", "printer_line", "language", "shift"):
            self.watch(self.app, name, lambda _: self.redraw(), init=False)
        self.redraw()

    def redraw(self) -> None:
        app = self.app
        status = app.status  # type: ignore[attr-defined]
        cashier = app.cashier  # type: ignore[attr-defined]
        text = Text(no_wrap=True, overflow="ellipsis")
        if status is None:
            text.append(f" {t('status.starting')} ", "reverse")
        else:
            text.append(f" {t('mode.' + status.mode.value)} ", MODE_STYLES[status.mode])
            if status.mode == "offline":
                text.append(f" {t('status.from_leases')}", "bold")
            text.append(f" │ {t('status.outbox', n=status.outbox)}")
        text.append(f" │ {t('status.printer')} {app.printer_line}")  # type: ignore[attr-defined]
        who = f"{cashier.id} {cashier.name}" if cashier else "—"
        text.append(f" │ {t('status.cashier')} {who}")
        text.append(f" │ {t('status.shift')} {app.shift or '—'}")  # type: ignore[attr-defined]
        if status is not None and status.business_date:
            text.append(f" │ {status.business_date}")
        self.update(text)
