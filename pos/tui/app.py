"""The counter TUI: a thin shell over the headless Counter.

The app opens the counter, keeps the status bar's facts (mode, outbox, printer, cashier) as
reactives every screen reads, runs the print queue in a thread, and turns any error into words
a cashier understands. Screens do the rest, one per file in pos/screens/."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from contract.models import StaffMember
from offline import shifts
from offline.errors import StoreError
from offline.store import Store
from pos.counter.errors import CounterError
from pos.counter.selling import Outcome
from pos.counter.service import Counter, Status
from pos.tui import i18n
from pos.tui.messages import CounterChanged, PrintFinished

if TYPE_CHECKING:
    from printer.device import Printer
    from printer.queue import PrintQueue


class PosApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Box Office POS"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("f1", "help", "key.help"),
        Binding("f2", "switch_language", "key.language"),
        Binding("ctrl+q", "quit", "key.quit"),
    ]

    status: reactive[Status | None] = reactive(None, init=False)
    cashier: reactive[StaffMember | None] = reactive(None, init=False)
    printer_line = reactive("—", init=False)
    shift: reactive[str | None] = reactive(None, init=False)
    language = reactive("en", init=False)
    last_print: reactive[PrintFinished | None] = reactive(None, init=False)

    def __init__(
        self,
        counter: Counter,
        *,
        background: bool = True,
        previews: Path | None = None,
        blink: bool = True,
    ):
        """`background` starts the counter's probe and sync loops and a first refresh (off
        for snapshots); `previews` is a folder for PNG pictures of what was printed (demo);
        `blink` is the text cursor's blink (off for snapshots)."""
        super().__init__()
        self.counter = counter
        self.background = background
        self.previews = previews
        self.blink = blink
        self._opened = False
        self._printer: Printer | None = None
        self._print_lock = threading.Lock()
        i18n.set_language(counter.settings.language)
        self.set_reactive(PosApp.language, counter.settings.language)

    async def on_mount(self) -> None:
        from pos.tui.screens import LoginScreen

        await self.counter.open()
        self._opened = True
        self.counter.listeners.append(lambda: self.post_message(CounterChanged()))
        self.refresh_status()
        self.push_screen(LoginScreen())
        if self.background:
            self.counter.start_background()
            self.connect()
        self.call_after_refresh(self.print_pending)  # jobs a crash left; after the first paint

    async def on_unmount(self) -> None:
        if self._opened:
            await self.counter.close()
        if self._printer is not None:
            self._printer.close()

    # --- the status bar's facts -------------------------------------------------------------

    def refresh_status(self) -> None:
        self.status = self.counter.status()
        current = shifts.current(self.counter.store, self.cashier.id) if self.cashier else None
        self.shift = current.id if current else None

    @on(CounterChanged)
    def _counter_changed(self) -> None:
        self.refresh_status()

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self) -> None:
        await self.counter.connect()
        self.refresh_status()

    # --- printing ---------------------------------------------------------------------------

    @work(thread=True, group="print", exit_on_error=False)
    def print_pending(self) -> None:
        """Print what the queue holds, in this thread with its own store connection.

        The printer modules load here, off the start path: python-escpos takes a second."""
        from pos.counter.printing import open_printer
        from printer.queue import JobState, PrintQueue

        with self._print_lock:
            if self._printer is None:
                self._printer = open_printer(self.counter)
            store = Store.open(self.counter.home.store_path, check=False)
            try:
                queue = PrintQueue(store.db, recover=False)
                outcomes = queue.run_pending(self._printer)
                if self.previews is not None:
                    self._save_previews(
                        queue, [o.job_id for o in outcomes if o.state == JobState.PRINTED]
                    )
                pending = queue.depth()
            finally:
                store.close()
        self.post_message(PrintFinished(outcomes, pending))

    def _save_previews(self, queue: PrintQueue, job_ids: list[int]) -> None:
        from pos.counter.printing import print_settings
        from printer.preview import save_png

        assert self.previews is not None
        self.previews.mkdir(parents=True, exist_ok=True)
        settings = print_settings(self.counter)
        for job_id in job_ids:
            save_png(queue.job(job_id).layout, settings, self.previews / f"job-{job_id:05d}.png")

    @on(PrintFinished)
    def _printed(self, message: PrintFinished) -> None:
        failed = [o for o in message.outcomes if o.state != "printed"]
        if failed:
            self.printer_line = i18n.printer_problem(failed[-1].code, failed[-1].reason)
        elif message.pending:
            self.printer_line = i18n.t("printer.waiting", n=message.pending)
        else:
            self.printer_line = i18n.t("printer.ok")
        self.last_print = message

    # --- where a sale goes next ------------------------------------------------------------

    def sale_done(self, outcome: Outcome) -> None:
        """Back to the schedule (the next customer starts there) with the result on top."""
        from pos.tui.screens import ResultScreen, ScheduleScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, ScheduleScreen):
            self.pop_screen()
        self.push_screen(ResultScreen(outcome))

    def back_to_seats(self) -> None:
        """A seat went to someone else: back to a fresh seat map to pick again."""
        from pos.tui.screens import SeatsScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, SeatsScreen):
            self.pop_screen()
        if isinstance(self.screen, SeatsScreen):
            self.screen.reload()

    # --- language, help, errors -------------------------------------------------------------

    def action_switch_language(self) -> None:
        """Switch language and keep it: the terminal's setting also sets the ticket language."""
        lang = i18n.next_language()
        i18n.set_language(lang)
        self.counter.settings.language = lang
        self.counter.home.save(self.counter.settings)
        self.language = lang
        if self.last_print is not None:
            self._printed(self.last_print)

    def action_help(self) -> None:
        from pos.tui.screens import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def show_error(self, error: BaseException) -> None:
        """The one place errors reach the cashier: in words, never as a traceback."""
        from printer.errors import PrinterError

        if isinstance(error, CounterError):
            text = i18n.error_text(error)
        elif isinstance(error, PrinterError):
            text = i18n.printer_problem(error.code or "PRINTER_ERROR", error.message)
        elif isinstance(error, StoreError):
            text = i18n.t("error.store", detail=str(error))
        else:
            self.log.error(repr(error))
            text = i18n.t("error.unexpected", what=type(error).__name__)
        self.notify(text, severity="error", timeout=8)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.show_error(event.worker.error)
