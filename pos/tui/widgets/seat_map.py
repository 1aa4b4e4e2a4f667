"""The seat map: any auditorium drawn line by line, with a cursor and a selection.

One widget draws every seat (render_line and Strips) so a 738-seat house costs one widget, not
738. Which seats may be chosen comes from the counter (`SeatView.selectable`); this widget only
moves, toggles and asks `best_together` for N seats in a row. Every seat state and kind has its
own glyph, so the map reads the same without colour. Seats this terminal sold (`sold_here`) show
as sold even on a cached map that predates the sale; a seat leased to another counter says which
(`holder`). Chosen seats are kept in reading order (E1, E2, … E10).

The app imports this widget before the login's first paint, so the contract's seat kinds and
states appear here by their values (they are StrEnums: a member equals its value) and
`best_together` is imported where it is used: neither pydantic nor the counter loads at start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from contract.seating import sorted_seats
from pos.tui.i18n import t

if TYPE_CHECKING:
    from contract.models import Seat
    from pos.counter.service import SeatView

LABEL_WIDTH = 3
CELL = 2
TOP = 2
"""Lines above the first row: the screen edge and a blank line."""

KIND_GLYPHS = {"standard": "o", "vip": "V", "wheelchair": "W", "companion": "C", "love": "L"}
"""By `SeatKind`."""
STATE_GLYPHS = {"selected": "*", "mine": "+", "held": "~", "sold": "x", "taken": "-"}
"""States drawn instead of the kind: chosen now, our lease, held, sold, leased elsewhere."""


@dataclass(frozen=True, slots=True)
class Look:
    glyph: str
    part: str
    """The component class (colour) of the glyph."""


class SeatMap(ScrollView, can_focus=True):
    """Arrow keys move, space toggles, a number then `b` picks the best seats together."""

    COMPONENT_CLASSES = {
        "seat-map--free",
        "seat-map--selected",
        "seat-map--mine",
        "seat-map--held",
        "seat-map--sold",
        "seat-map--taken",
        "seat-map--cursor",
        "seat-map--label",
        "seat-map--screen",
    }
    BINDINGS = [
        Binding("up", "move(0, -1)", "key.move", show=False),
        Binding("down", "move(0, 1)", "key.move", show=False),
        Binding("left", "move(-1, 0)", "key.move", show=False),
        Binding("right", "move(1, 0)", "key.move", show=False),
        Binding("space", "toggle", "key.toggle"),
        Binding("b", "best", "key.best"),
        Binding("c", "clear", "key.clear"),
        *(Binding(str(n), f"digit({n})", "key.digits", show=False) for n in range(10)),
    ]

    @dataclass
    class Changed(Message):
        """Cursor, selection or the typed seat count changed."""

        seat_map: SeatMap
        cursor: str
        selected: tuple[str, ...]
        count: str

    @dataclass
    class Refused(Message):
        """The cashier asked for something the map cannot do; `reason` is a catalog key, and
        `holder` the counter a seat is leased to (for "held by counter T03")."""

        reason: str
        holder: str | None = None

    def __init__(
        self,
        view: SeatView,
        *,
        terminal_id: str = "",
        sold_here: frozenset[str] = frozenset(),
        name: str | None = None,
        id: str | None = None,
    ):
        super().__init__(name=name, id=id)
        self.count = ""
        self.selected: list[str] = []
        self.terminal_id = terminal_id
        self.show_view(view, sold_here)

    # --- data ------------------------------------------------------------------------------

    def show_view(self, view: SeatView, sold_here: frozenset[str] = frozenset()) -> None:
        """Show a (new) seat map, keeping chosen seats that are still selectable."""
        from pos.counter.seat_picking import best_together  # lazy, for start-up speed

        self.view = view
        self.sold_here = sold_here
        self.holders = {
            s.label: s.leased_to
            for s in view.seat_map.seats
            if s.state == "leased" and s.leased_to and s.leased_to != self.terminal_id
        }
        layout = view.seat_map.auditorium
        self.seats = {s.label: s for s in layout.seats}
        self.grid = {(s.x, s.y): s for s in layout.seats}
        self.states = {s.label: s.state for s in view.seat_map.seats}
        self.row_names = {s.y: s.row for s in layout.seats}
        self.width_cells = layout.width
        self.height_rows = layout.height
        self.selected = [s for s in self.selected if s in view.selectable]
        best = best_together(layout, view.selectable, 1) or [layout.seats[0].label]
        if not getattr(self, "cursor", None) or self.cursor not in self.seats:
            self.cursor = best[0]
        self.virtual_size = Size(LABEL_WIDTH * 2 + self.width_cells * CELL + 1, TOP + layout.height)
        self.refresh()

    def look(self, seat: Seat) -> Look:
        label = seat.label
        if label in self.selected:
            return Look(STATE_GLYPHS["selected"], "selected")
        if label in self.view.mine:
            return Look(STATE_GLYPHS["mine"], "mine")
        state = self.states.get(label, "free")  # a SeatState
        if state == "sold" or label in self.sold_here:
            return Look(STATE_GLYPHS["sold"], "sold")
        if state == "held":
            return Look(STATE_GLYPHS["held"], "held")
        if state == "leased":
            return Look(STATE_GLYPHS["taken"], "taken")
        return Look(KIND_GLYPHS[seat.kind], "free")

    # --- drawing ---------------------------------------------------------------------------

    def _style(self, part: str) -> Style:
        return self.get_component_rich_style(f"seat-map--{part}")

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line = y + scroll_y
        width = self.virtual_size.width
        if line == 0:
            text = f" {t('seats.screen')} ".center(width - LABEL_WIDTH * 2, "─")
            segments = [Segment(" " * LABEL_WIDTH), Segment(text, self._style("screen"))]
        elif line < TOP or line - TOP >= self.height_rows:
            segments = []
        else:
            segments = self._row_segments(line - TOP)
        strip = Strip(segments).extend_cell_length(width)
        return strip.crop(scroll_x, scroll_x + self.size.width)

    def _row_segments(self, row: int) -> list[Segment]:
        name = self.row_names.get(row, "")
        label_style = self._style("label")
        segments = [Segment(name.ljust(LABEL_WIDTH), label_style)]
        cursor_style = self._style("cursor")
        for x in range(self.width_cells):
            seat = self.grid.get((x, row))
            if seat is None:
                segments.append(Segment(" " * CELL))
                continue
            look = self.look(seat)
            style = self._style(look.part)
            if seat.label == self.cursor and self.has_focus:
                style += cursor_style
            segments.append(Segment(look.glyph, style))
            segments.append(Segment(" " * (CELL - 1)))
        segments.append(Segment(" " + name.rjust(LABEL_WIDTH - 1), label_style))
        return segments

    def _cell_region(self, label: str) -> Region:
        seat = self.seats[label]
        return Region(LABEL_WIDTH + seat.x * CELL, TOP + seat.y, CELL, 1)

    def scroll_to_cursor(self) -> None:
        """Bring the cursor's seat into view (a 25-row house does not fit 80×24)."""
        self.scroll_to_region(
            self._cell_region(self.cursor), animate=False, force=True, center=True
        )

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # --- keys ------------------------------------------------------------------------------

    def _changed(self) -> None:
        self.refresh()
        self.post_message(self.Changed(self, self.cursor, tuple(self.selected), self.count))

    def action_move(self, dx: int, dy: int) -> None:
        here = self.seats[self.cursor]
        if dx:
            row = [s for s in self.grid.values() if s.y == here.y and (s.x - here.x) * dx > 0]
            target = min(row, key=lambda s: abs(s.x - here.x), default=None)
        else:
            rows = sorted({s.y for s in self.grid.values() if (s.y - here.y) * dy > 0})
            nearest = min(rows, key=lambda y: abs(y - here.y), default=None)
            candidates = [s for s in self.grid.values() if s.y == nearest]
            target = min(candidates, key=lambda s: abs(s.x - here.x), default=None)
        if target is None:
            return
        self.cursor = target.label
        self.scroll_to_region(self._cell_region(target.label), animate=False, force=True)
        self._changed()

    def action_toggle(self) -> None:
        seat = self.seats[self.cursor]
        group = [seat.label]
        if seat.kind == "love" and seat.pair:
            group.append(seat.pair)
        if seat.label in self.selected:
            self.selected = [s for s in self.selected if s not in group]
        elif all(s in self.view.selectable for s in group):
            self.selected = sorted_seats([*self.selected, *group])
        else:
            holder = self.holders.get(seat.label)
            if holder is not None:
                self.post_message(self.Refused("seats.refused_leased", holder))
            else:
                self.post_message(self.Refused(self._refusal()))
            return
        self._changed()

    def _refusal(self) -> str:
        return "seats.refused_offline" if self.view.offline else "seats.refused"

    def holder(self, label: str) -> str | None:
        """The other counter a seat is leased to, if it is."""
        return self.holders.get(label)

    def action_digit(self, n: int) -> None:
        self.count = (self.count + str(n))[-2:].lstrip("0")
        self._changed()

    def action_best(self) -> None:
        # lazy, for start-up speed
        from pos.counter.seat_picking import best_free_first, best_together

        wanted = int(self.count or "1")
        self.count = ""
        view, layout = self.view, self.view.seat_map.auditorium
        if view.offline:
            chosen = best_together(layout, view.selectable, wanted)
        else:  # as a sale by count does
            chosen = best_free_first(layout, view.selectable - view.mine, view.mine, wanted)
        if len(chosen) < wanted:
            self.post_message(self.Refused("seats.not_enough"))
            self._changed()
            return
        self.selected = sorted_seats(chosen)
        self.cursor = self.selected[0]
        self.scroll_to_region(self._cell_region(self.cursor), animate=False, force=True)
        self._changed()

    def action_clear(self) -> None:
        self.selected = []
        self.count = ""
        self._changed()
