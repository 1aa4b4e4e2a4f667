"""A discount for one ticket: the cinema's member price or staff ticket by its code, or a coupon
the customer brings, typed in. Enter with nothing typed takes the discount off again; Esc
leaves the ticket as it was. The counter checks the code (and that it is for that ticket type)
by the same rule the central prices it with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from pos.tui.i18n import Named, t
from pos.tui.typeahead import typeahead
from pos.tui.widgets.fields import Field
from pos.tui.widgets.words import Words

if TYPE_CHECKING:
    from contract.models import Discount


class DiscountDialog(ModalScreen[str | None]):
    """Dismisses with the code typed ("" takes the discount off), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "key.cancel")]

    def __init__(self, seat: str, rules: list[Discount]):
        super().__init__()
        self.seat = seat
        self.shown = ", ".join(
            f"{rule.code} {Named(rule.name, rule.name_en):}"
            for rule in rules
            if rule.kind != "coupon"
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="discount-box", classes="dialog"):
            yield Words("discount.title", classes="dialog-title", seat=self.seat)
            yield Words("discount.hint", classes="hint", codes=self.shown)
            yield Field(placeholder=t("discount.code"), id="discount-code")

    def on_mount(self) -> None:
        self.query_one("#discount-code", Input).focus()
        keys = typeahead(self.app)
        if keys is not None:
            keys.release()

    @on(Input.Submitted, "#discount-code")
    def _entered(self) -> None:
        self.dismiss(self.query_one("#discount-code", Input).value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
