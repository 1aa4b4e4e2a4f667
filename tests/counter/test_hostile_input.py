"""Hostile and clumsy input at the command line: every answer is exit 0, 1 or 2 with at most
one line of error, never a traceback, and a refused command (exit 2) leaves the central as it
was."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contract.errors import BoxOfficeError
from offline import journal, outbox
from pos.counter.home import Home
from pos.counter.service import Counter
from tests.kit import args, pos, sell_args, with_counter

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def crafted(payload: object) -> str:
    """A code in our format whose payload is whatever the attacker likes."""
    return f"BO1.{b64(json.dumps(payload).encode())}.{b64(b'x' * 64)}"


HOSTILE_CODES = [
    crafted({"t": "T1", "s": "st-001", "p": "A1", "y": "adult", "a": 10**30, "k": "central",
             "c": "x"}),
    crafted({"t": "T1", "s": "st-001", "p": "A1", "y": "adult", "a": -(10**12), "k": "central",
             "c": "x"}),
    crafted({"t": "T1", "s": "st-001", "p": "A1", "y": "adult", "a": True, "k": "central",
             "c": "x"}),
    "BO1." + b64(b"[" * 100_000) + ".AA",
    "BO1." + "A" * 100_000 + ".AA",
    "\x00" * 1000,
    "",
]  # fmt: skip


def verify(home: Home, code: str) -> tuple[int, str, str]:
    return pos(*args(home, "verify", code, "--json"))


def assert_one_line_or_verdict(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and "[" in err, err
    else:
        assert json.loads(out)["verdict"]


def test_verify_gives_a_verdict_for_crafted_codes(home: Home) -> None:
    for code_text in HOSTILE_CODES:
        code, out, err = verify(home, code_text)
        assert code == 1, err
        assert json.loads(out)["verdict"] in ("forged", "altered"), out


@SETTINGS
@given(st.text(max_size=400) | st.builds(crafted, st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(list("tspyakc")), inner, max_size=7),
    max_leaves=12,
)))  # fmt: skip
def test_verify_never_raises(home: Home, code_text: str) -> None:
    if code_text.startswith("-"):
        code_text = " " + code_text  # argparse would read it as an option
    assert_one_line_or_verdict(*verify(home, code_text))


def central_rows(db: Path) -> tuple[int, int]:
    """Sales and holds the central has recorded, read from its own database file."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return (
            conn.execute("SELECT COUNT(*) FROM sales").fetchone()[0],
            conn.execute("SELECT COUNT(*) FROM holds").fetchone()[0],
        )


SEATS = st.sampled_from(
    [
        "auto:2",
        "auto:0",
        "auto:-1",
        "auto:99999",
        "auto:x",
        "A1,A1",
        "Z99",
        "A1,,A2",
        ",",
        "a1",
        "A" * 300,
    ]
) | st.builds(
    ",".join, st.lists(st.sampled_from(["A1", "A2", "B3", "E10", "Q1", "1A", ""]), max_size=5)
)
PAY = st.builds(
    "{}={}".format,
    st.sampled_from(["cash", "card", "wechat", "gold", ""]),
    st.one_of(
        st.integers(-(10**22), 10**22).map(str),
        st.sampled_from(["60.001", "1e9", "nan", "100:" + "R" * 300, "x", ""]),
    ),
)
TYPES = st.sampled_from(["adult", "adult,child", "child,child,child", "nobody", "", ","])


@SETTINGS
@example(
    showtime="st-002",
    seats="auto:1",
    types=None,
    pay="cash=10000000000000000000000",
    who=("c01", "1111"),
)
@example(
    showtime="st-002", seats="auto:1", types=None, pay="card=100:" + "R" * 300, who=("c01", "1111")
)
@example(showtime="st-002", seats="A1,A1", types="adult", pay="cash=100000", who=("c01", "1111"))
@given(
    showtime=st.sampled_from(["st-001", "st-002", "st-999", "", "../x"]),
    seats=SEATS,
    types=st.none() | TYPES,
    pay=PAY,
    who=st.sampled_from([("c01", "1111"), ("c01", "0000"), ("nobody", "1111"), ("", "")]),
)  # fmt: skip
def test_sell_with_hostile_values(
    home: Home, central_db: Path, showtime: str, seats: str, types: str | None, pay: str,
    who: tuple[str, str],
) -> None:  # fmt: skip
    before = central_rows(central_db)
    extra = ["--types", types] if types is not None else []
    code, _out, err = pos(*args(home, "sell", "--showtime", showtime, "--seats", seats, *extra,
                               "--pay", pay, "--cashier", who[0], "--pin", who[1]))  # fmt: skip
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err
        assert central_rows(central_db) == before, f"refused ({err.strip()}) yet the central acted"


def test_a_missing_or_truncated_key_file_is_one_line(home: Home) -> None:
    home.key_path.write_bytes(home.key_path.read_bytes()[:7])
    code, _, err = pos(*args(home, "status"))
    assert code == 2 and err.count("\n") == 1 and "[BAD_KEY_FILE]" in err
    home.key_path.unlink()
    code, _, err = pos(*sell_args(home, "st-002", "auto:1"))
    assert code == 2 and err.count("\n") == 1 and "[BAD_KEY_FILE]" in err


def test_a_full_disk_is_a_clear_error_and_the_store_stays_whole(home: Home) -> None:
    """The disk fills while a sale's rows are written: the whole transaction rolls back and
    the error is STORE_FULL (a BoxOfficeError: one line in the CLI, one dialog in the TUI)."""

    async def write_on_a_full_disk(counter: Counter) -> tuple[str, int, int, bool]:
        store = counter.store
        before = (outbox.depth(store), journal.verify(store).entries)
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")  # no page more: the disk is full
        try:
            with store.atomic():
                journal.append(store, "reprint", payload={"jobs": []})
                outbox.enqueue(store, "release", "k-full", {"seats": ["A1"] * 100_000})
        except BoxOfficeError as exc:
            code = exc.code
        else:
            code = "written"
        store.db.execute("PRAGMA max_page_count = 1073741823")
        check = journal.verify(store)
        ok = store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok" and check.ok
        return code, outbox.depth(store) - before[0], check.entries - before[1], ok

    assert with_counter(home, write_on_a_full_disk) == ("STORE_FULL", 0, 0, True)
