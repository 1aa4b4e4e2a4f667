"""Printers from one setting string, e.g. `tcp://10.0.0.5` or `usb://04b8:0202`.

Parsing is strict and separate from opening: a bad setting fails when it is read, with one message
naming every accepted form; the python-escpos object is only built (and the device only opened)
when the first job needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

from escpos.escpos import Escpos

from printer.errors import PrinterConnectionError, PrinterSettingError

ConnectionKind = Literal["usb", "tcp", "serial", "cups", "file", "dummy"]

DEFAULT_PORT = 9100
DEFAULT_TIMEOUT = 2.0
"""Seconds to connect or to wait for a status reply before calling the printer unreachable."""

ACCEPTED_FORMS = (
    "usb://VID:PID (hex, e.g. usb://04b8:0202), "
    "tcp://HOST[:PORT] (port 9100 if omitted), "
    "serial:///dev/ttyUSB0?baudrate=19200, "
    "cups://PRINTER_NAME, "
    "file:///dev/usb/lp0, "
    "dummy:"
)

_OPTIONS: dict[str, set[str]] = {
    "usb": {"timeout", "status", "in_ep", "out_ep"},
    "tcp": {"timeout", "status"},
    "serial": {"timeout", "status", "baudrate"},
    "cups": {"status"},
    "file": set(),
    "dummy": set(),
}


@dataclass(frozen=True, slots=True)
class ConnectionSpec:
    """A parsed printer setting. `reads_status` is False where the link is one-way."""

    kind: ConnectionKind
    target: str = ""
    """Host, device path or CUPS queue name."""
    port: int = DEFAULT_PORT
    vendor_id: int = 0
    product_id: int = 0
    timeout: float = DEFAULT_TIMEOUT
    options: dict[str, int] = field(default_factory=dict)
    """Kind-specific numbers: baudrate, in_ep, out_ep."""
    status_queries: bool = True
    """`?status=off` turns status queries off for printers that never answer them."""

    @property
    def reads_status(self) -> bool:
        return self.kind in ("usb", "tcp", "serial", "cups") and self.status_queries


def parse_setting(setting: str) -> ConnectionSpec:
    """Parse a printer setting; raises PrinterSettingError naming the accepted forms."""
    text = setting.strip()
    try:
        return _parse(text)
    except (ValueError, KeyError) as exc:
        raise PrinterSettingError(
            f"Printer setting {setting!r} is not understood ({exc}). Use one of: {ACCEPTED_FORMS}"
        ) from exc


def open_escpos(spec: ConnectionSpec, profile: str | None = None) -> Escpos:
    """The python-escpos printer for a spec, opened now so failures surface here."""
    from escpos import printer as drivers

    try:
        if spec.kind == "tcp":
            device: Escpos = drivers.Network(spec.target, spec.port, spec.timeout, profile=profile)
        elif spec.kind == "usb":
            device = drivers.Usb(
                spec.vendor_id,
                spec.product_id,
                timeout=int(spec.timeout * 1000),  # pyusb counts milliseconds
                in_ep=spec.options.get("in_ep", 0x82),
                out_ep=spec.options.get("out_ep", 0x01),
                profile=profile,
            )
        elif spec.kind == "serial":
            device = drivers.Serial(
                spec.target,
                baudrate=spec.options.get("baudrate", 9600),
                timeout=spec.timeout,
                profile=profile,
            )
        elif spec.kind == "cups":
            device = drivers.CupsPrinter(spec.target, profile=profile)
        elif spec.kind == "file":
            device = drivers.File(spec.target, profile=profile)
        else:
            device = drivers.Dummy(profile=profile)
        device.open()
    except RuntimeError as exc:
        # python-escpos raises RuntimeError when the optional driver library is not installed.
        raise PrinterConnectionError(
            f"The {spec.kind} printer driver is not installed: "
            f"pip install 'python-escpos[{spec.kind}]' ({exc})",
            code="PRINTER_DRIVER_MISSING",
        ) from exc
    except Exception as exc:  # DeviceNotFoundError, OSError, usb/serial errors
        raise PrinterConnectionError(
            f"Cannot open the {spec.kind} printer {spec.target or ''}: {exc}",
            code="PRINTER_UNREACHABLE",
        ) from exc
    return device


def _parse(text: str) -> ConnectionSpec:
    if text in ("dummy:", "dummy://"):
        return ConnectionSpec("dummy")
    parts = urlsplit(text)
    kind = parts.scheme.lower()
    if kind not in _OPTIONS:
        raise ValueError(f"unknown kind {parts.scheme!r}" if parts.scheme else "no kind given")
    query = dict(parse_qsl(parts.query, strict_parsing=bool(parts.query)))
    unknown = set(query) - _OPTIONS[kind]
    if unknown:
        raise ValueError(f"unknown option {sorted(unknown)[0]!r} for {kind}")
    timeout = float(query.pop("timeout", DEFAULT_TIMEOUT))
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    status = query.pop("status", "on")
    if status not in ("on", "off"):
        raise ValueError("status must be on or off")
    common = {"timeout": timeout, "status_queries": status == "on"}
    if kind == "tcp":
        if not parts.hostname or parts.path not in ("", "/"):
            raise ValueError("tcp needs a host and nothing after it")
        return ConnectionSpec("tcp", parts.hostname, parts.port or DEFAULT_PORT, **common)
    if kind == "usb":
        vid, _, pid = parts.netloc.partition(":")
        ids = (int(vid, 16), int(pid, 16))
        if not all(0 < i <= 0xFFFF for i in ids) or parts.path:
            raise ValueError("usb needs VID:PID in hex")
        options = {k: int(v, 0) for k, v in query.items()}
        return ConnectionSpec("usb", "", 0, ids[0], ids[1], options=options, **common)
    if kind == "serial":
        if parts.netloc or not parts.path.startswith("/"):
            raise ValueError("serial needs a device path: serial:///dev/ttyUSB0")
        options = {"baudrate": int(query.get("baudrate", "9600"))}
        return ConnectionSpec("serial", parts.path, 0, options=options, **common)
    if kind == "cups":
        name = parts.netloc + parts.path.rstrip("/")
        if not name or "/" in name:
            raise ValueError("cups needs a printer name")
        return ConnectionSpec("cups", name, 0, **common)
    if parts.netloc or not parts.path.startswith("/"):
        raise ValueError("file needs an absolute path: file:///dev/usb/lp0")
    return ConnectionSpec("file", parts.path)
