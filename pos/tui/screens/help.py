"""Every key of every screen, read from the screens' own bindings so it cannot go stale.

The app lists which screens' keys to show (`keys_of(...)`), since only the app knows them all."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pos.tui.i18n import t
from pos.tui.widgets import Words

KEY_NAMES = {"up": "↑", "down": "↓", "left": "←", "right": "→", "space": "Space"}

Keys = list[tuple[str, str]]
"""(keys, description key) rows."""

Section = tuple[str, Keys]
"""A title's catalog key and its rows."""


def keys_of(*classes: type) -> Keys:
    """The bindings of these classes as rows, the keys of one description together."""
    bindings = [
        b for cls in classes for b in getattr(cls, "BINDINGS", []) if isinstance(b, Binding)
    ]
    grouped: dict[str, list[str]] = {}
    for binding in bindings:
        keys = grouped.setdefault(binding.description, [])
        name = KEY_NAMES.get(
            binding.key, binding.key.upper() if len(binding.key) > 1 else binding.key
        )
        if name not in keys:
            keys.append(name)
    return [(_join(keys), what) for what, keys in grouped.items()]


def _join(keys: list[str]) -> str:
    if len(keys) > 3 and all(k.isdigit() for k in keys):
        return f"{keys[0]}-{keys[-1]}"
    return " ".join(keys)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "key.close"),
        Binding("f1", "close", "key.close", show=False),
    ]

    def __init__(self, sections: list[Section]):
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="dialog"):
            yield Words("help.title", classes="dialog-title")
            for title, keys in self.sections:
                if not keys:
                    continue
                yield Static(f"[b]{t(title)}[/b]", classes="help-section")
                lines = "\n".join(f"  {key:<8} {t(what)}" for key, what in keys)
                yield Static(lines, markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
