"""The counter TUI: a thin shell over the headless Counter.

The app opens the counter, keeps the status bar's facts (mode, outbox, printer, cashier) as
reactives every screen reads, runs the print queue in a thread, turns any error into words a
cashier understands, and decides where the cashier goes next. Screens (one per file in
pos/tui/screens/) say what happened with messages; the handlers below are the whole map of the
counter's navigation:

    LoginScreen --LoggedIn--> ScheduleScreen --ShowtimeChosen--> SeatsScreen
    SeatsScreen --SeatsChosen--> TicketsScreen --TicketsChosen--> PaymentScreen
    PaymentScreen --SaleCompleted--> ResultScreen over the schedule (and the tickets print)
    PaymentScreen --SeatsTaken--> back to a fresh SeatsScreen
    ScheduleScreen --PickupChosen / SalesChosen / ShiftChosen--> that screen; --LoggedOut--> login

Login first, counter after: the login screen is up before the counter is built or opened (the
imports behind it, pydantic models, sqlite-utils and httpx, take longer than the first paint).
`open_counter` then builds the counter in a thread and opens it here; a PIN typed meanwhile
waits for it in `opened_counter()`. Nothing the start path imports loads `pos.counter`: its
names are imported for type checking only, or inside the functions that use them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from contract.errors import BoxOfficeError
from pos.tui import i18n
from pos.tui.messages import (
    CounterChanged,
    PrintFinished,
    PrintRequested,
    SaleCompleted,
    SeatsTaken,
    WorkerFailed,
)
from pos.tui.screens import (
    HelpScreen,
    LoginScreen,
    PaymentScreen,
    PickupScreen,
    ResultScreen,
    SalesScreen,
    ScheduleScreen,
    SeatsScreen,
    ShiftScreen,
    TicketsScreen,
)
from pos.tui.screens.help import Section, keys_of
from pos.tui.widgets import SeatMap, SupervisorDialog

if TYPE_CHECKING:
    from contract.models import StaffMember
    from pos.counter.service import Counter, Status

S = TypeVar("S", bound=Screen)


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
        counter: Counter | Callable[[], Counter],
        *,
        background: bool = True,
        previews: Path | None = None,
        blink: bool = True,
    ):
        """`counter` is a Counter (tests build one), or a function that builds one (`pos run`:
        it is called in a thread once the login is up); either way the app opens it after the
        first paint and closes it at the end. `background` starts the counter's probe and sync
        loops and a first refresh (off for snapshots); `previews` is a folder for PNG pictures
        of what was printed (demo); `blink` is the text cursor's blink (off for snapshots)."""
        super().__init__()
        self._counter: Counter | None = None
        self._build: Callable[[], Counter] | None = None
        if callable(counter):
            self._build = counter
        else:
            self._counter = counter
        self.background = background
        self.previews = previews
        self.blink = blink
        self._opened = False
        self._open_done = asyncio.Event()
        self.open_error: BaseException | None = None
        """Why the counter could not be opened (the app then exits; `pos run` reports it)."""
        self._chosen_language: str | None = None
        if self._counter is not None:
            i18n.set_language(self._counter.settings.language)
            self.set_reactive(PosApp.language, self._counter.settings.language)

    @property
    def counter(self) -> Counter:
        """The counter, once built; screens past the login only exist once it is open."""
        if self._counter is None:
            raise RuntimeError("the counter is not built yet; await opened_counter()")
        return self._counter

    def on_mount(self) -> None:
        self.push_screen(LoginScreen())
        self.open_counter()

    @work(exclusive=True, group="open", exit_on_error=False)
    async def open_counter(self) -> None:
        """After the login's first paint: build the counter (in a thread, if the app was given
        a function), open it on this thread (its store connection belongs to the event loop's
        thread), then start what runs beside the cashier. If it cannot open (not enrolled, a
        corrupt store, a bad config.json) the app exits and `open_error` says why."""
        painted = asyncio.Event()
        self.call_after_refresh(painted.set)
        try:
            await painted.wait()
            if self._build is not None:
                self._adopt(await asyncio.to_thread(self._build))
            await self.counter.open()
        except Exception as exc:
            self.open_error = exc
            self._open_done.set()
            self.exit(return_code=2)
            return
        self._opened = True
        self.counter.listeners.append(lambda: self.post_message(CounterChanged()))
        self.refresh_status()
        self._open_done.set()
        if self.background:
            self.counter.start_background()
            self.connect()
        self.print_pending()  # jobs a crash left

    def _adopt(self, counter: Counter) -> None:
        """The built counter's language is the terminal's, unless the cashier switched it
        meanwhile (F2 on the login): then that choice is kept, as F2 does."""
        self._counter = counter
        if self._chosen_language is not None:
            counter.set_language(self._chosen_language)
        else:
            i18n.set_language(counter.settings.language)
            self.language = counter.settings.language

    async def opened_counter(self) -> Counter:
        """The counter once it is open: a PIN typed before that waits here, it is not lost.
        Raises what stopped it from opening."""
        await self._open_done.wait()
        if self.open_error is not None:
            raise self.open_error
        return self.counter

    async def on_unmount(self) -> None:
        if self._opened:
            await self.counter.close()

    # --- the status bar's facts -------------------------------------------------------------

    def refresh_status(self) -> None:
        self.status = self.counter.status()
        current = self.counter.current_shift(self.cashier.id) if self.cashier else None
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
        """Print what the queue holds, in a thread: the counter's printer opens its own store
        connection there (the counter's own is bound to this event loop's thread) and loads
        python-escpos off the start path. Back to the UI only by message."""
        self.post_message(PrintFinished(self.counter.print_pending(self.previews)))

    @on(PrintFinished)
    def _printed(self, message: PrintFinished) -> None:
        run = message.run
        if run.problem_code:
            self.printer_line = i18n.printer_problem(run.problem_code, run.problem_reason or "")
        elif run.pending:
            self.printer_line = i18n.t("printer.waiting", n=run.pending)
        else:
            self.printer_line = i18n.t("printer.ok")
        self.last_print = message

    @on(PrintRequested)
    @on(PickupScreen.BookingPickedUp)
    def _print_requested(self) -> None:
        self.print_pending()

    # --- who is at the counter ------------------------------------------------------------

    @on(LoginScreen.LoggedIn)
    def _logged_in(self, message: LoginScreen.LoggedIn) -> None:
        self.cashier = message.member
        self.refresh_status()
        self.switch_screen(ScheduleScreen())

    @on(ScheduleScreen.LoggedOut)
    def _logged_out(self) -> None:
        self.cashier = None
        self.refresh_status()
        self.switch_screen(LoginScreen())

    # --- a sale, step by step -------------------------------------------------------------

    @on(ScheduleScreen.ShowtimeChosen)
    def _showtime_chosen(self, message: ScheduleScreen.ShowtimeChosen) -> None:
        self.push_screen(SeatsScreen(message.showtime_id))

    @on(SeatsScreen.SeatsChosen)
    def _seats_chosen(self, message: SeatsScreen.SeatsChosen) -> None:
        self.push_screen(TicketsScreen(message.showtime_id, message.seats, message.hold_id))

    @on(TicketsScreen.TicketsChosen)
    def _tickets_chosen(self, message: TicketsScreen.TicketsChosen) -> None:
        self.push_screen(
            PaymentScreen(message.showtime_id, message.seats, message.ticket_types, message.hold_id)
        )

    @on(SaleCompleted)
    async def _sale_completed(self, message: SaleCompleted) -> None:
        """Back to the schedule (the next customer starts there) with the result on top; the
        tickets print once the result screen is up to say how that went."""
        self.refresh_status()
        self._back_to(ScheduleScreen)
        await self.push_screen(ResultScreen(message.outcome))
        self.print_pending()

    @on(SeatsTaken)
    def _seats_taken(self, message: SeatsTaken) -> None:
        """A seat went to someone else: back to a fresh seat map to pick again."""
        seats = self._back_to(SeatsScreen)
        if seats is not None and seats.showtime_id == message.showtime_id:
            seats.reload()

    def _back_to(self, kind: type[S]) -> S | None:
        """Pop screens until one of `kind` is on top; None if there was none."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, kind):
            self.pop_screen()
        return self.screen if isinstance(self.screen, kind) else None

    # --- the other desks -------------------------------------------------------------------

    @on(ScheduleScreen.PickupChosen)
    def _pickup_chosen(self) -> None:
        self.push_screen(PickupScreen())

    @on(ScheduleScreen.SalesChosen)
    def _sales_chosen(self) -> None:
        self.push_screen(SalesScreen())

    @on(ScheduleScreen.ShiftChosen)
    def _shift_chosen(self) -> None:
        self.push_screen(ShiftScreen())

    @on(ScheduleScreen.RefreshRequested)
    def _refresh_requested(self) -> None:
        self.connect()

    @on(ShiftScreen.ShiftOpened)
    def _shift_opened(self) -> None:
        self.refresh_status()

    @on(ShiftScreen.ShiftClosed)
    @on(ShiftScreen.DayClosed)
    def _report_made(self) -> None:
        """A Z report was kept and queued: the status bar's shift goes, the report prints."""
        self.refresh_status()
        self.print_pending()

    # --- language, help, errors -------------------------------------------------------------

    def action_switch_language(self) -> None:
        """Switch language and keep it: the terminal's setting also sets the ticket language."""
        lang = i18n.next_language()
        i18n.set_language(lang)
        if self._counter is not None:
            self._counter.set_language(lang)
        else:  # still starting: kept once the counter is built
            self._chosen_language = lang
        self.language = lang
        if self.last_print is not None:
            self._printed(self.last_print)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(help_sections()))

    def show_error(self, error: BaseException) -> None:
        """The one place errors reach the cashier: in words, never as a traceback."""
        if isinstance(error, BoxOfficeError) and error.code.startswith("PRINTER_"):
            text = i18n.printer_problem(error.code, error.message)
        elif isinstance(error, BoxOfficeError):
            text = i18n.error_text(error)
        else:
            self.log.error(repr(error))
            text = i18n.t("error.unexpected", what=type(error).__name__)
        self.notify(text, severity="error", timeout=8)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers (connect, print) fail here."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.show_error(event.worker.error)

    @on(WorkerFailed)
    def _worker_failed(self, message: WorkerFailed) -> None:
        """The screens' workers fail here (their state changes do not bubble)."""
        self.show_error(message.error)


def help_sections() -> list[Section]:
    """What the help screen lists: each screen's own bindings, so it cannot go stale."""
    return [
        ("help.everywhere", keys_of(PosApp)),
        ("login.title", [("Tab", "key.next_field"), ("Enter", "key.log_in")]),
        ("schedule.title", keys_of(ScheduleScreen)),
        ("seats.title", keys_of(SeatMap, SeatsScreen)),
        ("tickets.title", keys_of(TicketsScreen)),
        ("payment.title", [("Enter", "key.pay"), *keys_of(PaymentScreen)]),
        ("result.title", keys_of(ResultScreen)),
        ("pickup.title", [("Enter", "key.pickup"), *keys_of(PickupScreen)]),
        ("sales.title", keys_of(SalesScreen, SupervisorDialog)),
        ("shift.title", keys_of(ShiftScreen, SupervisorDialog)),
    ]
