"""Choosing seats for one showtime on the seat map; Enter goes on to ticket types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.message import Message

from pos.tui.i18n import Lazy, Named, clock, t
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import SeatLegend, SeatMap, Words

if TYPE_CHECKING:
    from pos.counter.service import SeatView


class SeatsScreen(CounterScreen):
    TITLE_KEY = "seats.title"
    BINDINGS = [
        Binding("enter", "next", "key.ticket_types"),
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
        view = await self.counter.seat_view(self.showtime_id)
        self.show(view)

    def show(self, view: SeatView) -> None:
        area = self.query_one("#map-area")
        maps = area.query(SeatMap)
        if maps:
            maps.first().show_view(view)
        else:
            area.remove_children()
            seat_map = SeatMap(view, id="seat-map")
            area.mount(seat_map, SeatLegend(seat_map, id="legend"))
            seat_map.focus()
        note = self.query_one("#offline-note", Words)
        note.say("seats.offline_note" if view.offline else "")
        note.display = view.offline
        self.describe_cursor(self.query_one(SeatMap))

    def describe_cursor(self, seat_map: SeatMap) -> None:
        seat = seat_map.seats[seat_map.cursor]
        look = seat_map.look(seat)
        chosen = ", ".join(seat_map.selected) or "—"
        self.query_one("#seat-info", Words).say(
            "seats.info",
            seat=seat.label,
            kind=Lazy("kind." + seat.kind.value),
            state=Lazy("state." + look.part),
            n=len(seat_map.selected),
            chosen=chosen,
            count=seat_map.count or "—",
        )

    @on(SeatMap.Changed)
    def _map_changed(self, event: SeatMap.Changed) -> None:
        self.describe_cursor(event.seat_map)

    @on(SeatMap.Refused)
    def _refused(self, event: SeatMap.Refused) -> None:
        self.notify(t(event.reason), severity="warning")

    def action_next(self) -> None:
        maps = self.query(SeatMap)
        if not maps or not maps.first().selected:
            self.notify(t("seats.choose_first"), severity="warning")
            return
        self.hold_and_continue(list(maps.first().selected))

    @work(exclusive=True, group="hold", exit_on_error=False)
    async def hold_and_continue(self, seats: list[str]) -> None:
        """Hold the seats at the central while the customer decides; if one was just taken,
        show the fresh map (the app says why)."""
        # lazy, for start-up speed (see pos/tui/app.py)
        from pos.counter.errors import SeatUnavailable

        try:
            hold_id = await self.counter.hold(self.showtime_id, seats)
        except SeatUnavailable:
            self.reload()
            raise
        self.post_message(self.SeatsChosen(self.showtime_id, seats, hold_id))

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.dismiss()
