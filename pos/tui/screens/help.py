"""Every key of every screen, read from the screens' own bindings so it cannot go stale."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pos.tui.i18n import t
from pos.tui.widgets import Words

KEY_NAMES = {"up": "↑", "down": "↓", "left": "←", "right": "→", "space": "Space"}


def _keys(bindings: list[Binding]) -> list[tuple[str, str]]:
    """(keys, description key) rows, the keys of one description together."""
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


def sections() -> list[tuple[str, list[tuple[str, str]]]]:
    from pos.tui.app import PosApp
    from pos.tui.screens import (
        PaymentScreen,
        PickupScreen,
        ResultScreen,
        SalesScreen,
        ScheduleScreen,
        SeatsScreen,
        SupervisorScreen,
        TicketsScreen,
    )
    from pos.tui.widgets import SeatMap

    def of(*classes: type) -> list[Binding]:
        return [b for cls in classes for b in cls.BINDINGS if isinstance(b, Binding)]

    return [
        ("help.everywhere", _keys(of(PosApp))),
        ("login.title", [("Tab", "key.next_field"), ("Enter", "key.log_in")]),
        ("schedule.title", _keys(of(ScheduleScreen))),
        ("seats.title", _keys(of(SeatMap, SeatsScreen))),
        ("tickets.title", _keys(of(TicketsScreen))),
        ("payment.title", [("Enter", "key.pay"), *_keys(of(PaymentScreen))]),
        ("result.title", _keys(of(ResultScreen))),
        ("pickup.title", [("Enter", "key.pickup"), *_keys(of(PickupScreen))]),
        ("sales.title", _keys(of(SalesScreen, SupervisorScreen))),
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "key.close"),
        Binding("f1", "close", "key.close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="dialog"):
            yield Words("help.title", classes="dialog-title")
            for title, keys in sections():
                if not keys:
                    continue
                yield Static(f"[b]{t(title)}[/b]", classes="help-section")
                lines = "\n".join(f"  {key:<8} {t(what)}" for key, what in keys)
                yield Static(lines, markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
