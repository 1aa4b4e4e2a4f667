"""A yes-or-no question a screen or the app asks before doing something that cannot be taken
back (quitting with a shift open, taking a lot of cash, selling other seats than the chosen).

Enter says yes, Esc says no; the dialog dismisses with True or False."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen

from pos.tui.i18n import Lazy
from pos.tui.typeahead import typeahead
from pos.tui.widgets.words import Words


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS = [
        Binding("enter", "answer(True)", "key.yes", priority=True),
        Binding("escape", "answer(False)", "key.no"),
    ]

    def __init__(self, title: str, question: str, *, yes: str = "key.yes", **values: object):
        """`title` and `question` are catalog keys, filled in with `values`; `yes` names what
        Enter does (a catalog key)."""
        super().__init__()
        self.title_key = title
        self.question = question
        self.yes = yes
        self.values = values

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Words(self.title_key, classes="dialog-title", **self.values)
            yield Words(self.question, id="confirm-question", **self.values)
            yield Words("confirm.keys", classes="hint", yes=Lazy(self.yes))

    def on_mount(self) -> None:
        keys = typeahead(self.app)
        if keys is not None:
            keys.release()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
