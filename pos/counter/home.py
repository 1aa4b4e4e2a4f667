"""A terminal's home folder: its settings, its private key, its store.

One folder per terminal, so a test, a drill or a second counter on the same machine is just
another folder (`--home DIR` or `POS_HOME`). The folder is private (0700) and so is every file
written here (0600): the token sells tickets and the key signs them. Each file is written to a
temporary name first and renamed over the old one, so a crash leaves the old file or the new one,
never half of one."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from contract.i18n import Lang
from contract.ticket_code import Ed25519PrivateKey, private_key_bytes, private_key_from_bytes
from contract.validation import check_zone, path, problem
from pos.counter.errors import CounterError
from pos.ports.payments.config import CodePaySettings
from pos.ports.pretix.config import PretixSettings

CONFIG = "config.json"
KEY = "terminal.key"
STORE = "store.db"
STATE = "state.json"


def default_home() -> Path:
    env = os.environ.get("POS_HOME")
    return Path(env) if env else Path(platformdirs.user_data_dir("boxoffice-pos"))


Seconds = Annotated[float, Field(gt=0, le=600)]


class Peer(BaseModel):
    """Another counter of this cinema, asked for seats when a lease runs out offline."""

    model_config = ConfigDict(extra="forbid", strict=True)

    terminal_id: Annotated[str, Field(min_length=1)]
    url: Annotated[str, Field(pattern=r"^https?://[^/\s]+$")]
    """Its peer endpoint, e.g. `http://192.168.1.12:8765` (its `peer_listen`)."""


class Settings(BaseModel):
    """What cinema IT sets once per terminal; everything has a sensible default but the central.

    Strict and closed: a value of the wrong type or a key that is not a setting (a typo) is
    refused when config.json is loaded, naming the key, instead of being coerced or ignored.
    Assignments are checked too (`settings.lease_seats = -1` raises)."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)

    central_url: Annotated[str, Field(min_length=1)]
    terminal_id: Annotated[str, Field(min_length=1)]
    token: str
    cinema_id: str
    timezone: Annotated[str, AfterValidator(check_zone)]
    key_id: str | None = None
    """The id the central knows this terminal's key by (`T01.2` on a replacement machine);
    None means the terminal id, as for every terminal enrolled before key ids."""
    central_key_id: str = "central"
    central_public_key: str = ""
    lease_seats: Annotated[int, Field(ge=0)] = 8
    """Seats kept leased per showtime on sale: enough for a few offline parties."""
    lease_release_minutes: Annotated[int, Field(ge=0)] = 10
    """Unsold leased seats go back to the central this long before the start."""
    connect_timeout: Seconds = 1.0
    read_timeout: Seconds = 1.5
    sale_budget: Seconds = 2.0
    """The most a cashier waits for an online sale before it is served from the lease."""
    printer: str = "dummy:"
    language: Lang = "en"
    paper_width: Literal[58, 80] = 80
    cash_drawer: bool = True
    """A cash drawer hangs on the printer: a cash sale's receipt opens it (ESC p)."""
    cash_drawer_pin: Literal[2, 5] = 2
    """The printer's kick-out connector pin the drawer is wired to (see the drawer's manual)."""
    pretix: PretixSettings | None = None
    """Set when the terminal sells through a pretix event instead of our own central."""
    peers: list[Peer] = []
    """The cinema's other counters, asked in this order for unsold leased seats when this
    one's lease of a showtime runs out while the central is away (a static list is enough)."""
    peer_listen: str = "127.0.0.1:8765"
    """Where this counter answers its peers' asks (`pos run`, `pos demo`, `pos peer serve`):
    loopback by default; set the counter's LAN address (e.g. `192.168.1.11:8765`) for peers on
    other machines. Public or unspecified addresses are refused unless `peer_allow_public`."""
    peer_allow_public: bool = False
    peer_timeout: Seconds = 1.0
    """The most a sale waits for one peer's answer."""
    code_pay: CodePaySettings | None = None
    """Alipay / WeChat Pay merchants for scanned payment codes (keys in files of the home)."""

    def updated(self, **changes: object) -> Settings:
        """A copy with `changes`, checked like a loaded config.json (CounterError BAD_CONFIG)."""
        return _validated(self.model_dump() | changes, "settings")


def check_changes(**changes: object) -> None:
    """Refuse bad values for `Settings.updated` before they can cost anything (an enrollment
    code works once): checked against placeholder central details."""
    placeholder = {
        "central_url": "-",
        "terminal_id": "-",
        "token": "",
        "cinema_id": "",
        "timezone": "UTC",
    }
    _validated(placeholder | changes, "settings")


def _bad_config(file: str, problems: list[tuple[str, str]]) -> CounterError:
    """One line naming the file, the key and the first problem; `detail` lists them all."""
    where, problem = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return CounterError(
        "BAD_CONFIG",
        f"{file}: {where}: {problem}{more}",
        {"file": file, "problems": [f"{w}: {p}" for w, p in problems]},
    )


