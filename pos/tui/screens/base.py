"""What every counter screen shares: the status bar on top, the key bar below, the title,
one route for worker errors up to the app's error handling, and keys typed ahead: a screen
that starts something slow holds the keys (`hold_keys`), and a screen gives them back once it
is on top and ready for them (`is_ready`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from pos.tui.messages import WorkerFailed
from pos.tui.typeahead import typeahead
from pos.tui.widgets import KeyBar, StatusBar, Words

if TYPE_CHECKING:
    from pos.counter.service import Counter
    from pos.tui.app import PosApp


class CounterScreen(Screen[None]):
    """A screen reads the app's facts (`pos.cashier`, `pos.status`, `pos.counter`) and says
    what happened with messages; it never calls the app or opens another screen."""

    TITLE_KEY = ""

    @property
    def pos(self) -> PosApp:
        return cast("PosApp", self.app)

    @property
    def counter(self) -> Counter:
        return self.pos.counter

    @property
    def cashier_id(self) -> str:
        return self.pos.cashier.id if self.pos.cashier else ""

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status-bar")
        yield Words(self.TITLE_KEY, id="title")
        yield from self.compose_body()
        yield KeyBar(id="key-bar")

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.watch(self.app, "language", lambda _: self.relabel(), init=False)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self.release_keys()

    def is_ready(self) -> bool:
        """Ready for the keys typed ahead (a screen still loading says no)."""
        return True

    def hold_keys(self) -> None:
        """Something slow starts (a hold, a sale, the next screen): keep what is typed now."""
        keys = typeahead(self.app)
        if keys is not None:
            keys.hold()

    def release_keys(self) -> None:
        """Give back the keys typed ahead, if this screen is on top and ready for them."""
        keys = typeahead(self.app)
        if keys is not None and self.app.screen is self and self.is_ready():
            keys.release()

    def drop_keys(self) -> None:
        """What was typed ahead was for something that failed: forget it."""
        keys = typeahead(self.app)
        if keys is not None:
            keys.drop()

    def relabel(self) -> None:
        """Words that are not `Words` widgets (placeholders, table headers) follow the
        language here."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.post_message(WorkerFailed(event.worker.error))
