"""What each glyph on the seat map means, drawn with the map's own glyphs and colours."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from pos.tui.i18n import t
from pos.tui.widgets.seat_map import KIND_GLYPHS, STATE_GLYPHS, SeatMap


class SeatLegend(Static):
    def __init__(self, seat_map: SeatMap, *, id: str | None = None):
        super().__init__(id=id)
        self.seat_map = seat_map

    def on_mount(self) -> None:
        self.watch(self.app, "language", lambda _: self.redraw(), init=False)
        self.redraw()

    def redraw(self) -> None:
        text = Text()
        style = self.seat_map.get_component_rich_style
        for kind, glyph in KIND_GLYPHS.items():
            text.append(glyph, style("seat-map--free"))
            text.append(f" {t('kind.' + kind)}  ")
        text.append("\n")
        for state, glyph in STATE_GLYPHS.items():
            text.append(glyph, style(f"seat-map--{state}"))
            text.append(f" {t('state.' + state)}  ")
        self.update(text)