def _migrate(file: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Read config.json files of older versions: pretix's settings used to live under
    `"extra": {"pretix": {...}}` (and every other terminal wrote `"extra": {}`); the drill's
    test-only `unprotected_leases` switch (always false on a counter) moved to the drill."""
    raw = dict(raw)
    if raw.get("unprotected_leases") is False:
        del raw["unprotected_leases"]
    if "extra" not in raw:
        return raw
    extra = raw.pop("extra")
    if not isinstance(extra, dict):
        raise _bad_config(file, [("extra", "expected an object (an old setting)")])
    extra = dict(extra)
    if "pretix" in extra and "pretix" not in raw:
        raw["pretix"] = extra.pop("pretix")
    if extra:
        raise _bad_config(file, [(f"extra.{key}", "unknown setting") for key in extra])
    return raw


def parse_settings(text: str, file: str = CONFIG) -> Settings:
    """Settings from the text of a config.json; any problem is one CounterError BAD_CONFIG
    naming the key, e.g. `config.json: read_timeout: Input should be a valid number`."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise _bad_config(file, [("-", f"not valid JSON: {exc}")]) from None
    if not isinstance(raw, dict):
        raise _bad_config(file, [("-", "expected a JSON object of settings")])
    return _validated(_migrate(file, raw), file)


def _validated(raw: dict[str, Any], file: str) -> Settings:
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = [
            (path(err["loc"]) or "-", problem(Settings, err, "setting")) for err in exc.errors()
        ]
        raise _bad_config(file, problems) from None


def settings_json(settings: Settings) -> str:
    """What `Home.save` writes: every field (pretix only when set), so a reader sees every
    setting it may change."""
    unset = {"pretix"} if settings.pretix is None else set()
    return settings.model_dump_json(indent=2, exclude=unset) + "\n"


def _make_private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)


def write_private(path: Path, data: bytes) -> None:
    """Write `path` atomically with mode 0600: a temporary file in the same folder, synced and
    made private before it takes the name (os.replace), so no reader ever sees a half-written
    or world-readable file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # the rename itself durable, where the OS allows it
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


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

    @property
    def state_path(self) -> Path:
        return self.path / STATE

    def make_private(self) -> None:
        """Only this terminal's user may read its home: the folder and every folder in it 0700,
        every file 0600, whatever the umask was when something wrote it. The store is created
        0600 before SQLite opens it, so its WAL and shared-memory files inherit that mode."""
        _make_private_dir(self.path)
        if not self.store_path.exists():
            os.close(os.open(self.store_path, os.O_WRONLY | os.O_CREAT, 0o600))
        for folder, dirs, files in os.walk(self.path):
            for name in dirs:
                os.chmod(os.path.join(folder, name), 0o700)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o600)

    def exists(self) -> bool:
        return self.config_path.exists()

    def load(self) -> Settings:
        if not self.exists():
            raise CounterError(
                "NOT_ENROLLED",
                f"No terminal here ({self.path}); run `pos enroll --central URL --code CODE`.",
            )
        try:
            text = self.config_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CounterError("BAD_CONFIG", f"{self.config_path}: unreadable: {exc}") from exc
        return parse_settings(text, str(self.config_path))

    def save(self, settings: Settings) -> None:
        self.make()
        write_private(self.config_path, settings_json(settings).encode())

    def make(self) -> None:
        """Create the folder (0700), or make an existing one private."""
        _make_private_dir(self.path)

    def key(self) -> Ed25519PrivateKey:
        """The terminal's signing key; a missing or damaged file is a clear error, since every
        offline ticket this terminal prints is signed with it."""
        try:
            return private_key_from_bytes(self.key_path.read_bytes())
        except (OSError, ValueError) as exc:
            raise CounterError(
                "BAD_KEY_FILE",
                f"{self.key_path} is missing or damaged ({exc.__class__.__name__}); restore it"
                " from backup, or enroll this terminal again with a new code.",
            ) from exc

    def save_key(self, key: Ed25519PrivateKey) -> None:
        self.make()
        write_private(self.key_path, private_key_bytes(key))


@dataclass
class RuntimeState:
    """What one run of `pos` tells the next: the last known mode and the business date the
    central is selling, so a CLI call during an outage goes straight to the offline path."""

    mode: str = "online"
    business_date: str | None = None


def load_state(home: Home) -> RuntimeState:
    """A missing or damaged state file means "no hint": start from the defaults."""
    try:
        return RuntimeState(**json.loads(home.state_path.read_text()))
    except (OSError, ValueError, TypeError):
        return RuntimeState()


def save_state(home: Home, state: RuntimeState) -> None:
    home.make()
    write_private(home.state_path, json.dumps(asdict(state)).encode())
