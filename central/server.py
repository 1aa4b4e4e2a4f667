"""Running the reference central: in the foreground for `pos central serve`, or in a thread
for the demo and the tests. Either way on a real socket, so timeouts and refused connections
are real too."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import uvicorn

from central.app import create_app
from central.db import Database

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _server(app: Any, host: str, port: int) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
        lifespan="off",
        timeout_keep_alive=5,
    )
    return uvicorn.Server(config)


def _bound_url(server: uvicorn.Server, host: str) -> str:
    port = server.servers[0].sockets[0].getsockname()[1]
    return f"http://{host}:{port}"


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
    server = _server(app, host, port)

    async def main() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                await task
                return
            await asyncio.sleep(0.02)
        info = ready_info(_bound_url(server, host), db_path)
        if ready_file is not None:
            tmp = ready_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(info, indent=2))
            tmp.replace(ready_file)
        if announce is not None:
            announce(info)
        await task

    asyncio.run(main())


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

    def start(self) -> CentralThread:
        kwargs = {"clock": self.clock} if self.clock else {}
        app = create_app(
            self.db_path,
            self.seeds_dir,
            drill=self.drill,
            business_date=self.business_date,
            **kwargs,
        )
        self.server = _server(app, self.host, self.port)
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="central")
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the central failed to start")
            self.thread.join(0.01)
        self.url = _bound_url(self.server, self.host)
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    @property
    def serving(self) -> bool:
        return self.thread.is_alive()

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
