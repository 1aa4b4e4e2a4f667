"""One way to serve an ASGI app on a real socket, for the reference central and the reference
payment gateway alike: in the foreground until interrupted (`pos central serve`, `pos gateway
serve`), or in a background thread for the demo and the tests. A real socket makes timeouts,
resets and refused connections real too."""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

Info = Callable[[str], dict[str, Any]]
"""What a script needs to know of a server listening at a URL (written to the ready file)."""


@dataclass(frozen=True, slots=True)
class Tls:
    """Serve over TLS (uvicorn's ssl_* settings). With `client_ca`, clients are asked for a
    certificate issued by it: `cert_reqs` CERT_OPTIONAL lets one without a certificate in (the
    app sees none, `peer_certificate`), CERT_REQUIRED ends its handshake."""

    certfile: Path
    keyfile: Path
    client_ca: Path | None = None
    cert_reqs: ssl.VerifyMode = ssl.CERT_OPTIONAL

    @property
    def asks_for_client_cert(self) -> bool:
        return self.client_ca is not None

    def uvicorn_settings(self) -> dict[str, Any]:
        return {
            "ssl_certfile": self.certfile,
            "ssl_keyfile": self.keyfile,
            "ssl_ca_certs": self.client_ca,
            "ssl_cert_reqs": self.cert_reqs if self.asks_for_client_cert else ssl.CERT_NONE,
        }


def transport_of(send: Any) -> Any | None:
    """The connection under an ASGI `send`, or None outside uvicorn. ASGI has no word for the
    socket or its TLS session (uvicorn gives no `tls` scope extension), but uvicorn's `send` is a
    method of the object that owns the transport."""
    return getattr(getattr(send, "__self__", None), "transport", None)


def peer_certificate(send: Any) -> dict[str, Any] | None:
    """The client certificate the TLS handshake verified, or None (none given, or no TLS)."""
    transport = transport_of(send)
    return (transport.get_extra_info("peercert") or None) if transport is not None else None


def _server(app: Any, host: str, port: int, tls: Tls | None = None) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
        lifespan="off",
        timeout_keep_alive=5,
        **(tls.uvicorn_settings() if tls is not None else {}),
    )
    return uvicorn.Server(config)


def _bound_url(server: uvicorn.Server, host: str) -> str:
    port = server.servers[0].sockets[0].getsockname()[1]
    scheme = "https" if server.config.is_ssl else "http"
    return f"{scheme}://{host}:{port}"


def serve_forever(
    app: Any,
    host: str,
    port: int,
    info: Info,
    *,
    ready_file: Path | None = None,
    announce: Callable[[dict[str, Any]], None] | None = None,
    tls: Tls | None = None,
) -> None:
    """Serve until interrupted (https with `tls`); `ready_file` is written (atomically) only
    once the socket listens, so a script waiting for it never reaches a server that is not
    there yet."""
    server = _server(app, host, port, tls)

    async def main() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                await task
                return
            await asyncio.sleep(0.02)
        ready = info(_bound_url(server, host))
        if ready_file is not None:
            tmp = ready_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(ready, indent=2))
            tmp.replace(ready_file)
        if announce is not None:
            announce(ready)
        await task

    asyncio.run(main())


class ServerThread:
    """An app on a loopback port in a daemon thread; `port` 0 takes a free one, and a server
    started again after `stop()` keeps the port it had (a restart, as after an outage); with
    `tls` it serves https."""

    def __init__(
        self, name: str, host: str = "127.0.0.1", port: int = 0, tls: Tls | None = None
    ) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.tls = tls
        self.url = ""
        self.thread: threading.Thread | None = None

    def run(self, app: Any) -> str:
        self.server = _server(app, self.host, self.port, self.tls)
        self.thread = threading.Thread(target=self.server.run, daemon=True, name=self.name)
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError(f"the {self.name} failed to start")
            self.thread.join(0.01)
        self.url = _bound_url(self.server, self.host)
        self.port = int(self.url.rsplit(":", 1)[1])
        return self.url

    def stop(self) -> None:
        if self.thread is not None:
            self.server.should_exit = True
            self.thread.join(10)

    @property
    def serving(self) -> bool:
        return self.thread is not None and self.thread.is_alive()
