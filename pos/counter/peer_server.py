"""The peer endpoint: where the cinema's other counters ask this one for seats while the central
is away.

The standard library's HTTP server, serving one request at a time in one thread of its own,
with a store connection of its own (a sqlite-utils database belongs to the thread that opened
it): a counter install needs nothing more, and asks are rare and small. It listens where
`Settings.peer_listen` says: a loopback or private (LAN) address; an unspecified address
(0.0.0.0, ::) or a public one only with `peer_allow_public`.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from contract.errors import BoxOfficeError
from contract.handover import PEER_PATH, SIGNATURE_HEADER, PeerRefusal
from contract.ticket_code import Ed25519PrivateKey
from offline.store import Store
from offline.values import system_clock
from pos.counter.errors import CounterError
from pos.counter.handover_giver import MAX_ASK_BYTES, Giver, PeerRefused
from pos.counter.home import Home, Settings


def listen_address(settings: Settings) -> tuple[str, int]:
    """(host, port) from `peer_listen` ("127.0.0.1:8765", "[::1]:8765"), checked: a public
    or unspecified address only when `peer_allow_public` says so (CounterError otherwise)."""
    text = settings.peer_listen
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    try:
        address = ipaddress.ip_address(host)
        number = int(port)
    except ValueError:
        address = None
        number = -1
    if not sep or address is None or not 0 <= number <= 65535:
        raise CounterError(
            "BAD_PEER_ADDRESS", f"peer_listen must be an IP address and port, not {text!r}."
        )
    private = address.is_loopback or (address.is_private and not address.is_unspecified)
    if not private and not settings.peer_allow_public:
        raise CounterError(
            "PEER_ADDRESS_PUBLIC",
            f"Refusing to listen for peers on {host}: not a loopback or LAN address. Set"
            " peer_allow_public to true if this is really wanted.",
        )
    return host, number


class PeerServer:
    """Serves `Giver.answer` on PEER_PATH until stopped."""

    def __init__(
        self,
        store_path: Path,
        settings: Settings,
        key: Ed25519PrivateKey,
        clock: Callable[[], datetime],
    ) -> None:
        self.address = listen_address(settings)
        self.store_path = store_path
        self.settings = settings
        self.key = key
        self.clock = clock
        self.giver: Giver | None = None
        """Built in the serving thread, which owns its store connection."""
        self._server: HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def for_home(cls, home: Home) -> PeerServer:
        """`pos peer serve`: the endpoint of the terminal in `home`, with nothing else."""
        return cls(home.store_path, home.load(), home.key(), system_clock)

    @property
    def url(self) -> str:
        """Where peers reach it (once bound: the real port when `peer_listen` says 0)."""
        assert self._server is not None, "bind first (start or serve_forever)"
        host, port = self._server.server_address[:2]
        return f"http://[{host}]:{port}" if ":" in str(host) else f"http://{host}:{port}"

    def bind(self) -> PeerServer:
        """Take the address; CounterError PEER_LISTEN if it is taken or not this machine's."""
        if self._server is None:
            family = socket.AF_INET6 if ":" in self.address[0] else socket.AF_INET
            server_class = type("PeerHTTPServer", (HTTPServer,), {"address_family": family})
            try:
                self._server = server_class(self.address, _handler(self))
            except OSError as exc:
                raise CounterError(
                    "PEER_LISTEN", f"Cannot listen for peers on {self.settings.peer_listen}: {exc}"
                ) from exc
        return self

    def start(self) -> PeerServer:
        """Bind, then serve in a thread of its own."""
        self.bind()
        self._thread = threading.Thread(target=self.serve_forever, name="peer-server", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until `stop` (or, for `pos peer serve`, an interrupt)."""
        server = self.bind()._server
        assert server is not None
        store = Store.open(self.store_path, clock=self.clock, check=False)
        s = self.settings
        self.giver = Giver(
            store,
            self.key,
            terminal_id=s.terminal_id,
            key_id=s.key_id,
            cinema_id=s.cinema_id,
            central_key_id=s.central_key_id,
        )
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()
            store.close()

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._thread.join(10)


def _handler(owner: PeerServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "boxoffice-peer/1"

        def do_POST(self) -> None:
            if self.path != PEER_PATH:
                self._refuse(404, "NOT_FOUND", f"No {self.path} here.")
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 < length <= MAX_ASK_BYTES:
                self._refuse(400, "BAD_ASK", "An ask needs a small body.")
                return
            body = self.rfile.read(length)
            giver = owner.giver
            if giver is None:
                self._refuse(503, "STARTING", "Starting; ask again.")
                return
            try:
                handover = giver.answer(body, self.headers.get(SIGNATURE_HEADER))
            except PeerRefused as exc:
                self._refuse(exc.status, exc.code, exc.message)
                return
            except BoxOfficeError as exc:  # a seat taken meanwhile: this ask gets nothing
                self._refuse(409, exc.code, exc.message)
                return
            self._send(200, handover.model_dump_json().encode())

        def _refuse(self, status: int, code: str, message: str) -> None:
            self._send(status, PeerRefusal(code=code, message=message).model_dump_json().encode())

        def _send(self, status: int, raw: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the cashier's screen is no place for an access log."""

    return Handler
