"""Text from the catalog that follows the language switch on its own."""

from __future__ import annotations

from textual.widgets import Static

from pos.tui.i18n import t


class Words(Static):
    """A Static showing `t(key, **values)`; `say()` changes what it says."""

    def __init__(
        self, key: str = "", *, id: str | None = None, classes: str | None = None, **values: object
    ):
        super().__init__(id=id, classes=classes, markup=False)
        self.key = key
        self.values = values

    def on_mount(self) -> None:
        self.watch(self.app, "language", lambda _: self._show(), init=False)
        self._show()

    def say(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        if self.is_mounted:
            self._show()

    def _show(self) -> None:
        self.update(t(self.key, **self.values) if self.key else "")
