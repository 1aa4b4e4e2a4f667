"""A supervisor's id and PIN for a refund or a void; the counter checks them."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from pos.tui.i18n import t
from pos.tui.widgets import Field, Words


class SupervisorScreen(ModalScreen[tuple[str, str] | None]):
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
