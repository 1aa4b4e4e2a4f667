"""A supervisor's id and PIN for a refund, a void or the day's close; the counter checks them.

A dialog that screens open for themselves (a modal answer, not a place to go), so it lives with
the widgets: screens never import other screens."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from pos.tui.i18n import t
from pos.tui.typeahead import typeahead
from pos.tui.widgets.fields import Field
from pos.tui.widgets.words import Words


class SupervisorDialog(ModalScreen[tuple[str, str] | None]):
    """Dismisses with (supervisor id, PIN), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "key.cancel")]

    def __init__(self, what: str):
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(id="supervisor-box", classes="dialog"):
            yield Words("supervisor.title", classes="dialog-title", what=self.what)
            yield Field(placeholder=t("supervisor.id"), id="supervisor")
            yield Field(placeholder=t("login.pin"), password=True, id="supervisor-pin")

    def on_mount(self) -> None:
        keys = typeahead(self.app)
        if keys is not None:
            keys.release()

    @on(Input.Submitted, "#supervisor")
    def _id_entered(self) -> None:
        self.query_one("#supervisor-pin", Input).focus()

    @on(Input.Submitted, "#supervisor-pin")
    def _pin_entered(self) -> None:
        who = self.query_one("#supervisor", Input).value.strip()
        pin = self.query_one("#supervisor-pin", Input).value
        self.dismiss((who, pin))

    def action_cancel(self) -> None:
        self.dismiss(None)
