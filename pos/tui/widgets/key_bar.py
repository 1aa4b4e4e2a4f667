"""The footer of every screen: the keys that work here, in the cashier's language.

Textual's Footer shows binding descriptions as written; ours are catalog keys, so this bar
translates them and redraws when the bindings, the language or the width change. A key and its
words are never cut apart: what does not fit on one line goes on a second (80×24)."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widgets import Static

from pos.tui.i18n import t

MAX_LINES = 2


class KeyBar(Static):
    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.watch(self.app, "language", lambda _: self.redraw(), init=False)
        self.redraw()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self, event: events.Resize) -> None:
        self.redraw()

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.redraw()

    def parts(self) -> list[Text]:
        """One piece per key: the key, then what it does."""
        pieces = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            piece = Text(no_wrap=True)
            piece.append(
                f" {self.app.get_key_display(binding)} ", "reverse" if enabled else "dim reverse"
            )
            piece.append(f" {t(binding.description)} ", "" if enabled else "dim")
            pieces.append(piece)
        return pieces

    def redraw(self) -> None:
        width = self.size.width or self.app.size.width
        lines: list[Text] = [Text(no_wrap=True, overflow="ellipsis")]
        for piece in self.parts():
            line = lines[-1]
            if line.cell_len and line.cell_len + 1 + piece.cell_len > width:
                if len(lines) == MAX_LINES:
                    break
                line = Text(no_wrap=True, overflow="ellipsis")
                lines.append(line)
            if line.cell_len:
                line.append(" ")
            line.append_text(piece)
        self.styles.height = len(lines)
        self.update(Text("\n").join(lines))
