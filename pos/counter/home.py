"""A terminal's home folder: its settings, its private key, its store.

One folder per terminal, so a test, a drill or a second counter on the same machine is just
another folder (`--home DIR` or `POS_HOME`)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import platformdirs

from contract.ticket_code import Ed25519PrivateKey, private_key_bytes, private_key_from_bytes
from pos.counter.errors import CounterError

CONFIG = "config.json"
KEY = "terminal.key"
STORE = "store.db"


def default_home() -> Path:
    env = os.environ.get("POS_HOME")
    return Path(env) if env else Path(platformdirs.user_data_dir("boxoffice-pos"))


@dataclass
class Settings:
    """What cinema IT sets once per terminal; everything has a sensible default but the central."""

    central_url: str
    terminal_id: str
    token: str
    cinema_id: str
    timezone: str
    central_key_id: str = "central"
    central_public_key: str = ""
    lease_seats: int = 8
    """Seats kept leased per showtime on sale: enough for a few offline parties."""
    lease_release_minutes: int = 10
    """Unsold leased seats go back to the central this long before the start."""
    connect_timeout: float = 1.0
    read_timeout: float = 1.5
    sale_budget: float = 2.0
    """The most a cashier waits for an online sale before it is served from the lease."""
    printer: str = "dummy:"
    language: str = "en"
    paper_width: int = 80
    extra: dict[str, object] = field(default_factory=dict)
    unprotected_leases: bool = False
    """TEST ONLY, a deliberately broken build: every lease is given back to the central as soon
    as it is taken, yet its seats are still sold offline. The festival drill must then report
    double-sold seats; that is how we know its check can fail. Never set it on a real counter."""


@dataclass
class Home:
    path: Path

    @property
    def config_path(self) -> Path:
        return self.path / CONFIG

    @property
    def store_path(self) -> Path:
        return self.path / STORE

    @property
    def key_path(self) -> Path:
        return self.path / KEY

    def exists(self) -> bool:
        return self.config_path.exists()

    def load(self) -> Settings:
        if not self.exists():
            raise CounterError(
                "NOT_ENROLLED",
                f"No terminal here ({self.path}); run `pos enroll --central URL --code CODE`.",
            )
        try:
            raw = json.loads(self.config_path.read_text())
            return Settings(**raw)
        except (ValueError, TypeError) as exc:
            raise CounterError("BAD_CONFIG", f"{self.config_path} is unreadable: {exc}") from exc

    def save(self, settings: Settings) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.config_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(settings), indent=2))
        os.chmod(tmp, 0o600)
        tmp.replace(self.config_path)

    def key(self) -> Ed25519PrivateKey:
        return private_key_from_bytes(self.key_path.read_bytes())

    def save_key(self, key: Ed25519PrivateKey) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(private_key_bytes(key))


STATE = "state.json"


@dataclass
class RuntimeState:
    """What one run of `pos` tells the next: the last known mode and the business date the
    central is selling, so a CLI call during an outage goes straight to the offline path."""

    mode: str = "online"
    business_date: str | None = None


def load_state(home: Home) -> RuntimeState:
    try:
        return RuntimeState(**json.loads((home.path / STATE).read_text()))
    except (OSError, ValueError, TypeError):
        return RuntimeState()


def save_state(home: Home, state: RuntimeState) -> None:
    tmp = home.path / (STATE + ".tmp")
    tmp.write_text(json.dumps(asdict(state)))
    tmp.replace(home.path / STATE)
