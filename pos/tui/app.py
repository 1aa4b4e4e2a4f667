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
    TicketsScreen / PaymentScreen --HoldAbandoned--> the hold is released at once
    ScheduleScreen --PickupChosen / SalesChosen / ShiftChosen--> that screen; --LoggedOut--> login
    ShiftScreen --XReportChosen--> XReportScreen (the shift so far; cash in and out)
    SalesScreen --ExchangeChosen--> the schedule, exchanging: ShowtimeChosen, SeatsChosen, then
        a ConfirmDialog with the money, then the exchange (ScheduleScreen --ExchangeCancelled--
        gives it up)

Money moves only through an open shift: a cashier without one goes from the login to the
ShiftScreen to open it (and back there from a showtime or a pickup), and Ctrl+Q asks first while
a shift is open or sales still wait to reach the central.

Keys are fed one at a time by `typeahead` (pos/tui/typeahead.py), so keys typed ahead land
where they were meant: whatever starts something slow holds them, and the next screen releases
them once it is ready.

Login first, counter after: the login screen is up before the counter is built or opened (the
imports behind it, pydantic models, sqlite-utils and httpx, take longer than the first paint).
`open_counter` then builds the counter in a thread and opens it here; a PIN typed meanwhile
waits for it in `opened_counter()`. Nothing the start path imports loads `pos.counter`: its
names are imported for type checking only, or inside the functions that use them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from contract.errors import BoxOfficeError
from pos.tui import i18n
from pos.tui.exchange import SeatExchange
from pos.tui.i18n import Lazy
from pos.tui.messages import (
    CounterChanged,
    DrillSwitched,
    HoldAbandoned,
    PrintFinished,
    PrintRequested,
    SaleCompleted,
    SalesChanged,
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
    XReportScreen,
)
from pos.tui.screens.help import Section, keys_of
from pos.tui.typeahead import TypeAhead
from pos.tui.widgets import (
    CashDialog,
    ConfirmDialog,
    DiscountDialog,
    RefundDialog,
    SeatMap,
    SupervisorDialog,
)

if TYPE_CHECKING:
    from contract.models import Schedule, StaffMember
    from pos.counter.service import Counter, Status
    from pos.tui.drill import CentralSwitch

S = TypeVar("S", bound=Screen)


class PosApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Box Office POS"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("f1", "help", "key.help"),
        Binding("f2", "switch_language", "key.language"),
        Binding("ctrl+q", "quit", "key.quit"),
        Binding("f12", "drill", "key.drill"),
    ]

    status: reactive[Status | None] = reactive(None, init=False)
    cashier: reactive[StaffMember | None] = reactive(None, init=False)
    printer_line = reactive("—", init=False)
    shift: reactive[str | None] = reactive(None, init=False)
    schedule: reactive[Schedule | None] = reactive(None, init=False)
    """Today's schedule as last fetched: the schedule screen follows it (free seats)."""
    language = reactive("en", init=False)
    last_print: reactive[PrintFinished | None] = reactive(None, init=False)
    exchanging: reactive[SeatExchange | None] = reactive(None, init=False)
    """A seat exchange under way: the next seats chosen replace that sale's tickets."""

    def __init__(
        self,
        counter: Counter | Callable[[], Counter],
        *,
        background: bool = True,
        previews: Path | None = None,
        blink: bool = True,
        drill: CentralSwitch | None = None,
    ):
        """`counter` is a Counter (tests build one), or a function that builds one (`pos run`:
        it is called in a thread once the login is up); either way the app opens it after the
        first paint and closes it at the end. `background` starts the counter's probe and sync
        loops and a first refresh (off for snapshots); `previews` is a folder for PNG pictures
        of what was printed (demo); `blink` is the text cursor's blink (off for snapshots);
        `drill` is the demo's own central, which F12 takes down and brings back (demo only)."""
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
        self.drill = drill
        self._opened = False
        self._open_done = asyncio.Event()
        self.open_error: BaseException | None = None
        """Why the counter could not be opened (the app then exits; `pos run` reports it)."""
        self._chosen_language: str | None = None
        self.typeahead = TypeAhead(self)
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
        self.typeahead.start()
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
            if self.counter.peer_error is not None:  # the counter sells on; IT should know
                self.show_error(self.counter.peer_error)
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
        await self.typeahead.stop()
        if self._opened:
            await self.counter.close()

    # --- keys typed ahead ------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Keys read from the terminal wait their turn (`typeahead` feeds them back)."""
        if isinstance(event, events.Key) and not event.is_forwarded and self.typeahead.take(event):
            return
        await super().on_event(event)

    # --- the status bar's facts -------------------------------------------------------------

    def refresh_status(self) -> None:
        self.status = self.counter.status()
        current = self.counter.current_shift(self.cashier.id) if self.cashier else None
        self.shift = current.id if current else None
        try:
            self.schedule = self.counter.schedule()
        except BoxOfficeError:  # nothing cached yet: the schedule stays empty until a refresh
            self.schedule = None

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def refresh_after_sale(self) -> None:
        """Seats were sold or given back: fetch the schedule again (its free seats), if the
        central answers; the cached one stays otherwise."""
        await self.counter.refresh_if_online()
        self.refresh_status()

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
        """To the schedule, by way of opening a shift if the cashier has none."""
        self.cashier = message.member
        self.refresh_status()
        self.switch_screen(ScheduleScreen())
        self._need_shift(keep_keys=True)

    def _need_shift(self, *, keep_keys: bool = False) -> bool:
        """No money moves without an open shift: open one first. True if there is none.
        Keys typed ahead for a seat map or a pickup mean nothing on the shift screen: they go,
        unless they follow the login (the cashier may type the float ahead)."""
        if self.shift is not None:
            return False
        if not keep_keys:
            self.typeahead.drop()
        self.push_screen(ShiftScreen())
        return True

    @on(ScheduleScreen.LoggedOut)
    def _logged_out(self) -> None:
        self.cashier = None
        self.refresh_status()
        self.switch_screen(LoginScreen())

    # --- a sale, step by step -------------------------------------------------------------

    @on(ScheduleScreen.ShowtimeChosen)
    def _showtime_chosen(self, message: ScheduleScreen.ShowtimeChosen) -> None:
        if not self._need_shift():
            self.push_screen(SeatsScreen(message.showtime_id))

    @on(SeatsScreen.SeatsChosen)
    def _seats_chosen(self, message: SeatsScreen.SeatsChosen) -> None:
        if self.exchanging is not None:
            self._exchange_seats(self.exchanging, message)
            return
        self.push_screen(TicketsScreen(message.showtime_id, message.seats, message.hold_id))

    @on(TicketsScreen.TicketsChosen)
    def _tickets_chosen(self, message: TicketsScreen.TicketsChosen) -> None:
        self.push_screen(
            PaymentScreen(
                message.showtime_id,
                message.seats,
                message.ticket_types,
                message.hold_id,
                message.discounts,
            )
        )

    @on(SaleCompleted)
    async def _sale_completed(self, message: SaleCompleted) -> None:
        """Back to the schedule (the next customer starts there) with the result on top; the
        tickets print once the result screen is up to say how that went, and the schedule's
        free seats are fetched again."""
        self.refresh_status()
        self._back_to(ScheduleScreen)
        await self.push_screen(ResultScreen(message.outcome))
        self.print_pending()
        self.refresh_after_sale()

    @on(SalesChanged)
    def _sales_changed(self) -> None:
        self.refresh_status()
        self.refresh_after_sale()

    @on(HoldAbandoned)
    def _hold_abandoned(self, message: HoldAbandoned) -> None:
        """The screen that held the seats is gone; a ticket-type screen still below no longer
        has a hold (it takes a new one when the cashier goes on)."""
        for screen in self.screen_stack:
            if isinstance(screen, TicketsScreen) and screen.hold_id == message.hold_id:
                screen.hold_id = None
        if message.hold_id is not None:
            self.release_hold(message.showtime_id, message.hold_id)

    @work(group="release", exit_on_error=False)
    async def release_hold(self, showtime_id: str, hold_id: str) -> None:
        """Give the seats back at the central, then show them free on the seat map."""
        await self.counter.release_hold(hold_id)
        if isinstance(self.screen, SeatsScreen) and self.screen.showtime_id == showtime_id:
            self.screen.reload()

    async def holds_released(self) -> None:
        """Wait until every hold given back has been released at the central (before holding
        the same seats again)."""
        for worker in list(self.workers):
            if worker.group == "release" and not worker.is_finished:
                with contextlib.suppress(Exception):  # a failed release runs out on its own
                    await worker.wait()

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

    # --- a seat exchange ---------------------------------------------------------------------

    @on(SalesScreen.ExchangeChosen)
    def _exchange_chosen(self, message: SalesScreen.ExchangeChosen) -> None:
        """To the schedule: the cashier picks the showtime and the seats as for a sale."""
        self.exchanging = SeatExchange(message.sale_id, message.what, message.tickets)
        self._back_to(ScheduleScreen)

    @on(ScheduleScreen.ExchangeCancelled)
    def _exchange_cancelled(self) -> None:
        self.exchanging = None

    def _exchange_seats(self, exchange: SeatExchange, chosen: SeatsScreen.SeatsChosen) -> None:
        """As many seats as tickets go back, then the cashier confirms with the money shown."""
        if len(chosen.seats) != exchange.tickets:
            self._give_back_hold(chosen)
            self.notify(i18n.t("exchange.count", n=exchange.tickets), severity="warning")
            return
        try:
            plan = self.counter.exchange_plan(exchange.sale_id, chosen.showtime_id)
        except BoxOfficeError as exc:  # refunded meanwhile, or a type not sold here
            self._give_back_hold(chosen)
            self.exchanging = None
            self.show_error(exc)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_exchange(exchange, chosen)
            else:
                self._give_back_hold(chosen)

        self.push_screen(
            ConfirmDialog(
                "exchange.title",
                "exchange.question",
                yes="key.exchange",
                what=exchange.what,
                seats=", ".join(chosen.seats),
                money=due_words(plan.cash_due),
            ),
            answered,
        )

    def _give_back_hold(self, chosen: SeatsScreen.SeatsChosen) -> None:
        if chosen.hold_id is not None:
            self.release_hold(chosen.showtime_id, chosen.hold_id)

    @work(exclusive=True, group="exchange", exit_on_error=False)
    async def run_exchange(self, exchange: SeatExchange, chosen: SeatsScreen.SeatsChosen) -> None:
        done = await self.counter.exchange(
            exchange.sale_id,
            chosen.seats,
            cashier_id=self.cashier.id if self.cashier else "",
            showtime_id=chosen.showtime_id,
            hold_id=chosen.hold_id,
        )
        self.exchanging = None
        self._back_to(ScheduleScreen)
        seats = ", ".join(t.seat for t in done.outcome.sale.tickets)
        self.notify(
            i18n.t("exchange.done", seats=seats, money=due_words(done.cash_due)), timeout=12
        )
        self.print_pending()
        self.refresh_after_sale()

    # --- the other desks -------------------------------------------------------------------

    @on(ScheduleScreen.PickupChosen)
    def _pickup_chosen(self) -> None:
        if not self._need_shift():
            self.push_screen(PickupScreen())

    @on(ScheduleScreen.SalesChosen)
    def _sales_chosen(self) -> None:
        self.push_screen(SalesScreen())

    @on(ScheduleScreen.ShiftChosen)
    def _shift_chosen(self) -> None:
        self.push_screen(ShiftScreen())

    @on(ShiftScreen.XReportChosen)
    def _x_report_chosen(self) -> None:
        self.push_screen(XReportScreen())

    @on(ScheduleScreen.RefreshRequested)
    def _refresh_requested(self) -> None:
        self.connect()

    @on(ShiftScreen.ShiftOpened)
    def _shift_opened(self, message: ShiftScreen.ShiftOpened) -> None:
        """The drawer is open: on to selling."""
        self.refresh_status()
        self._back_to(ScheduleScreen)
        shift = message.shift
        self.notify(i18n.t("shift.opened", id=shift.id, float=i18n.money(shift.float_total)))

    @on(ShiftScreen.ShiftClosed)
    @on(ShiftScreen.DayClosed)
    def _report_made(self) -> None:
        """A Z report was kept and queued: the status bar's shift goes, the report prints."""
        self.refresh_status()
        self.print_pending()

    # --- the demo's drill -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F12 exists only in the demo (a counter at a cinema has no central to switch off)."""
        if action == "drill":
            return self.drill is not None and self._opened
        return True

    def action_drill(self) -> None:
        self.switch_central()

    @work(thread=True, exclusive=True, group="drill", exit_on_error=False)
    def switch_central(self) -> None:
        """Stop or start the demo's central (blocking, so in a thread), then say so; the bar
        follows: OFFLINE at once when it went down (one probe), ONLINE after the probe loop's
        good probes and the outbox's drain when it is back."""
        assert self.drill is not None
        self.post_message(DrillSwitched(self.drill.toggle()))

    @on(DrillSwitched)
    def _drill_switched(self, message: DrillSwitched) -> None:
        self.notify(i18n.t("drill.up" if message.serving else "drill.down"), timeout=6)
        self.connect()

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

    async def action_quit(self) -> None:
        """Quit, but ask first while a shift is open or sales wait to reach the central."""
        if not self._opened:
            self.exit()
            return
        if isinstance(self.screen, ConfirmDialog):
            return
        open_shifts = [s.id for s in self.counter.shifts.day_readiness().open_shifts]
        waiting = self.counter.status().outbox
        if not open_shifts and not waiting:
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(
            ConfirmDialog(
                "quit.title",
                "quit.question",
                yes="key.quit",
                shifts=", ".join(open_shifts) or "—",
                outbox=waiting,
            ),
            answered,
        )

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(help_sections(drill=self.drill is not None)))

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


