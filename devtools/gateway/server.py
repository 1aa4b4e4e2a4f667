"""Running the reference payment gateway: in the foreground for `pos gateway serve`, or in a
thread for the demo and the tests, on a real loopback socket like the reference central (so a
reset after a charge, a slow answer or a refused connection are real too)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from central.loopback import ServerThread, Tls, serve_forever
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
    tls: Tls | None = None,
) -> None:
    """Serve until interrupted; `ready_file` is written only once the socket listens."""
    gateway = Gateway(drill=DrillSettings(mode=drill))
    serve_forever(
        create_app(gateway, client_certs=tls is not None and tls.asks_for_client_cert),
        host,
        port,
        lambda url: ready_info(url, gateway),
        ready_file=ready_file,
        announce=announce,
        tls=tls,
    )


@dataclass
class GatewayThread:
    """A gateway on a free loopback port in a background thread; `stop()` ends it. With `tls` it
    serves https, and with a client CA there WeChat's `/secapi/` needs a client certificate."""

    host: str = "127.0.0.1"
    port: int = 0
    gateway: Gateway = field(default_factory=Gateway)
    tls: Tls | None = None

    def __post_init__(self) -> None:
        self._thread = ServerThread("payment gateway", self.host, self.port, self.tls)

    def start(self) -> GatewayThread:
        client_certs = self.tls is not None and self.tls.asks_for_client_cert
        self.url = self._thread.run(create_app(self.gateway, client_certs=client_certs))
        self.port = self._thread.port
        return self

    def stop(self) -> None:
        self._thread.stop()

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
