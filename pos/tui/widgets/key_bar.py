"""The footer of every screen: the keys that work here, in the cashier's language.

Textual's Footer shows binding descriptions as written; ours are catalog keys, so this bar
translates them and redraws when the bindings or the language change."""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

from pos.tui.i18n import t


class KeyBar(Static):
    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.watch(self.app, "language", lambda _: self.redraw(), init=False)
        self.redraw()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.redraw()

    def redraw(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            key = self.app.get_key_display(binding)
            text.append(f" {key} ", "reverse" if enabled else "dim reverse")
            text.append(f" {t(binding.description)}  ", "" if enabled else "dim")
        self.update(text)
