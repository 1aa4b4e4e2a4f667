"""Running the reference payment gateway: in the foreground for `pos gateway serve`, or in a
thread for the demo and the tests, on a real loopback socket like the reference central (so a
reset after a charge, a slow answer or a refused connection are real too)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# the central's uvicorn settings and bound-address helper: one way to serve on loopback
from central.server import _bound_url, _server
from devtools.gateway.app import DrillSettings, Gateway, create_app
from devtools.gateway.ledger import Drill


def ready_info(url: str, gateway: Gateway) -> dict[str, Any]:
    return {
        "url": url,
        "alipay_gateway": f"{url}/alipay/gateway.do",
        "wechat_base": f"{url}/wechat",
        "drill": gateway.drill.mode.value,
    }


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    drill: Drill = Drill.INSTANT,
    ready_file: Path | None = None,
    announce: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Serve until interrupted; `ready_file` is written only once the socket listens."""
    gateway = Gateway(drill=DrillSettings(mode=drill))
    server = _server(create_app(gateway), host, port)

    async def main() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                await task
                return
            await asyncio.sleep(0.02)
        info = ready_info(_bound_url(server, host), gateway)
        if ready_file is not None:
            tmp = ready_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(info, indent=2))
            tmp.replace(ready_file)
        if announce is not None:
            announce(info)
        await task

    asyncio.run(main())


@dataclass
class GatewayThread:
    """A gateway on a free loopback port in a background thread; `stop()` ends it."""

    host: str = "127.0.0.1"
    port: int = 0
    gateway: Gateway = field(default_factory=Gateway)

    def start(self) -> GatewayThread:
        self.server = _server(create_app(self.gateway), self.host, self.port)
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="gateway")
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the payment gateway failed to start")
            self.thread.join(0.01)
        self.url = _bound_url(self.server, self.host)
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def set_drill(self, mode: Drill, slow_seconds: float | None = None) -> None:
        settings = DrillSettings(mode=mode)
        if slow_seconds is not None:
            settings.slow_seconds = slow_seconds
        self.gateway.drill = settings

    def statement(self) -> list[dict[str, Any]]:
        return self.gateway.ledger.statement()

    def info(self) -> dict[str, Any]:
        return ready_info(self.url, self.gateway)

    def __enter__(self) -> GatewayThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
