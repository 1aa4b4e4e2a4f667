"""The shipped demo seeds load and meet the demo's needs; broken seeds fail with a message that
names the file and the problem, so whoever edits them by hand can fix them without a debugger."""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from central.seeds import SeedData, SeedError, SeedShowtime, load_seeds
from contract.errors import BoxOfficeError
from contract.models import SeatKind
from contract.pins import verify_pin

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def seeds() -> SeedData:
    return load_seeds(SEEDS)


def test_minimums(seeds: SeedData) -> None:
    sizes = sorted(len(a.seats) for a in seeds.auditoriums)
    assert len(seeds.auditoriums) >= 5
    assert sizes[-1] >= 600
    assert any(30 <= n <= 50 for n in sizes)
    assert len(seeds.films) >= 14
    assert len(seeds.showtimes) >= 50
    assert len(seeds.bookings) >= 30
    assert [t.id for t in seeds.terminals] == ["T01", "T02", "T03", "T04"]
    assert len(seeds.staff) == 5
    assert {s.role for s in seeds.staff} == {"cashier", "supervisor"}
    assert set(seeds.prices) == set(seeds.festival_prices) == {t.code for t in seeds.ticket_types}
    assert seeds.cinema.timezone == "Asia/Shanghai"


def test_seat_pairs(seeds: SeedData) -> None:
    for auditorium in seeds.auditoriums:
        by_label = {s.label: s for s in auditorium.seats}
        assert len(by_label) == len(auditorium.seats)
        for seat in auditorium.seats:
            assert 0 <= seat.x < auditorium.width and 0 <= seat.y < auditorium.height
            if seat.kind in (SeatKind.WHEELCHAIR, SeatKind.COMPANION, SeatKind.LOVE):
                assert seat.pair is not None, seat
                other = by_label[seat.pair]
                assert other.pair == seat.label
                assert other.row == seat.row and abs(other.x - seat.x) == 1
                if seat.kind is SeatKind.WHEELCHAIR:
                    assert other.kind is SeatKind.COMPANION
                if seat.kind is SeatKind.LOVE:
                    assert other.kind is SeatKind.LOVE
            else:
                assert seat.pair is None
    kinds = {s.kind for a in seeds.auditoriums for s in a.seats}
    assert kinds == set(SeatKind)


def test_no_overlap_in_any_auditorium(seeds: SeedData) -> None:
    day = date(2026, 6, 11)
    windows = defaultdict(list)
    for showtime in seeds.showtimes:
        windows[showtime.auditorium_id].append(seeds.showtime_window(showtime, day))
    for spans in windows.values():
        spans.sort()
        for (_, end), (start, _) in pairwise(spans):
            assert (start - end).total_seconds() >= 15 * 60


def test_bookings_include_early_showtimes(seeds: SeedData) -> None:
    starts = {s.id: s.start_minute for s in seeds.showtimes}
    assert any(9 * 60 <= starts[b.showtime_id] <= 10 * 60 + 30 for b in seeds.bookings)
    assert min(s.start_minute for s in seeds.showtimes) == 9 * 60


def test_demo_pins(seeds: SeedData) -> None:
    staff = {s.id: s for s in seeds.staff}
    assert verify_pin("1111", staff["c01"].pin_hash)
    assert verify_pin("9999", staff["s01"].pin_hash)
    assert not verify_pin("1112", staff["c01"].pin_hash)
    text = (SEEDS / "cinema.toml").read_text(encoding="utf-8")
    for pin in ("1111", "2222", "3333", "4444", "9999"):
        assert pin not in text


def test_prices_for(seeds: SeedData) -> None:
    regular = next(s for s in seeds.showtimes if not s.festival)
    festival = next(s for s in seeds.showtimes if s.festival)
    assert seeds.prices_for(regular) == seeds.prices
    assert seeds.prices_for(festival) == seeds.festival_prices
    assert seeds.festival_prices["adult"] > seeds.prices["adult"]


def test_showtime_window(seeds: SeedData) -> None:
    film = seeds.films[0]
    morning = SeedShowtime("x1", film.id, "aud1", 9 * 60, False)
    start, end = seeds.showtime_window(morning, date(2026, 6, 11))
    assert start == datetime(2026, 6, 11, 1, 0, tzinfo=UTC)
    assert (end - start).total_seconds() == (10 + film.runtime_min) * 60
    late = SeedShowtime("x2", film.id, "aud1", 25 * 60 + 30, False)
    start, _ = seeds.showtime_window(late, date(2026, 6, 11))
    assert start == datetime(2026, 6, 11, 17, 30, tzinfo=UTC)
    local = start.astimezone(ZoneInfo("Asia/Shanghai"))
    assert (local.date(), local.hour, local.minute) == (date(2026, 6, 12), 1, 30)


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _break_syntax(d: Path) -> None:
    _replace(d / "films.toml", "runtime_min = 171", "runtime_min 171")


