"""Cashier login by staff id and PIN; the counter locks the terminal after repeated wrong PINs.

Tab and Enter are handled before the fields see any key (priority bindings), so a fast
`c01 Tab 1111 Enter` lands each key in the right field: the focus moves before the next key is
read. Keys typed after Enter wait for the screen that follows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input

from pos.tui.i18n import error_text, t
from pos.tui.screens.base import CounterScreen
from pos.tui.widgets import Field, Words

if TYPE_CHECKING:
    from contract.models import StaffMember


class LoginScreen(CounterScreen):
    TITLE_KEY = "login.title"
    BINDINGS = [
        Binding("tab", "next_field", "key.next_field", show=False, priority=True),
        Binding("enter", "enter", "key.log_in", show=False, priority=True),
    ]

    @dataclass
    class LoggedIn(Message):
        """The cashier's PIN was right."""

        member: StaffMember

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

    def action_next_field(self) -> None:
        # set_focus, not focus(): focus() waits a turn, and the next key must land there
        staff = self.query_one("#staff", Input)
        self.set_focus(self.query_one("#pin", Input) if staff.has_focus else staff)

    def action_enter(self) -> None:
        """Enter on the staff id goes to the PIN; on the PIN, logs in."""
        if self.query_one("#login-box").disabled:
            return
        pin = self.query_one("#pin", Input)
        if not pin.has_focus:
            self.set_focus(pin)
            return
        self.hold_keys()
        self.log_in(self.query_one("#staff", Input).value.strip(), pin.value)
        pin.value = ""

    @work(exclusive=True, group="login", exit_on_error=False)
    async def log_in(self, staff_id: str, pin: str) -> None:
        """A wrong PIN and the lock are answered here, on the form; any other failure goes
        to the app's error handling. A PIN entered while the counter still opens waits for it."""
        counter = await self.pos.opened_counter()
        # lazy, for start-up speed (see pos/tui/app.py); pos.counter is loaded by now
        from pos.counter.errors import PinLocked, WrongPin

        message = self.query_one("#login-message", Words)
        try:
            member = counter.log_in(staff_id, pin)
        except WrongPin:
            message.say("login.wrong_pin")
        except PinLocked as exc:
            message.update(error_text(exc))
            self._lock(exc.seconds)
        except BaseException:
            self.drop_keys()
            raise
        else:
            self.post_message(self.LoggedIn(member))
            return
        self.drop_keys()  # typed for the screen after the login, which did not come
        self.query_one("#pin", Input).focus()

    def _lock(self, seconds: int) -> None:
        """Refuse input while locked; the counter refuses too, this only saves keystrokes."""
        box = self.query_one("#login-box")
        box.disabled = True
        self.set_timer(seconds, self._unlock)

    def _unlock(self) -> None:
        self.query_one("#login-box").disabled = False
        self.query_one("#login-message", Words).say("login.unlocked")
        self.query_one("#pin", Input).focus()
