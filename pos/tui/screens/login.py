"""Cashier login by staff id and PIN; the counter locks the terminal after repeated wrong PINs."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input

from contract.errors import BoxOfficeError
from pos.counter.errors import WrongPin
from pos.tui.i18n import error_text, t
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import Field, Words


class LoginScreen(CounterScreen):
    TITLE_KEY = "login.title"

    def compose_body(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Words("login.hint", classes="hint")
            yield Field(placeholder=t("login.staff"), id="staff")
            yield Field(placeholder=t("login.pin"), password=True, id="pin")
            yield Words(id="login-message", classes="message")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#staff", Input).focus()

    def relabel(self) -> None:
        self.query_one("#staff", Input).placeholder = t("login.staff")
        self.query_one("#pin", Input).placeholder = t("login.pin")

    @on(Input.Submitted, "#staff")
    def _staff_entered(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _pin_entered(self) -> None:
        staff = self.query_one("#staff", Input)
        pin = self.query_one("#pin", Input)
        message = self.query_one("#login-message", Words)
        try:
            member = self.counter.log_in(staff.value.strip(), pin.value)
        except WrongPin:
            message.say("login.wrong_pin")
        except BoxOfficeError as exc:
            message.update(error_text(exc))
            if exc.code == "PIN_LOCKED":
                self._lock(int((exc.detail or {}).get("seconds", 30)))  # type: ignore[union-attr]
        else:
            from pos.tui.screens.schedule import ScheduleScreen

            self.pos.cashier = member
            self.app.switch_screen(ScheduleScreen())
            return
        pin.value = ""
        pin.focus()

    def _lock(self, seconds: int) -> None:
        """Refuse input while locked; the counter refuses too, this only saves keystrokes."""
        box = self.query_one("#login-box")
        box.disabled = True
        self.set_timer(seconds, self._unlock)

    def _unlock(self) -> None:
        self.query_one("#login-box").disabled = False
        self.query_one("#login-message", Words).say("login.unlocked")
        self.query_one("#pin", Input).focus()
