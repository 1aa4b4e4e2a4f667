"""A table whose columns are as wide as what they hold, decided when it is filled.

Textual's DataTable measures auto-width columns later, on idle, and keeps the lines it drew
before that at the old widths: after a refill (F2, a refund) the columns stayed squashed to
their headers. Here every column gets its width up front, from its header and its cells; one
column (a film title) may be squeezed so that the others fit a narrow terminal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from textual import events
from textual.widgets import DataTable

MIN_SQUEEZED = 8
"""A squeezed column keeps at least this many cells (a title's first words)."""

Row = tuple[str, Sequence[str]]
"""A row's key and its cells."""


class Table(DataTable[str]):
    def __init__(
        self,
        *,
        squeeze: int | None = None,
        id: str | None = None,
        cursor_type: str = "row",
        zebra_stripes: bool = True,
    ):
        super().__init__(id=id, cursor_type=cursor_type, zebra_stripes=zebra_stripes)  # type: ignore[arg-type]
        self.squeeze = squeeze
        self._headers: list[str] = []
        self._rows: list[Row] = []

    def show(self, headers: Sequence[str], rows: Iterable[Row]) -> None:
        """(Re)fill the table, keeping the highlighted row when it is still there."""
        keep = self.highlighted_key()
        self._headers = list(headers)
        self._rows = list(rows)
        self._draw(keep)

    def highlighted_key(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def _widths(self) -> list[int]:
        widths = [cell_len(h) for h in self._headers]
        for _key, cells in self._rows:
            for i, cell in enumerate(cells):
                widths[i] = max(widths[i], cell_len(str(cell)))
        if self.squeeze is not None and self.size.width:
            room = self.size.width - self.styles.scrollbar_size_vertical
            used = sum(w + 2 * self.cell_padding for w in widths)
            if used > room:
                squeezed = widths[self.squeeze] - (used - room)
                widths[self.squeeze] = max(MIN_SQUEEZED, squeezed)
        return widths

    def _draw(self, keep: str | None) -> None:
        row = self.cursor_row
        self.clear(columns=True)
        for header, width in zip(self._headers, self._widths(), strict=True):
            self.add_column(header, width=width)
        for key, cells in self._rows:
            self.add_row(*cells, key=key)
        if keep is not None and keep in self.rows:
            self.move_cursor(row=self.get_row_index(keep), animate=False)
        elif self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1), animate=False)

    def on_resize(self, event: events.Resize) -> None:
        if self._headers and self.squeeze is not None:
            self._draw(self.highlighted_key())
