"""Messages the whole app listens for: what happened, said by whoever saw it, and handled by the
app (pos/tui/app.py), which decides what follows.

Messages only one screen sends are nested on that screen (`LoginScreen.LoggedIn`,
`SeatsScreen.SeatsChosen`, ...); the ones here are app-wide."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from pos.counter.printing import PrintRun
    from pos.counter.selling import Outcome


class CounterChanged(Message):
    """The counter's mode, outbox or leases may have changed: refresh what shows them.

    Listeners fire on every probe and sync round; consecutive ones merge into one."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CounterChanged)


@dataclass
class PrintFinished(Message):
    """A run of the print queue ended (posted from the print thread)."""

    run: PrintRun


@dataclass
class PrintRequested(Message):
    """Something waits in the print queue (a reprint was queued, or the cashier asked to try
    the printer again): run the queue."""


@dataclass
class SalesChanged(Message):
    """A refund or void went through: the free seats the schedule shows are stale."""


@dataclass
class SaleCompleted(Message):
    """A sale went through, online or offline; its tickets wait in the print queue."""

    outcome: Outcome


@dataclass
class HoldAbandoned(Message):
    """The cashier went back from ticket types or payment (Esc): the customer's seats are
    held at the central for nothing, give them back now (`hold_id` None: nothing was held)."""

    showtime_id: str
    hold_id: str | None


@dataclass
class SeatsTaken(Message):
    """A chosen seat went to someone else before the sale: the seats must be chosen again."""

    showtime_id: str


@dataclass
class DrillSwitched(Message):
    """The demo's central went down or came back (F12; posted from the drill's thread)."""

    serving: bool


@dataclass
class WorkerFailed(Message):
    """A screen's worker raised. `Worker.StateChanged` does not bubble, so screens pass the
    error up in this message to the app's one error handler."""

    error: BaseException
