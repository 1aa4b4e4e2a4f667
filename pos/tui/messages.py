"""Messages the whole app listens for, posted to the app and handled in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from printer.queue import JobOutcome


class CounterChanged(Message):
    """The counter's mode, outbox or leases may have changed: refresh what shows them.

    Listeners fire on every probe and sync round; consecutive ones merge into one."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CounterChanged)


@dataclass
class PrintFinished(Message):
    """A run of the print queue ended (posted from the print thread)."""

    outcomes: list[JobOutcome]
    pending: int
    """Jobs still waiting after the run: non-zero means the printer needs a look."""
