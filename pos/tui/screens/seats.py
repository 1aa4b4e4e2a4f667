"""Choosing seats for one showtime on the seat map; Enter goes on to ticket types.

Keys typed while the map loads (`2 b Enter`) wait for it (see pos/tui/typeahead.py). When the
map comes from the cache (the central is away or does not answer), the seats this terminal sold
since show as sold, and the note says why the map may be old."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.message import Message

from contract.seating import sorted_seats
from pos.tui.i18n import Lazy, Named, clock, t
from pos.tui.messages import CounterChanged
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import SeatLegend, SeatMap, Words

if TYPE_CHECKING:
    from pos.counter.service import SeatView

SOLD_STATES = frozenset({"paid", "printed", "synced"})
"""Sale states whose tickets (those not refunded) hold their seats."""

RECENT = 1000
"""Sales looked through for the seats this terminal sold (a long day at one counter)."""


class SeatsScreen(CounterScreen):
    TITLE_KEY = "seats.title"
    BINDINGS = [
        Binding("enter", "next", "key.ticket_types", priority=True),
        Binding("escape", "back", "key.back"),
        Binding("f5", "reload", "key.refresh"),
    ]

    @dataclass
    class SeatsChosen(Message):
        """Seats are chosen, and held at the central while the customer decides (`hold_id`
        is None when the central is away)."""

        showtime_id: str
        seats: list[str]
        hold_id: str | None

    def __init__(self, showtime_id: str):
        super().__init__()
        self.showtime_id = showtime_id

    def compose_body(self) -> ComposeResult:
        yield Words(id="showtime-line")
        yield Container(Words("seats.loading"), id="map-area")
        yield Words(id="seat-info")
        yield Words(id="offline-note", classes="warning")

    def on_mount(self) -> None:
        super().on_mount()
        self.describe_showtime()
        self.reload()

    def is_ready(self) -> bool:
        return bool(self.query(SeatMap))

    def describe_showtime(self) -> None:
        st = self.counter.showtime(self.showtime_id)
        schedule = self.counter.schedule()
        film = next(f for f in schedule.films if f.id == st.film_id)
        room = next(a for a in schedule.auditoriums if a.id == st.auditorium_id)
        self.query_one("#showtime-line", Words).say(
            "seats.showtime",
            time=clock(st.start, self.counter.settings.timezone),
            film=Named(film.title, film.title_en),
            room=Named(room.name, room.name_en),
        )

    @work(exclusive=True, group="seat-map", exit_on_error=False)
    async def reload(self) -> None:
        """Fetch the map (cached copy when the central is away) and show it."""
        try:
            view = await self.counter.seat_view(self.showtime_id)
        except BaseException:
            self.drop_keys()
            raise
        finally:
            self.post_message(CounterChanged())  # the bar says at once what the map found
        self.show(view)

    def sold_here(self) -> frozenset[str]:
        """Seats of this showtime this terminal sold and did not take back."""
        return frozenset(
            ticket.seat
            for sale in self.counter.recent_sales(RECENT)
            if sale.showtime_id == self.showtime_id and sale.state in SOLD_STATES
            for ticket in sale.tickets
            if not ticket.refunded
        )

    def show(self, view: SeatView) -> None:
        area = self.query_one("#map-area")
        maps = area.query(SeatMap)
        sold = self.sold_here() if view.offline else frozenset()
        if maps:
            maps.first().show_view(view, sold)
        else:
            area.remove_children()
            seat_map = SeatMap(
                view,
                terminal_id=self.counter.settings.terminal_id,
                sold_here=sold,
                id="seat-map",
            )
            area.mount(seat_map, SeatLegend(seat_map, id="legend"))
            seat_map.focus()
            seat_map.call_after_refresh(seat_map.scroll_to_cursor)
        note = self.query_one("#offline-note", Words)
        note.say("seats.offline_note" if view.offline else "")
        note.display = view.offline
        self.describe_cursor(self.query_one(SeatMap))
        self.call_after_refresh(self.release_keys)

    def describe_cursor(self, seat_map: SeatMap) -> None:
        seat = seat_map.seats[seat_map.cursor]
        look = seat_map.look(seat)
        holder = seat_map.holder(seat.label) if look.part == "taken" else None
        state = Lazy("state.leased_to", counter=holder) if holder else Lazy("state." + look.part)
        chosen = ", ".join(seat_map.selected) or "—"
        self.query_one("#seat-info", Words).say(
            "seats.info",
            seat=seat.label,
            kind=Lazy("kind." + seat.kind.value),
            state=state,
            n=len(seat_map.selected),
            chosen=chosen,
            count=seat_map.count or "—",
        )

    @on(SeatMap.Changed)
    def _map_changed(self, event: SeatMap.Changed) -> None:
        self.describe_cursor(event.seat_map)

    @on(SeatMap.Refused)
    def _refused(self, event: SeatMap.Refused) -> None:
        self.notify(t(event.reason, counter=event.holder), severity="warning")

    def action_next(self) -> None:
        maps = self.query(SeatMap)
        if not maps or not maps.first().selected:
            if maps:  # still loading: Enter typed ahead was kept and comes back once it shows
                self.notify(t("seats.choose_first"), severity="warning")
            return
        self.hold_keys()  # the ticket type typed now is for the next screen
        self.hold_and_continue(sorted_seats(maps.first().selected))

    @work(exclusive=True, group="hold", exit_on_error=False)
    async def hold_and_continue(self, seats: list[str]) -> None:
        """Hold the seats at the central while the customer decides; if one was just taken,
        show the fresh map (the app says why)."""
        # lazy, for start-up speed (see pos/tui/app.py)
        from pos.counter.errors import SeatUnavailable

        await self.pos.holds_released()  # seats given back a moment ago are free again first
        try:
            hold_id = await self.counter.hold(self.showtime_id, seats)
        except SeatUnavailable:
            self.drop_keys()
            self.reload()
            raise
        except BaseException:
            self.drop_keys()
            raise
        self.post_message(self.SeatsChosen(self.showtime_id, seats, hold_id))

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.dismiss()
