"""Cash put into or taken out of the drawer (a change top-up, a bank drop): the amount and the
reason, checked here before a supervisor is asked, so a typo costs the cashier one key, not a
supervisor's walk to the counter.

Enter on the amount goes to the reason; Enter on the reason dismisses with the move, or says
what is wrong and keeps what was typed. Esc cancels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from contract.errors import BoxOfficeError
from pos.tui.i18n import error_text, t
from pos.tui.typeahead import typeahead
from pos.tui.widgets.fields import Field
from pos.tui.widgets.words import Words

Direction = Literal["in", "out"]


@dataclass(frozen=True, slots=True)
class CashMove:
    direction: Direction
    amount: int
    """Fen, more than zero."""
    reason: str


class CashDialog(ModalScreen[CashMove | None]):
    BINDINGS = [Binding("escape", "cancel", "key.cancel")]

    def __init__(self, direction: Direction):
        super().__init__()
        self.direction: Direction = direction

    def compose(self) -> ComposeResult:
        with Vertical(id="cash-box", classes="dialog"):
            yield Words(f"cash.title_{self.direction}", classes="dialog-title")
            yield Field(placeholder=t("cash.amount"), id="cash-amount")
            yield Field(placeholder=t("cash.reason"), id="cash-reason")
            yield Words(id="cash-message", classes="message")

    def on_mount(self) -> None:
        self.query_one("#cash-amount", Input).focus()
        keys = typeahead(self.app)
        if keys is not None:
            keys.release()

    @on(Input.Changed)
    def _typed(self) -> None:
        self.query_one("#cash-message", Words).say("")

    @on(Input.Submitted, "#cash-amount")
    def _amount_entered(self) -> None:
        self.query_one("#cash-reason", Input).focus()

    @on(Input.Submitted, "#cash-reason")
    def _reason_entered(self) -> None:
        # lazy, for start-up speed (see pos/tui/app.py)
        from pos.counter.payments import parse_amount

        message = self.query_one("#cash-message", Words)
        amount_field = self.query_one("#cash-amount", Input)
        try:
            amount = parse_amount(amount_field.value, whole_is_yuan=True)
        except BoxOfficeError as exc:
            message.update(error_text(exc))
            amount_field.focus()
            return
        if amount <= 0:
            message.say("cash.zero")
            amount_field.focus()
            return
        reason = self.query_one("#cash-reason", Input).value.strip()
        if not reason:
            message.say("cash.need_reason")
            return
        self.dismiss(CashMove(self.direction, amount, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)