def _unknown_film(d: Path) -> None:
    _replace(d / "showtimes.toml", 'film = "', 'film = "no-such-film-', 1)


def _overlap(d: Path) -> None:
    # the second showtime of aud1 moved to ten minutes after the first one starts
    text = (d / "showtimes.toml").read_text(encoding="utf-8")
    blocks = text.split("[[showtimes]]")
    aud1 = [i for i, b in enumerate(blocks) if 'auditorium = "aud1"' in b]
    second = blocks[aud1[1]]
    start = second.split('start = "')[1][:5]
    blocks[aud1[1]] = second.replace(f'start = "{start}"', 'start = "09:10"')
    (d / "showtimes.toml").write_text("[[showtimes]]".join(blocks), encoding="utf-8")


def _lonely_wheelchair(d: Path) -> None:
    _replace(d / "auditoriums" / "aud2.txt", "A  WCVV.VVVV", "A  WVVV.VVVV")


def _missing_key(d: Path) -> None:
    _replace(d / "films.toml", "runtime_min = 98\n", "")


@pytest.mark.parametrize(
    ("breaker", "file", "place", "problem"),
    [
        (_break_syntax, "films.toml", "line ", "TOML syntax error"),
        (_unknown_film, "showtimes.toml", "showtimes[0].film", "unknown film 'no-such-film-"),
        (_overlap, "showtimes.toml", ".start", "cleaning gap"),
        (_lonely_wheelchair, "aud2.txt", "line ", "wheelchair space A1 (W) has no"),
        (_missing_key, "films.toml", ".runtime_min", "missing key"),
    ],
    ids=["toml-syntax", "unknown-film", "overlap", "wheelchair-without-companion", "missing-key"],
)
def test_broken_seeds(tmp_path: Path, breaker, file: str, place: str, problem: str) -> None:
    broken = tmp_path / "seeds"
    shutil.copytree(SEEDS, broken)
    breaker(broken)
    with pytest.raises(SeedError) as caught:
        load_seeds(broken)
    message = str(caught.value)
    assert file in message and place in message and problem in message, message
    assert message.startswith(str(caught.value.file))


@pytest.mark.parametrize(
    ("file", "old", "new", "problem"),
    [
        ("cinema.toml", 'timezone = "Asia/Shanghai"', 'timezone = "Asia/Gotham"', "time zone"),
        ("cinema.toml", "adult = 6000", "adult = -1", "greater than or equal to 0"),
        ("cinema.toml", 'pin_hash = "scrypt$', 'pin_hash = "md5$', "bad PIN hash"),
        ("cinema.toml", "member = 4500", 'member = "45"', "valid integer"),
        ("cinema.toml", "percent_off = 20", "percent_off = 20\nprice = 100", "exactly one of"),
        ("cinema.toml", "percent_off = 20", "percent_off = 120", "less than or equal to 100"),
        ("cinema.toml", '"adult", "student"', '"adult", "pensioner"', "unknown ticket type"),
        ("cinema.toml", 'code = "STAFF"', 'code = "MEMBER"', "duplicate discount"),
        ("cinema.toml", 'code = "STAFF"', 'code = "staff ticket"', "should match pattern"),
        ("films.toml", 'id = "yi-yi"', 'id = "rashomon"', "duplicate film id"),
        ("auditoriums/aud2.txt", "E  LL.LL.LL.LL", "E  LL.LL.L.LL", "love seat"),
        ("auditoriums/aud2.txt", "B  VVVV", "a  VVVV", "bad row label"),
        ("auditoriums/aud2.txt", "B  VVVV", "A  VVVV", "duplicate row label"),
        ("auditoriums/aud2.txt", "E  LL.LL.LL.LL", "E  " + "S" * 1000, "too long"),
        ("bookings.toml", 'types = ["', 'types = ["vip-', "unknown ticket type"),
        ("bookings.toml", 'seats = ["', 'seats = ["ZZ', "no seat"),
        ("bookings.toml", 'showtime = "st-', 'showtime = "st-9', "unknown showtime"),
        ("bookings.toml", 'phone = "1', 'phone = "0', "should match pattern"),
    ],
)
def test_more_broken_seeds(tmp_path: Path, file: str, old: str, new: str, problem: str) -> None:
    broken = tmp_path / "seeds"
    shutil.copytree(SEEDS, broken)
    _replace(broken / file, old, new)
    with pytest.raises(SeedError, match=problem) as caught:
        load_seeds(broken)
    assert Path(file).name in str(caught.value)


def test_repeated_booking_seat(tmp_path: Path) -> None:
    broken = tmp_path / "seeds"
    shutil.copytree(SEEDS, broken)
    first = load_seeds(SEEDS).bookings[0]
    seat = first.seats[0]
    text = (broken / "bookings.toml").read_text(encoding="utf-8")
    text += (
        f'\n[[bookings]]\ncode = "ZZZZZ9"\nshowtime = "{first.showtime_id}"\n'
        f'customer = "Dup"\nseats = ["{seat}"]\ntypes = ["adult"]\n'
    )
    (broken / "bookings.toml").write_text(text, encoding="utf-8")
    with pytest.raises(SeedError, match="already booked"):
        load_seeds(broken)


