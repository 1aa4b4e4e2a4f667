"""The circuit breaker behind ONLINE / DEGRADED / OFFLINE.

A small breaker of our own: pybreaker's async path needs tornado and aiobreaker is unmaintained,
and ours must also know the counter's third state (DEGRADED: slow or failing, still trying) and
the rule that a terminal goes ONLINE only after its outbox has drained."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class Mode(StrEnum):
    ONLINE = "online"
    DEGRADED = "degraded"
    OFFLINE = "offline"


class Breaker:
    def __init__(
        self,
        *,
        failure_threshold: int = 3,
        good_probes_to_close: int = 2,
        slow_call_s: float = 0.8,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.failure_threshold = failure_threshold
        self.good_probes_to_close = good_probes_to_close
        self.slow_call_s = slow_call_s
        self.clock = clock
        self._mode = Mode.ONLINE
        self._failures = 0
        self._good_probes = 0
        self.opened_at: float | None = None
        self.listeners: list[Callable[[Mode], None]] = []

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def is_open(self) -> bool:
        return self._mode == Mode.OFFLINE

    def _set(self, mode: Mode) -> None:
        if mode != self._mode:
            self._mode = mode
            for listener in list(self.listeners):
                listener(mode)

    def record_success(self, seconds: float = 0.0) -> None:
        """A call worked; a slow one keeps us DEGRADED rather than ONLINE."""
        if self.is_open:
            return
        self._failures = 0
        self._set(Mode.DEGRADED if seconds > self.slow_call_s else Mode.ONLINE)

    def record_failure(self) -> None:
        if self.is_open:
            return
        self._failures += 1
        if self._failures >= self.failure_threshold:
            self.trip()
        else:
            self._set(Mode.DEGRADED)

    def trip(self) -> None:
        """Open at once: a missed sale deadline must not cost the next customer the same wait."""
        self._failures = 0
        self._good_probes = 0
        self.opened_at = self.clock()
        self._set(Mode.OFFLINE)

    def probe_succeeded(self) -> bool:
        """True when enough probes in a row were good to start recovery (drain, then close)."""
        if not self.is_open:
            return False
        self._good_probes += 1
        return self._good_probes >= self.good_probes_to_close

    def probe_failed(self) -> None:
        self._good_probes = 0

    def close(self) -> None:
        self._failures = 0
        self._good_probes = 0
        self.opened_at = None
        self._set(Mode.ONLINE)
