"""The demo's drill: a trainer takes the central down and brings it back from the counter
(`pos demo` only), so the class sees the bar go OFFLINE, sales go on from the lease, and the
outbox drain when it is back.

The TUI never imports the central: `pos demo` hands the app its central as a `CentralSwitch`."""

from __future__ import annotations

from typing import Protocol


class CentralSwitch(Protocol):
    def toggle(self) -> bool:
        """Take the central down if it serves, bring it back if not; True if it serves now.
        Blocking (a server stops or starts): called from a thread worker."""
        ...
