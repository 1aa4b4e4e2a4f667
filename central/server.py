"""Running the reference central: in the foreground for `pos central serve`, or in a thread
for the demo and the tests. Either way on a real socket, so timeouts and refused connections
are real too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from central.app import create_app
from central.db import Database
from central.loopback import ServerThread, serve_forever

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def ready_info(url: str, db_path: Path) -> dict[str, Any]:
    """What a script needs to reach the central and enroll terminals."""
    rows = (
        Database(db_path)
        .read()
        .execute("SELECT id, enrollment_code FROM terminals ORDER BY id")
        .fetchall()
    )
    return {"url": url, "terminals": [dict(r) for r in rows]}


def serve(
    db_path: Path,
    seeds_dir: Path = DEFAULT_SEEDS,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    drill: bool = False,
    ready_file: Path | None = None,
    business_date: date | None = None,
    announce: Any = None,
) -> None:
    """Serve until interrupted; `ready_file` is written only once the socket listens."""
    app = create_app(db_path, seeds_dir, drill=drill, business_date=business_date)
    serve_forever(
        app,
        host,
        port,
        lambda url: ready_info(url, db_path),
        ready_file=ready_file,
        announce=announce,
    )


@dataclass
class CentralThread:
    """A central on a free loopback port in a background thread; `stop()` ends it."""

    db_path: Path
    seeds_dir: Path = DEFAULT_SEEDS
    drill: bool = False
    business_date: date | None = None
    host: str = "127.0.0.1"
    port: int = 0
    clock: Any = None

    def __post_init__(self) -> None:
        self._thread = ServerThread("central", self.host, self.port)

    def start(self) -> CentralThread:
        kwargs = {"clock": self.clock} if self.clock else {}
        app = create_app(
            self.db_path,
            self.seeds_dir,
            drill=self.drill,
            business_date=self.business_date,
            **kwargs,
        )
        self.url = self._thread.run(app)
        self.port = self._thread.port
        return self

    def stop(self) -> None:
        self._thread.stop()

    @property
    def serving(self) -> bool:
        return self._thread.serving

    def toggle(self) -> bool:
        """Stop if serving, else serve again on the same file and port: the demo's drill key
        (a whole outage, connections refused, as when the central's host goes down). True when
        it serves afterwards."""
        if self.serving:
            self.stop()
        else:
            self.start()
        return self.serving

    def info(self) -> dict[str, Any]:
        return ready_info(self.url, self.db_path)

    def __enter__(self) -> CentralThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
