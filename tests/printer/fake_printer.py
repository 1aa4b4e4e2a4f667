"""A fake network receipt printer on loopback: records bytes, answers `DLE EOT` like an Epson.

It can be out of paper, have its cover open, be switched off (connections refused, real
ECONNREFUSED), drop a connection part way through a job, or run out of paper after N cuts.
Status replies are computed at command boundaries (the decoder's tokenizer), like a printer that
parses its input rather than grepping it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

from escpos_decoder import Decoded, decode, iter_commands

FIXED = 0x12


class FakePrinter:
    def __init__(self) -> None:
        self.received = bytearray()
        """Bytes of every connection, in arrival order, status queries included."""
        self.paper_out = False
        self.cover_open = False
        self.paper_low = False
        self.silent = False
        """Never answer status queries (a printer that does not implement DLE EOT)."""
        self.drop_after_bytes: int | None = None
        """Close the next connection once it has received this many bytes."""
        self.paper_out_after_cuts: int | None = None
        self.cuts = 0
        self.connections = 0
        self._lock = threading.Lock()
        self._clients: list[socket.socket] = []
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.power_on()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}?timeout=0.5"

    def decoded(self) -> Decoded:
        with self._lock:
            return decode(bytes(self.received))

    def power_on(self) -> None:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(4)
        self.port = server.getsockname()[1]
        self._server = server
        self._thread = threading.Thread(target=self._accept, args=(server,), daemon=True)
        self._thread.start()

    def power_off(self) -> None:
        """Stop listening and cut every open connection: the next connect is refused."""
        if self._server is not None:
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            _hard_close(client)

    def __enter__(self) -> FakePrinter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.power_off()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            with self._lock:
                self._clients.append(client)
                self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        buf = bytearray()
        parsed = 0
        limit, self.drop_after_bytes = self.drop_after_bytes, None
        while True:
            try:
                chunk = client.recv(65536)
            except OSError:
                return
            if not chunk:
                client.close()
                return
            if limit is not None and len(buf) + len(chunk) >= limit:
                chunk = chunk[: max(limit - len(buf), 0)]
                with self._lock:
                    self.received += chunk
                _hard_close(client)
                return
            buf += chunk
            with self._lock:
                self.received += chunk
            for command, end in iter_commands(bytes(buf), parsed):
                parsed = end
                if command.name == "cut":
                    self._cut()
                elif command.name == "status" and not self.silent:
                    with contextlib.suppress(OSError):
                        client.sendall(bytes((self._status_byte(command.args[0]),)))

    def _cut(self) -> None:
        self.cuts += 1
        if self.paper_out_after_cuts is not None and self.cuts >= self.paper_out_after_cuts:
            self.paper_out = True

    def _status_byte(self, n: int) -> int:
        offline = self.paper_out or self.cover_open
        if n == 1:
            return FIXED | (0x08 if offline else 0)
        if n == 2:
            return FIXED | (0x04 if self.cover_open else 0) | (0x20 if self.paper_out else 0)
        if n == 4:
            return FIXED | (0x60 if self.paper_out else 0) | (0x0C if self.paper_low else 0)
        return FIXED


def _hard_close(client: socket.socket) -> None:
    """Close with RST, the way a printer losing power looks from the other end."""
    with contextlib.suppress(OSError):
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        client.close()
