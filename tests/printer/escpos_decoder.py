"""A small ESC/POS decoder, so tests assert what is on the paper rather than raw bytes.

It knows exactly the commands our renderer and python-escpos send, and raises on anything else,
so a stray byte in a ticket fails a test instead of printing garbage at a cinema.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

ESC, GS, FS, DLE, LF, CR = 0x1B, 0x1D, 0x1C, 0x10, 0x0A, 0x0D
ESC_ONE_ARG = set(b"EadtM-J3G!")


class DecodeError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    """text, lf, init, style, chinese_on, chinese_off, qr_store, qr_other, image, cut, status,
    drawer."""
    data: bytes = b""
    args: tuple[int, ...] = ()


@dataclass
class Decoded:
    lines: list[str] = field(default_factory=list)
    """Printed lines, right-stripped; a raster image shows as `[image WxH]`, a feed as blanks."""
    qr: list[str] = field(default_factory=list)
    images: list[tuple[int, int]] = field(default_factory=list)
    cuts: int = 0
    status_queries: list[int] = field(default_factory=list)
    drawer_kicks: list[int] = field(default_factory=list)
    """The connector pin (2 or 5) of each ESC p, in order."""
    chinese_bytes: list[bytes] = field(default_factory=list)
    """Raw bytes sent between FS & and FS ., one entry per run."""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def next_command(buf: bytes, i: int) -> tuple[Command, int] | None:
    """The command starting at `buf[i]` and where it ends; None if `buf` stops mid-command."""
    b = buf[i]
    if b == LF:
        return Command("lf"), i + 1
    if b == CR:
        return Command("cr"), i + 1
    if b == DLE:
        if len(buf) < i + 3:
            return None
        if buf[i + 1] != 0x04:
            raise DecodeError(f"unknown DLE command at {i}: {buf[i : i + 3]!r}")
        return Command("status", args=(buf[i + 2],)), i + 3
    if b == ESC:
        return _esc(buf, i)
    if b == GS:
        return _gs(buf, i)
    if b == FS:
        if len(buf) < i + 2:
            return None
        op = buf[i + 1]
        if op == ord("&"):
            return Command("chinese_on"), i + 2
        if op == ord("."):
            return Command("chinese_off"), i + 2
        raise DecodeError(f"unknown FS command at {i}: {buf[i : i + 2]!r}")
    if b < 0x20:
        raise DecodeError(f"unexpected control byte {b:#04x} at {i}")
    end = i
    while end < len(buf) and buf[end] >= 0x20:
        end += 1
    return Command("text", buf[i:end]), end


def iter_commands(buf: bytes, start: int = 0) -> Iterator[tuple[Command, int]]:
    """Complete commands from `start`, each with the offset after it; stops at an incomplete one."""
    i = start
    while i < len(buf):
        found = next_command(buf, i)
        if found is None:
            return
        command, i = found
        yield command, i


def decode(buf: bytes) -> Decoded:
    out = Decoded()
    chinese = False
    line = ""
    last = 0
    for command, end in iter_commands(buf):
        last = end
        name = command.name
        if name == "text":
            if chinese:
                out.chinese_bytes.append(command.data)
                line += command.data.decode("gb18030")
            else:
                line += command.data.decode("cp437")
        elif name == "lf":
            out.lines.append(line.rstrip())
            line = ""
        elif name == "feed":
            if line:
                out.lines.append(line.rstrip())
                line = ""
            out.lines += [""] * command.args[0]
        elif name in ("chinese_on", "chinese_off", "init"):
            chinese = name == "chinese_on"
        elif name == "qr_store":
            out.qr.append(command.data.decode("utf-8"))
        elif name == "image":
            width, height = command.args
            out.images.append((width, height))
            out.lines.append(f"[image {width}x{height}]")
        elif name == "cut":
            out.cuts += 1
        elif name == "status":
            out.status_queries.append(command.args[0])
        elif name == "drawer":
            out.drawer_kicks.append(command.args[0])
    if last != len(buf):
        raise DecodeError(f"byte stream ends in the middle of a command at {last}")
    if line:
        out.lines.append(line.rstrip())
    return out


def _esc(buf: bytes, i: int) -> tuple[Command, int] | None:
    if len(buf) < i + 2:
        return None
    op = buf[i + 1]
    if op == ord("@"):
        return Command("init"), i + 2
    if op == ord("p"):  # ESC p m t1 t2: pulse connector pin 2 (m=0) or 5 (m=1)
        if len(buf) < i + 5:
            return None
        if buf[i + 2] not in (0, 1, 48, 49):
            raise DecodeError(f"ESC p with pin selector {buf[i + 2]} at {i}")
        return Command("drawer", args=(5 if buf[i + 2] in (1, 49) else 2,)), i + 5
    if op == ord("2"):
        return Command("style"), i + 2
    if op in ESC_ONE_ARG:
        if len(buf) < i + 3:
            return None
        if op == ord("d"):
            return Command("feed", args=(buf[i + 2],)), i + 3
        return Command("style", args=(op, buf[i + 2])), i + 3
    raise DecodeError(f"unknown ESC command at {i}: {buf[i : i + 3]!r}")


def _gs(buf: bytes, i: int) -> tuple[Command, int] | None:
    if len(buf) < i + 3:
        return None
    op = buf[i + 1]
    if op == ord("!"):
        return Command("style", args=(op, buf[i + 2])), i + 3
    if op == ord("V"):
        mode = buf[i + 2]
        size = 4 if mode in (65, 66) else 3
        return (Command("cut", args=(mode,)), i + size) if len(buf) >= i + size else None
    if op == ord("(") and buf[i + 2] in b"kL":
        if len(buf) < i + 5:
            return None
        length = buf[i + 3] + buf[i + 4] * 256
        end = i + 5 + length
        if len(buf) < end:
            return None
        body = buf[i + 5 : end]
        if buf[i + 2] == ord("k") and body[:2] == b"1P":
            return Command("qr_store", body[3:]), end
        return Command("qr_other", body), end
    if op == ord("v") and buf[i + 2] == ord("0"):
        if len(buf) < i + 8:
            return None
        width_bytes = buf[i + 4] + buf[i + 5] * 256
        height = buf[i + 6] + buf[i + 7] * 256
        end = i + 8 + width_bytes * height
        if len(buf) < end:
            return None
        return Command("image", buf[i + 8 : end], (width_bytes * 8, height)), end
    raise DecodeError(f"unknown GS command at {i}: {buf[i : i + 3]!r}")
