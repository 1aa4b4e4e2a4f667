"""Today's schedule: type part of a title (Chinese, English or pinyin) to filter, Enter for seats.

The table follows the app's `schedule` (refetched after every sale, so the free seats are
fresh). The film column gives up width first on a narrow terminal, so the price stays on screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from pos.tui.i18n import clock, money, pick, t
from pos.tui.screens.base import CounterScreen
from pos.tui.search import matches
from pos.tui.widgets import Field, Table, Words

if TYPE_CHECKING:
    from collections.abc import Iterator

    from contract.models import Schedule, Showtime
    from pos.tui.exchange import SeatExchange
    from pos.tui.widgets.table import Row

COLUMNS = ("col.time", "col.film", "col.auditorium", "col.free", "col.lease", "col.adult")
FILM = COLUMNS.index("col.film")


class ScheduleScreen(CounterScreen):
    TITLE_KEY = "schedule.title"
    BINDINGS = [
        Binding("enter", "open", "key.seats", priority=True),
        Binding("up", "cursor(-1)", "key.move", show=False, priority=True),
        Binding("down", "cursor(1)", "key.move", show=False, priority=True),
        Binding("f3", "pickup", "key.pickup"),
        Binding("f4", "sales", "key.sales"),
        Binding("f5", "refresh", "key.refresh"),
        Binding("f6", "shift", "key.shift"),
        Binding("f8", "log_out", "key.log_out"),
        Binding("escape", "cancel_exchange", "key.cancel_exchange"),
    ]

    @dataclass
    class ShowtimeChosen(Message):
        """The cashier opened a showtime to sell seats of it."""

        showtime_id: str

    class PickupChosen(Message):
        """The cashier asked for the pickup of an online booking."""

    class SalesChosen(Message):
        """The cashier asked for this terminal's recent sales."""

    class ShiftChosen(Message):
        """The cashier asked for the shift and end of day."""

    class RefreshRequested(Message):
        """The cashier asked to reach the central again and refresh what it sent."""

    class LoggedOut(Message):
        """The cashier left the counter."""

    class ExchangeCancelled(Message):
        """The cashier gave up the seat exchange under way."""

    def compose_body(self) -> ComposeResult:
        yield Words(id="exchange-banner", classes="warning")
        yield Field(placeholder=t("schedule.filter"), id="filter")
        yield Words(id="schedule-message", classes="message")
        yield Table(id="showtimes", squeeze=FILM)

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.pos, "status", lambda _: self.fill(), init=False)
        self.watch(self.pos, "schedule", lambda _: self.fill(), init=False)
        self.watch(self.pos, "exchanging", self._exchanging)
        self.fill()
        self.query_one("#filter", Input).focus()

    def relabel(self) -> None:
        self.query_one("#filter", Input).placeholder = t("schedule.filter")
        self.fill()

    def fill(self) -> None:
        """(Re)draw the table from the schedule, keeping the highlighted showtime."""
        table = self.query_one("#showtimes", Table)
        wanted = self.query_one("#filter", Input).value.strip()
        schedule: Schedule | None = self.pos.schedule
        rows = list(self._rows(schedule, wanted)) if schedule is not None else []
        table.show([t(c) for c in COLUMNS], rows)
        self._title(schedule)
        nothing = bool(wanted and not rows)
        message = self.query_one("#schedule-message", Words)
        message.say("schedule.nothing_found" if nothing else "", wanted=wanted)
        message.display = nothing

    def _title(self, schedule: Schedule | None) -> None:
        """Showtimes of another day than the till's (a central selling ahead) say which day:
        the bar's day is the till's, and the two must not be taken for one another."""
        status = self.pos.status
        ahead = schedule is not None and (
            status is None or schedule.business_date.isoformat() != status.business_date
        )
        title = self.query_one("#title", Words)
        if ahead and schedule is not None:
            title.say("schedule.title_of", day=schedule.business_date.isoformat())
        else:
            title.say(self.TITLE_KEY)

    def _rows(self, schedule: Schedule, wanted: str) -> Iterator[Row]:
        films = {f.id: f for f in schedule.films}
        rooms = {a.id: a for a in schedule.auditoriums}
        leased = self.pos.status.leases if self.pos.status else {}
        zone = self.counter.settings.timezone
        for st in sorted(schedule.showtimes, key=lambda s: (s.start, s.id)):
            film = films[st.film_id]
            names = (film.title, film.title_en, film.original_title or "")
            if wanted and not matches(wanted, names):
                continue
            room = rooms[st.auditorium_id]
            yield (
                st.id,
                [
                    clock(st.start, zone),
                    pick(film.title, film.title_en),
                    pick(room.name, room.name_en),
                    f"{st.free}/{st.capacity}",
                    str(leased.get(st.id, 0)),
                    _price(st),
                ],
            )

    def _exchanging(self, exchange: SeatExchange | None) -> None:
        """While the cashier exchanges seats, the schedule says so, and Esc gives it up."""
        banner = self.query_one("#exchange-banner", Words)
        if exchange is None:
            banner.say("")
        else:
            banner.say("exchange.banner", what=exchange.what, n=exchange.tickets)
        banner.display = exchange is not None
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_exchange":
            return self.pos.exchanging is not None
        return True

    def action_cancel_exchange(self) -> None:
        self.post_message(self.ExchangeCancelled())

    def highlighted(self) -> str | None:
        return self.query_one("#showtimes", Table).highlighted_key()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.fill()

    @on(Table.RowSelected)
    def _row_chosen(self) -> None:
        self.action_open()

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#showtimes", Table)
        table.move_cursor(row=table.cursor_row + step)

    def action_open(self) -> None:
        showtime_id = self.highlighted()
        if showtime_id is not None:
            self.hold_keys()  # `2 b Enter` typed now is for the seat map
            self.post_message(self.ShowtimeChosen(showtime_id))

    def action_shift(self) -> None:
        self.post_message(self.ShiftChosen())

    def action_pickup(self) -> None:
        self.post_message(self.PickupChosen())

    def action_sales(self) -> None:
        self.post_message(self.SalesChosen())

    def action_refresh(self) -> None:
        self.post_message(self.RefreshRequested())

    def action_log_out(self) -> None:
        self.post_message(self.LoggedOut())


def _price(st: Showtime) -> str:
    return money(st.prices["adult"]) if "adult" in st.prices else "—"
