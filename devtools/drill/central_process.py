"""The drill's central: `pos central serve --drill` in its own process, so the `kill` fault can
really SIGKILL it and start it again on the same database and port."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

from contract.models import DrillSettings, FaultKind, Outage
from devtools.drill.checks import CentralRecord, SeatingRecord, central_record, seating_record
from devtools.drill.processes import spawn, stop

START_TIMEOUT = 30.0


class DrillError(Exception):
    """The drill could not be set up or run (not an invariant failing: that is a result)."""


@dataclass
class CentralProcess:
    db: Path
    seeds: Path
    business_date: date
    log: Path
    port: int = 0
    url: str = ""
    terminals: dict[str, str] = field(default_factory=dict)
    """Enrollment code by terminal id, from the ready file."""
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> CentralProcess:
        """Start (or start again, on the port it had) and wait until it listens."""
        ready = self.db.with_name("central.ready.json")
        ready.unlink(missing_ok=True)
        self.proc = spawn(
            [
                "-m", "pos.cli", "central", "serve",
                "--db", str(self.db),
                "--seed", str(self.seeds),
                "--port", str(self.port),
                "--drill",
                "--ready-file", str(ready),
                "--business-date", self.business_date.isoformat(),
            ],
            self.log,
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while not ready.exists():
            if self.proc.poll() is not None:
                raise DrillError(f"the central exited at start; see {self.log}")
            if time.monotonic() > deadline:
                raise DrillError(f"the central did not start within {START_TIMEOUT:.0f} s")
            time.sleep(0.05)
        info = json.loads(ready.read_text())
        self.url = info["url"]
        self.port = int(self.url.rsplit(":", 1)[1])
        self.terminals = {t["id"]: t["enrollment_code"] for t in info["terminals"]}
        return self

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, no flushed answers, like a crashed host."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(5)

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)

    def finish(self) -> tuple[CentralRecord, SeatingRecord]:
        """Stop, then read what it holds from its database."""
        self.stop()
        return central_record(self.db), seating_record(self.db)

    def health(self) -> tuple[httpx.Client, str]:
        """A client and a path for the drill's own health probes."""
        return httpx.Client(base_url=self.url), "/v1/health"

    def begin_outage(self, fault: str) -> None:
        """`kill` by hand; the other faults are drill modes scheduled in advance."""
        if fault == "kill":
            self.kill()

    def end_outage(self, fault: str) -> float | None:
        """After `kill`, start again: when it listened. None for the scheduled faults."""
        if fault == "kill":
            self.start()
            return time.time()
        return None

    def drill(self, settings: DrillSettings) -> None:
        """Replace the central's drill settings (faults now, or an outage to come)."""
        answer = httpx.put(
            f"{self.url}/v1/drill", json=settings.model_dump(mode="json"), timeout=5.0
        )
        answer.raise_for_status()

    def schedule_outage(self, starts_in_s: float, length_s: float, kind: FaultKind) -> None:
        """The central's own drill mode: hang, reset or 5xx everything in a window."""
        outage = Outage(starts_in_s=max(0.0, starts_in_s), length_s=length_s, kind=kind)
        self.drill(DrillSettings(outage=outage))
