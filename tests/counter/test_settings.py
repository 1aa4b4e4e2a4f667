"""A terminal's home: config.json is checked on load (naming the key at fault), old files with
`extra.pretix` still load, and every file the home writes is private and written atomically."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from central.server import CentralThread
from contract.errors import BoxOfficeError
from contract.models import StaffMember
from contract.ticket_code import new_private_key, private_key_bytes
from pos.counter.errors import CounterError
from pos.counter.home import (
    Home,
    RuntimeState,
    Settings,
    check_changes,
    load_state,
    save_state,
)
from pos.ports import client_for
from pos.ports.central_client import CentralClient
from pos.ports.pretix.client import PretixClient
from pos.ports.pretix.config import PretixConfig, PretixSettings
from tests.kit import args, enroll_home, pos, pos_json, sell_args

BASE = {
    "central_url": "http://127.0.0.1:1",
    "terminal_id": "T01",
    "token": "tok",
    "cinema_id": "sh-lumiere",
    "timezone": "Asia/Shanghai",
}
PRETIX = {
    "organizer": "lumiere",
    "event": "festival",
    "channel": "api.boxoffice",
    "salt": "0123456789abcdef0123456789abcdef",
    "staff": [{"id": "c01", "name": "王小明", "role": "cashier", "pin_hash": "scrypt$1$1$1$a$b"}],
}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def write_config(home: Home, config: dict[str, object]) -> None:
    home.path.mkdir(parents=True, exist_ok=True)
    home.config_path.write_text(json.dumps(config), encoding="utf-8")


def load_error(home: Home, config: dict[str, object]) -> CounterError:
    write_config(home, config)
    with pytest.raises(CounterError) as caught:
        home.load()
    assert caught.value.code == "BAD_CONFIG"
    assert isinstance(caught.value, BoxOfficeError)
    assert "\n" not in caught.value.message
    return caught.value


def test_round_trip_writes_private_files_atomically(tmp_path: Path) -> None:
    home = Home(tmp_path / "t1")
    settings = Settings(**BASE, lease_seats=4, language="zh")
    home.save(settings)
    home.save_key(new_private_key())
    save_state(home, RuntimeState(mode="offline", business_date="2026-06-11"))

    assert home.load() == settings
    assert load_state(home) == RuntimeState(mode="offline", business_date="2026-06-11")
    assert mode(home.path) == 0o700
    for name in ("config.json", "terminal.key", "state.json"):
        assert mode(home.path / name) == 0o600, name
    assert sorted(p.name for p in home.path.iterdir()) == [
        "config.json",
        "state.json",
        "terminal.key",
    ]


def test_an_existing_home_is_made_private_and_files_replaced(tmp_path: Path) -> None:
    home = Home(tmp_path / "t1")
    home.path.mkdir(mode=0o755)
    home.path.chmod(0o755)
    home.key_path.write_bytes(b"old")
    home.key_path.chmod(0o644)
    key = new_private_key()
    home.save_key(key)
    assert mode(home.path) == 0o700
    assert mode(home.key_path) == 0o600
    assert home.key_path.read_bytes() == private_key_bytes(key)


def test_every_key_written_is_a_setting(tmp_path: Path) -> None:
    home = Home(tmp_path / "t1")
    for settings in (Settings(**BASE), Settings(**BASE, pretix=PretixSettings(**PRETIX))):
        home.save(settings)
        written = json.loads(home.config_path.read_text(encoding="utf-8"))
        expected = set(Settings.model_fields) - ({"pretix"} if settings.pretix is None else set())
        assert set(written) == expected
        assert home.load() == settings


def test_wrong_type_names_the_key(tmp_path: Path) -> None:
    home = Home(tmp_path / "t1")
    error = load_error(home, {**BASE, "read_timeout": "fast"})
    assert f"{home.config_path}: read_timeout: Input should be a valid number" in str(error)
    assert error.detail == {
        "file": str(home.config_path),
        "problems": ["read_timeout: Input should be a valid number"],
    }


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        ({"printr": "tcp://10.0.0.5"}, "printr", "unknown setting (did you mean 'printer'?)"),
        ({"lease_seats": -1}, "lease_seats", "greater than or equal to 0"),
        ({"lease_seats": "8"}, "lease_seats", "valid integer"),
        ({"unprotected_leases": True}, "unprotected_leases", "unknown setting"),
        ({"sale_budget": "soon"}, "sale_budget", "valid number"),
        ({"language": "fr"}, "language", "'en' or 'zh'"),
        ({"paper_width": 72}, "paper_width", "58 or 80"),
        ({"timezone": "Asia/Gotham"}, "timezone", "unknown time zone 'Asia/Gotham'"),
        ({"connect_timeout": 0}, "connect_timeout", "greater than 0"),
        ({"pretix": {**PRETIX, "evnt": "x"}}, "pretix.evnt", "did you mean 'event'?"),
        ({"pretix": {"organizer": "o"}}, "pretix.event", "missing setting"),
    ],
)
def test_bad_values_name_the_key(
    tmp_path: Path, change: dict[str, object], where: str, problem: str
) -> None:
    home = Home(tmp_path / "t1")
    error = load_error(home, {**BASE, **change})
    assert error.message.startswith(f"{home.config_path}: {where}: "), error.message
    assert problem in error.message, error.message


def test_missing_and_broken_files(tmp_path: Path) -> None:
    home = Home(tmp_path / "t1")
    with pytest.raises(CounterError) as caught:
        home.load()
    assert caught.value.code == "NOT_ENROLLED"
    missing = {k: v for k, v in BASE.items() if k != "token"}
    assert "token: missing setting" in load_error(home, missing).message
    home.config_path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CounterError, match="not valid JSON") as caught:
        home.load()
    assert caught.value.code == "BAD_CONFIG"
    home.config_path.write_text("[]", encoding="utf-8")
    with pytest.raises(CounterError, match="expected a JSON object"):
        home.load()


def test_old_config_with_extra_is_migrated(tmp_path: Path) -> None:
    home = Home(tmp_path / "t1")
    write_config(home, {**BASE, "extra": {}, "unprotected_leases": False})
    assert home.load().pretix is None

    write_config(home, {**BASE, "extra": {"pretix": PRETIX}})
    settings = home.load()
    assert settings.pretix == PretixSettings(**PRETIX)
    assert settings.pretix.staff_members() == [StaffMember(**PRETIX["staff"][0])]
    home.save(settings)
    written = json.loads(home.config_path.read_text(encoding="utf-8"))
    assert "extra" not in written and written["pretix"] == PRETIX

    error = load_error(home, {**BASE, "extra": {"pretix": PRETIX, "colour": "red"}})
    assert error.message.startswith(f"{home.config_path}: extra.colour: unknown setting")


def test_changes_are_checked(tmp_path: Path) -> None:
    settings = Settings(**BASE)
    assert settings.updated(lease_seats=2, printer="tcp://10.0.0.5").lease_seats == 2
    assert settings.lease_seats == 8
    with pytest.raises(CounterError, match=r"settings: lease_seats: .*greater than") as caught:
        settings.updated(lease_seats=-1)
    assert caught.value.code == "BAD_CONFIG"
    with pytest.raises(CounterError, match="language"):
        check_changes(language="fr")
    check_changes(language="zh", lease_seats=0)
    with pytest.raises(ValidationError):
        settings.read_timeout = "slow"  # type: ignore[assignment]
    settings.language = "zh"
    assert settings.language == "zh"


def test_bad_enroll_option_is_refused_before_the_code_is_spent(tmp_path: Path) -> None:
    # port 1 refuses connections: reaching the central would fail with another code
    rc, out, err = pos(
        "enroll", "--central", "http://127.0.0.1:1", "--code", "ENROLL-T01-7Q4K",
        "--lease-seats", "-1", "--home", str(tmp_path / "t1"),
    )  # fmt: skip
    assert rc == 2 and out == ""
    assert "[BAD_CONFIG]" in err and "lease_seats" in err and err.count("\n") == 1
    assert not (tmp_path / "t1").exists()


async def test_client_for_follows_the_pretix_setting() -> None:
    plain = client_for(Settings(**BASE))
    assert isinstance(plain, CentralClient)
    await plain.aclose()
    pretix = PretixSettings(**PRETIX)
    client = client_for(Settings(**BASE, pretix=pretix))
    assert isinstance(client, PretixClient)
    assert client.config is pretix and PretixConfig is PretixSettings
    assert client.ev == "/organizers/lumiere/events/festival"
    await client.aclose()


def test_everything_in_a_used_home_is_private_whatever_the_umask(
    live_central: CentralThread, tmp_path: Path
) -> None:
    old = os.umask(0)  # the most careless umask: every file created world-writable
    try:
        home = enroll_home(live_central, tmp_path / "t1", lease_seats=2)
        pos_json(*sell_args(home, "st-002", "auto:1"))
        pos_json(
            *args(home, "shift", "open", "--cashier", "c03", "--pin", "3333", "--float", "100x1")
        )
        pos_json(
            *args(home, "shift", "close", "--cashier", "c03", "--pin", "3333", "--count", "100x1")
        )
    finally:
        os.umask(old)
    seen = {p.relative_to(home.path).as_posix(): mode(p) for p in home.path.rglob("*")}
    assert "store.db" in seen and any(name.startswith("reports/") for name in seen)
    assert mode(home.path) == 0o700
    wrong = {name: oct(m) for name, m in seen.items()
             if m != (0o700 if (home.path / name).is_dir() else 0o600)}  # fmt: skip
    assert wrong == {}
