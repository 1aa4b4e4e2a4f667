"""`pos peer serve` for the terminal home in argv[1], SIGKILLed by its own hand right after its
first handover is committed and before the answer leaves: the crash a handover must survive.
Run as a child process by tests/counter/test_handover_crash.py."""

from __future__ import annotations

import os
import signal
import sys

from pos.cli import main
from pos.counter.handover_giver import Giver

_answer = Giver.answer


def _answer_then_die(self: Giver, body: bytes, signature: str | None) -> object:
    _answer(self, body, signature)  # committed: the seats left the lease, the record is kept
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


Giver.answer = _answer_then_die  # type: ignore[method-assign]
sys.exit(main(["peer", "serve", "--home", sys.argv[1]]))