def due_words(cash_due: int) -> Lazy:
    """The money of an exchange, in the cashier's words."""
    if cash_due > 0:
        return Lazy("exchange.pays", amount=i18n.money(cash_due))
    if cash_due < 0:
        return Lazy("exchange.gets", amount=i18n.money(-cash_due))
    return Lazy("exchange.even")


def help_sections(*, drill: bool = False) -> list[Section]:
    """What the help screen lists: each screen's own bindings, so it cannot go stale (F12, the
    demo's drill, only in the demo)."""
    everywhere = [row for row in keys_of(PosApp) if drill or row[1] != "key.drill"]
    return [
        ("help.everywhere", everywhere),
        ("login.title", [("Tab", "key.next_field"), ("Enter", "key.log_in")]),
        ("schedule.title", keys_of(ScheduleScreen)),
        ("seats.title", keys_of(SeatMap, SeatsScreen)),
        ("tickets.title", keys_of(TicketsScreen, DiscountDialog)),
        ("payment.title", [("Enter", "key.pay"), *keys_of(PaymentScreen)]),
        ("result.title", keys_of(ResultScreen)),
        ("pickup.title", [("Enter", "key.pickup"), *keys_of(PickupScreen)]),
        ("sales.title", keys_of(SalesScreen, RefundDialog, SupervisorDialog)),
        ("shift.title", keys_of(ShiftScreen, SupervisorDialog)),
        ("xreport.title", keys_of(XReportScreen, CashDialog)),
        ("confirm.title", keys_of(ConfirmDialog)),
    ]