def _nth(path: Path, old: str, new: str, n: int) -> None:
    """Replace the n-th (0-based) occurrence of `old` in the file."""
    text = path.read_text(encoding="utf-8")
    parts = text.split(old)
    assert len(parts) > n + 1, f"fewer than {n + 1} {old!r} in {path}"
    path.write_text(old.join(parts[: n + 1]) + new + old.join(parts[n + 1 :]), encoding="utf-8")


def _broken_copy(tmp_path: Path) -> Path:
    broken = tmp_path / "seeds"
    shutil.copytree(SEEDS, broken)
    return broken


def test_error_names_file_and_key_path(tmp_path: Path) -> None:
    broken = _broken_copy(tmp_path)
    _nth(broken / "films.toml", "runtime_min = ", "runtime_min = 0 # ", 3)
    with pytest.raises(SeedError) as caught:
        load_seeds(broken)
    error = caught.value
    assert str(error).startswith(
        f"{broken / 'films.toml'}: films[3].runtime_min: Input should be greater than or equal to 1"
    )
    assert (error.where, error.code) == ("films[3].runtime_min", "SEED_INVALID")
    assert isinstance(error, BoxOfficeError)
    assert error.detail == {"file": str(broken / "films.toml"), "problems": error.problems}


def test_every_problem_of_a_file_is_listed(tmp_path: Path) -> None:
    broken = _broken_copy(tmp_path)
    _nth(broken / "films.toml", "runtime_min = ", "runtime_min = -5 # ", 1)
    _nth(broken / "films.toml", "year = ", "year = true # ", 2)
    with pytest.raises(SeedError, match=r"\(and 1 more problem\)") as caught:
        load_seeds(broken)
    assert caught.value.problems == [
        "films[1].runtime_min: Input should be greater than or equal to 1",
        "films[2].year: Input should be a valid integer",
    ]


@pytest.mark.parametrize(
    ("file", "old", "new", "n", "where", "problem"),
    [
        (
            "films.toml",
            "runtime_min =",
            "runtime_mins =",
            2,
            "films[2].runtime_mins",
            "unknown key (did you mean 'runtime_min'?",
        ),
        ("cinema.toml", 'role = "cashier"', 'role = "manager"', 1, "staff[1].role", "'cashier' or"),
        (
            "cinema.toml",
            'enrollment_code = "',
            'enrollment_code = "E" #',
            0,
            "terminals[0].enrollment_code",
            "at least 4 characters",
        ),
        (
            "cinema.toml",
            'business_day_starts = "06:00"',
            'business_day_starts = "6am"',
            0,
            "cinema.business_day_starts",
            "expected a time HH:MM (hour 00-23), found '6am'",
        ),
        (
            "cinema.toml",
            "member = 7000",
            "vip = 7000",
            0,
            "festival_prices.vip",
            "unknown ticket type",
        ),
        ("cinema.toml", "member = 4500\n", "", 0, "prices.member", "missing key"),
        ("cinema.toml", 'id = "T02"', 'id = "T01"', 0, "terminals[1].id", "duplicate terminal id"),
        ("showtimes.toml", 'start = "', 'start = "31:00" #', 4, "showtimes[4].start", "hour 00-29"),
        (
            "showtimes.toml",
            'start = "',
            'start = "05:30" #',
            2,
            "showtimes[2].start",
            "outside the business day",
        ),
        (
            "showtimes.toml",
            'auditorium = "',
            'auditorium = "aud99',
            3,
            "showtimes[3].auditorium",
            "unknown auditorium 'aud99",
        ),
        (
            "showtimes.toml",
            "festival = true",
            'festival = "yes"',
            0,
            "showtimes[0].festival",
            "valid boolean",
        ),
        (
            "bookings.toml",
            'types = ["',
            'types = ["adult", "',
            1,
            "bookings[1]",
            "ticket types for 2 seats",
        ),
        ("bookings.toml", 'code = "', 'code = "abc', 0, "bookings[0].code", "should match"),
        ("films.toml", "[[films]]", "[[film]]", 0, "film", "unknown key (did you mean 'films'?"),
    ],
)
def test_error_paths(
    tmp_path: Path, file: str, old: str, new: str, n: int, where: str, problem: str
) -> None:
    broken = _broken_copy(tmp_path)
    _nth(broken / file, old, new, n)
    with pytest.raises(SeedError) as caught:
        load_seeds(broken)
    assert caught.value.file == broken / file
    assert caught.value.where == where, str(caught.value)
    assert problem in caught.value.problem, str(caught.value)
    assert str(caught.value).startswith(f"{broken / file}: {where}: ")
