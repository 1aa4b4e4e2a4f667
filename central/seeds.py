"""Load and validate the demo seed data in `seeds/`.

The seeds are edited by hand (TOML files and auditorium layouts drawn as text), so every mistake
must be reported as one `SeedError` that names the file, the place in it and the problem: the
person who broke a seat map should not have to read a traceback from deep inside the central.
"""

from __future__ import annotations

import base64
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError

from contract.models import Auditorium, Cinema, Film, Seat, SeatKind, TicketType

__all__ = [
    "SeedBooking",
    "SeedData",
    "SeedError",
    "SeedShowtime",
    "SeedStaff",
    "SeedTerminal",
    "load_seeds",
]

CLEANING_MINUTES = 15
ROLES = ("cashier", "supervisor")
SEAT_KINDS = {
    "S": SeatKind.STANDARD,
    "V": SeatKind.VIP,
    "W": SeatKind.WHEELCHAIR,
    "C": SeatKind.COMPANION,
    "L": SeatKind.LOVE,
}
GAPS = {".", " "}
_ROW_LABEL = re.compile(r"^[A-Z]{1,2}$")
_SEAT_LABEL = re.compile(r"^[A-Z]{1,2}\d{1,3}$")
_CLOCK = re.compile(r"^(\d{2}):(\d{2})$")
_BOOKING_CODE = re.compile(r"^[A-Z0-9]{6}$")
_PIN_HASH = re.compile(r"^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$")
_IDENT = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_ROW_LINE = re.compile(r"^(\S+)(?:[ \t]+(.*))?$")
_TOML_POS = re.compile(r"\s*\(at (line \d+, column \d+|end of document)\)\s*$")

M = TypeVar("M", bound=BaseModel)


class SeedError(ValueError):
    """Names the file, the place in it (line, or key path like films[3].runtime_min) and the
    problem."""

    def __init__(self, file: Path, where: str, problem: str) -> None:
        self.file = Path(file)
        self.where = where
        self.problem = problem
        super().__init__(f"{file}: {where}: {problem}")


@dataclass(frozen=True)
class SeedTerminal:
    id: str
    name: str
    enrollment_code: str


@dataclass(frozen=True)
class SeedStaff:
    id: str
    name: str
    role: str
    """"cashier" or "supervisor"."""
    pin_hash: str


@dataclass(frozen=True)
class SeedShowtime:
    id: str
    film_id: str
    auditorium_id: str
    start_minute: int
    """Minutes after local midnight of the business date; above 1440 after midnight."""
    festival: bool


@dataclass(frozen=True)
class SeedBooking:
    code: str
    showtime_id: str
    customer: str
    seats: tuple[str, ...]
    ticket_types: tuple[str, ...]


@dataclass(frozen=True)
class SeedData:
    cinema: Cinema
    terminals: tuple[SeedTerminal, ...]
    staff: tuple[SeedStaff, ...]
    ticket_types: tuple[TicketType, ...]
    prices: dict[str, int]
    festival_prices: dict[str, int]
    films: tuple[Film, ...]
    auditoriums: tuple[Auditorium, ...]
    showtimes: tuple[SeedShowtime, ...]
    bookings: tuple[SeedBooking, ...]
    TRAILER_MINUTES: ClassVar[int] = 10

    def film(self, film_id: str) -> Film:
        return next(f for f in self.films if f.id == film_id)

    def auditorium(self, auditorium_id: str) -> Auditorium:
        return next(a for a in self.auditoriums if a.id == auditorium_id)

    def prices_for(self, showtime: SeedShowtime) -> dict[str, int]:
        """A copy, so a caller adjusting prices cannot change the seeds under everyone else."""
        return dict(self.festival_prices if showtime.festival else self.prices)

    def showtime_window(
        self, showtime: SeedShowtime, business_date: date
    ) -> tuple[datetime, datetime]:
        """Start and end in UTC (aware datetimes), computed in the cinema's zone (zoneinfo).
        end = start + trailers + runtime."""
        local = datetime.combine(business_date, time()) + timedelta(minutes=showtime.start_minute)
        start = local.replace(tzinfo=ZoneInfo(self.cinema.timezone)).astimezone(UTC)
        minutes = self.TRAILER_MINUTES + self.film(showtime.film_id).runtime_min
        return start, start + timedelta(minutes=minutes)


# --- generic readers -------------------------------------------------------------------------


def _read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file; a syntax error becomes a SeedError with tomllib's line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SeedError(path, "-", "file not found") from None
    except UnicodeDecodeError as exc:
        raise SeedError(path, f"byte {exc.start}", "not valid UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POS.search(message)
        where = match.group(1) if match else "-"
        problem = message[: match.start()] if match else message
        raise SeedError(path, where, f"TOML syntax error: {problem}") from None


def _type_name(value: object) -> str:
    return {
        str: "a string",
        int: "an integer",
        bool: "true/false",
        list: "a list",
        dict: "a table",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _check_type(file: Path, where: str, value: object, expected: type) -> None:
    # bool is a subclass of int: `price = true` must not pass as 1 fen
    ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    if not ok:
        raise SeedError(
            file,
            where,
            f"expected {_type_name(expected())}, found {_type_name(value)} {value!r}",
        )


def _fields(
    file: Path,
    where: str,
    table: object,
    required: dict[str, type],
    optional: dict[str, type] | None = None,
) -> dict[str, Any]:
    """Check one TOML table: required keys present, no unknown keys (a typo must fail loudly,
    not silently drop an optional value), every value of the right type."""
    optional = optional or {}
    _check_type(file, where, table, dict)
    assert isinstance(table, dict)
    for key in required:
        if key not in table:
            raise SeedError(file, f"{where}.{key}", "missing key")
    for key, value in table.items():
        expected = required.get(key) or optional.get(key)
        if expected is None:
            known = ", ".join([*required, *optional])
            raise SeedError(file, f"{where}.{key}", f"unknown key (known keys: {known})")
        _check_type(file, f"{where}.{key}", value, expected)
    return table


def _array(file: Path, data: dict[str, Any], key: str) -> list[Any]:
    """An array of tables such as [[films]], which must be present and non-empty."""
    if key not in data:
        raise SeedError(file, key, f"missing key (expected [[{key}]] entries)")
    items = data[key]
    _check_type(file, key, items, list)
    if not items:
        raise SeedError(file, key, "must not be empty")
    return items


def _str_list(file: Path, where: str, value: list[Any]) -> tuple[str, ...]:
    for i, item in enumerate(value):
        _check_type(file, f"{where}[{i}]", item, str)
    return tuple(value)


def _model(file: Path, where: str, model: type[M], data: dict[str, Any]) -> M:
    """Build a contract model, turning pydantic's error into a SeedError with the key path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        path = ".".join(str(part) for part in err["loc"])
        raise SeedError(file, f"{where}.{path}" if path else where, err["msg"]) from None


def _unique(file: Path, items: Iterable[tuple[str, str]], what: str) -> None:
    """items are (where, value); the second occurrence of a value is the error."""
    seen: dict[str, str] = {}
    for where, value in items:
        if value in seen:
            raise SeedError(file, where, f"duplicate {what} {value!r} (first at {seen[value]})")
        seen[value] = where


def _check_ident(file: Path, where: str, value: str) -> None:
    """Ids travel in URLs and on the wire, so they follow the contract's Ident rule."""
    if not _IDENT.match(value):
        raise SeedError(file, where, f"bad id {value!r}: 1-64 characters of A-Z a-z 0-9 _ . : -")


def _clock(file: Path, where: str, value: str, max_hour: int) -> int:
    """HH:MM to minutes after midnight; hours up to max_hour for after-midnight showtimes."""
    match = _CLOCK.match(value)
    if not match or int(match.group(1)) > max_hour or int(match.group(2)) > 59:
        raise SeedError(file, where, f"expected a time HH:MM (hour 00-{max_hour}), found {value!r}")
    return int(match.group(1)) * 60 + int(match.group(2))


# --- cinema.toml -----------------------------------------------------------------------------


def _check_pin_hash(file: Path, where: str, value: str) -> None:
    """The counter checks PINs offline with these hashes; a mangled one would lock staff out."""
    problem = "bad PIN hash: expected scrypt$N$r$p$salt$digest made by contract.pins.hash_pin"
    if not _PIN_HASH.match(value):
        raise SeedError(file, where, problem)
    try:
        digest = base64.b64decode(value.split("$")[5], validate=True)
        base64.b64decode(value.split("$")[4], validate=True)
    except ValueError:
        raise SeedError(file, where, problem) from None
    if len(digest) != 32:
        raise SeedError(file, where, problem)


def _prices(file: Path, data: dict[str, Any], key: str, codes: list[str]) -> dict[str, int]:
    if key not in data:
        raise SeedError(file, key, "missing key")
    table = _fields(file, key, data[key], dict.fromkeys(codes, int))
    for code, fen in table.items():
        if fen < 0:
            raise SeedError(file, f"{key}.{code}", f"price must not be negative, found {fen}")
    return dict(table)


_CinemaFile = tuple[
    Cinema,
    tuple[SeedTerminal, ...],
    tuple[SeedStaff, ...],
    tuple[TicketType, ...],
    dict[str, int],
    dict[str, int],
]


def _load_cinema(file: Path) -> _CinemaFile:
    data = _read_toml(file)
    if "cinema" not in data:
        raise SeedError(file, "cinema", "missing key (expected a [cinema] table)")
    raw = _fields(
        file,
        "cinema",
        data["cinema"],
        {"id": str, "name": str, "name_en": str, "timezone": str, "currency": str},
        {"business_day_starts": str},
    )
    cinema = _model(file, "cinema", Cinema, raw)
    try:
        ZoneInfo(cinema.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SeedError(file, "cinema.timezone", f"unknown time zone {cinema.timezone!r}") from None
    _clock(file, "cinema.business_day_starts", cinema.business_day_starts, 23)

    terminals = []
    for i, t in enumerate(_array(file, data, "terminals")):
        where = f"terminals[{i}]"
        t = _fields(file, where, t, {"id": str, "name": str, "enrollment_code": str})
        _check_ident(file, f"{where}.id", t["id"])
        if len(t["enrollment_code"]) < 4:
            raise SeedError(file, f"{where}.enrollment_code", "too short (at least 4 characters)")
        terminals.append(SeedTerminal(**t))
    _unique(file, ((f"terminals[{i}].id", t.id) for i, t in enumerate(terminals)), "terminal id")
    _unique(
        file,
        ((f"terminals[{i}].enrollment_code", t.enrollment_code) for i, t in enumerate(terminals)),
        "enrollment code",
    )

    staff = []
    for i, s in enumerate(_array(file, data, "staff")):
        where = f"staff[{i}]"
        s = _fields(file, where, s, {"id": str, "name": str, "role": str, "pin_hash": str})
        _check_ident(file, f"{where}.id", s["id"])
        if s["role"] not in ROLES:
            raise SeedError(file, f"{where}.role", f"expected one of {ROLES}, found {s['role']!r}")
        _check_pin_hash(file, f"{where}.pin_hash", s["pin_hash"])
        staff.append(SeedStaff(**s))
    _unique(file, ((f"staff[{i}].id", s.id) for i, s in enumerate(staff)), "staff id")

    types = []
    for i, t in enumerate(_array(file, data, "ticket_types")):
        where = f"ticket_types[{i}]"
        t = _fields(file, where, t, {"code": str, "name": str, "name_en": str})
        types.append(_model(file, where, TicketType, t))
    _unique(file, ((f"ticket_types[{i}].code", t.code) for i, t in enumerate(types)), "code")

    codes = [t.code for t in types]
    prices = _prices(file, data, "prices", codes)
    festival = _prices(file, data, "festival_prices", codes)
    return cinema, tuple(terminals), tuple(staff), tuple(types), prices, festival


# --- films.toml ------------------------------------------------------------------------------


def _load_films(file: Path) -> tuple[Film, ...]:
    films = []
    for i, f in enumerate(_array(file, _read_toml(file), "films")):
        where = f"films[{i}]"
        f = _fields(
            file,
            where,
            f,
            {"id": str, "title": str, "title_en": str, "runtime_min": int, "rating": str},
            {"original_title": str, "year": int},
        )
        if not 1 <= f["runtime_min"] <= 600:
            raise SeedError(file, f"{where}.runtime_min", f"implausible runtime {f['runtime_min']}")
        films.append(_model(file, where, Film, f))
    _unique(file, ((f"films[{i}].id", f.id) for i, f in enumerate(films)), "film id")
    return tuple(films)


# --- auditoriums/*.txt -----------------------------------------------------------------------


def _pair_seats(
    file: Path, row: str, line_no: int, cells: list[tuple[int, str, str]]
) -> dict[str, str]:
    """Pair love seats (runs of L, two by two from the left) and wheelchair spaces with an
    adjacent companion seat. cells are (x, kind char, label) of one row, left to right."""
    where = f"line {line_no}"
    by_x = {x: (kind, label) for x, kind, label in cells}
    pair: dict[str, str] = {}
    xs = sorted(by_x)
    i = 0
    while i < len(xs):
        x = xs[i]
        if by_x[x][0] == "L":
            partner = by_x.get(x + 1)
            if partner is None or partner[0] != "L":
                raise SeedError(
                    file,
                    where,
                    f"love seat {by_x[x][1]} has no partner: L seats come in pairs (LL)",
                )
            pair[by_x[x][1]], pair[partner[1]] = partner[1], by_x[x][1]
            i += 2
            continue
        i += 1
    for x in xs:
        kind, label = by_x[x]
        if kind != "W":
            continue
        for nx in (x + 1, x - 1):
            n = by_x.get(nx)
            if n and n[0] == "C" and n[1] not in pair:
                pair[label], pair[n[1]] = n[1], label
                break
        else:
            raise SeedError(
                file,
                where,
                f"wheelchair space {label} (W) has no free companion seat (C) "
                f"directly beside it in row {row}",
            )
    for x in xs:
        kind, label = by_x[x]
        if kind == "C" and label not in pair:
            raise SeedError(
                file,
                where,
                f"companion seat {label} (C) is not beside a wheelchair space (W) in row {row}",
            )
    return pair


def _load_auditorium(file: Path) -> Auditorium:
    """Parse one drawn layout. Header comments `# id:`, `# name:`, `# name_en:`; optional SCREEN
    line; then one row per line: label, whitespace, one character per seat position."""
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise SeedError(file, f"byte {exc.start}", "not valid UTF-8") from None
    header: dict[str, str] = {}
    rows: list[tuple[int, str, str]] = []  # (line number, row label, positions)
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            key, sep, value = stripped[1:].partition(":")
            if sep and key.strip() in ("id", "name", "name_en") and not rows:
                header[key.strip()] = value.strip()
            continue
        if stripped == "SCREEN":
            if rows:
                raise SeedError(file, f"line {n}", "SCREEN must come before the first row")
            continue
        match = _ROW_LINE.match(line.rstrip())
        label, positions = (match.group(1), match.group(2) or "") if match else ("", "")
        if not _ROW_LABEL.match(label):
            raise SeedError(
                file,
                f"line {n}",
                f"bad row label {label!r}: expected 1-2 uppercase letters, whitespace, then seats",
            )
        bad = sorted({c for c in positions if c not in SEAT_KINDS and c not in GAPS})
        if bad:
            raise SeedError(
                file,
                f"line {n}",
                f"unknown seat character(s) {''.join(bad)!r}; legend: S V W C L and . for gaps",
            )
        rows.append((n, label, positions))
    for key in ("id", "name", "name_en"):
        if not header.get(key):
            raise SeedError(file, "header", f"missing '# {key}: ...' comment line")
    if not rows:
        raise SeedError(file, "-", "no seat rows")
    _unique(file, ((f"line {n}", label) for n, label, _ in rows), "row label")

    seats: list[Seat] = []
    for y, (n, label, positions) in enumerate(rows):
        cells = []
        number = 0
        for x, char in enumerate(positions):
            if char in GAPS:
                continue
            number += 1
            seat_label = f"{label}{number}"
            if not _SEAT_LABEL.match(seat_label):
                raise SeedError(
                    file,
                    f"line {n}",
                    f"seat label {seat_label!r} too long (at most 999 seats a row)",
                )
            cells.append((x, char, seat_label))
        if not cells:
            raise SeedError(file, f"line {n}", f"row {label} has no seats")
        pairs = _pair_seats(file, label, n, cells)
        for x, char, seat_label in cells:
            seats.append(
                Seat(
                    label=seat_label,
                    row=label,
                    number=int(seat_label[len(label) :]),
                    x=x,
                    y=y,
                    kind=SEAT_KINDS[char],
                    pair=pairs.get(seat_label),
                )
            )
    width = max(len(p) for _, _, p in rows)
    return _model(
        file,
        "header",
        Auditorium,
        {**header, "width": width, "height": len(rows), "seats": seats},
    )


def _load_auditoriums(directory: Path) -> tuple[Auditorium, ...]:
    files = sorted(directory.glob("*.txt"))
    if not files:
        raise SeedError(directory, "-", "no auditorium layouts (*.txt)")
    auditoriums = [_load_auditorium(f) for f in files]
    _unique(
        directory,
        ((f.name, a.id) for f, a in zip(files, auditoriums, strict=True)),
        "auditorium id",
    )
    return tuple(auditoriums)


# --- showtimes.toml --------------------------------------------------------------------------


def _load_showtimes(
    file: Path,
    cinema: Cinema,
    films: dict[str, Film],
    auditoriums: dict[str, Auditorium],
    trailer_minutes: int,
) -> tuple[SeedShowtime, ...]:
    day_start = _clock(file, "cinema.business_day_starts", cinema.business_day_starts, 23)
    showtimes: list[SeedShowtime] = []
    where_of: dict[str, str] = {}
    for i, s in enumerate(_array(file, _read_toml(file), "showtimes")):
        where = f"showtimes[{i}]"
        s = _fields(
            file,
            where,
            s,
            {"id": str, "film": str, "auditorium": str, "start": str},
            {"festival": bool},
        )
        if s["film"] not in films:
            raise SeedError(file, f"{where}.film", f"unknown film {s['film']!r}")
        if s["auditorium"] not in auditoriums:
            raise SeedError(file, f"{where}.auditorium", f"unknown auditorium {s['auditorium']!r}")
        start = _clock(file, f"{where}.start", s["start"], 29)
        if not day_start <= start < day_start + 24 * 60:
            raise SeedError(
                file,
                f"{where}.start",
                f"{s['start']} is outside the business day starting "
                f"{cinema.business_day_starts} (use 24:00-29:59 for after midnight)",
            )
        _check_ident(file, f"{where}.id", s["id"])
        showtimes.append(
            SeedShowtime(s["id"], s["film"], s["auditorium"], start, s.get("festival", False))
        )
        where_of.setdefault(s["id"], f"{where}.id")
    _unique(file, ((f"showtimes[{i}].id", s.id) for i, s in enumerate(showtimes)), "showtime id")

    by_auditorium: dict[str, list[SeedShowtime]] = {}
    for s in showtimes:
        by_auditorium.setdefault(s.auditorium_id, []).append(s)
    for items in by_auditorium.values():
        items.sort(key=lambda s: s.start_minute)
        for before, after in pairwise(items):
            end = before.start_minute + trailer_minutes + films[before.film_id].runtime_min
            if after.start_minute < end + CLEANING_MINUTES:
                problem = (
                    f"showtime {after.id} in {after.auditorium_id} starts at "
                    f"{_hhmm(after.start_minute)}, but {before.id} runs until {_hhmm(end)} "
                    f"({trailer_minutes} min trailers + {films[before.film_id].runtime_min} min); "
                    f"overlap or less than {CLEANING_MINUTES} min cleaning gap"
                )
                raise SeedError(file, where_of[after.id].replace(".id", ".start"), problem)
    return tuple(showtimes)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- bookings.toml ---------------------------------------------------------------------------


def _load_bookings(
    file: Path,
    showtimes: dict[str, SeedShowtime],
    auditoriums: dict[str, Auditorium],
    ticket_codes: set[str],
) -> tuple[SeedBooking, ...]:
    bookings = []
    sold: dict[tuple[str, str], str] = {}  # (showtime, seat) -> where first booked
    for i, b in enumerate(_array(file, _read_toml(file), "bookings")):
        where = f"bookings[{i}]"
        b = _fields(
            file,
            where,
            b,
            {"code": str, "showtime": str, "customer": str, "seats": list, "types": list},
        )
        if not _BOOKING_CODE.match(b["code"]):
            raise SeedError(
                file, f"{where}.code", f"expected 6 uppercase letters/digits, found {b['code']!r}"
            )
        showtime = showtimes.get(b["showtime"])
        if showtime is None:
            raise SeedError(file, f"{where}.showtime", f"unknown showtime {b['showtime']!r}")
        seats = _str_list(file, f"{where}.seats", b["seats"])
        types = _str_list(file, f"{where}.types", b["types"])
        if not seats:
            raise SeedError(file, f"{where}.seats", "a booking needs at least one seat")
        if len(seats) != len(types):
            raise SeedError(
                file,
                f"{where}.types",
                f"{len(types)} ticket types for {len(seats)} seats; give one type per seat",
            )
        labels = {seat.label for seat in auditoriums[showtime.auditorium_id].seats}
        for k, seat in enumerate(seats):
            if seat not in labels:
                raise SeedError(
                    file,
                    f"{where}.seats[{k}]",
                    f"no seat {seat!r} in auditorium {showtime.auditorium_id}",
                )
            first = sold.setdefault((showtime.id, seat), f"{where}.seats[{k}]")
            if first != f"{where}.seats[{k}]":
                raise SeedError(
                    file,
                    f"{where}.seats[{k}]",
                    f"seat {seat} of {showtime.id} is already booked at {first}",
                )
        for k, code in enumerate(types):
            if code not in ticket_codes:
                raise SeedError(file, f"{where}.types[{k}]", f"unknown ticket type {code!r}")
        bookings.append(SeedBooking(b["code"], showtime.id, b["customer"], seats, types))
    _unique(file, ((f"bookings[{i}].code", b.code) for i, b in enumerate(bookings)), "booking code")
    return tuple(bookings)


# --- entry point -----------------------------------------------------------------------------


def load_seeds(directory: Path) -> SeedData:
    """Load every seed file in `directory`, checking each one and the references between them.

    Raises SeedError at the first problem found."""
    directory = Path(directory)
    cinema, terminals, staff, types, prices, festival = _load_cinema(directory / "cinema.toml")
    films = _load_films(directory / "films.toml")
    auditoriums = _load_auditoriums(directory / "auditoriums")
    showtimes = _load_showtimes(
        directory / "showtimes.toml",
        cinema,
        {f.id: f for f in films},
        {a.id: a for a in auditoriums},
        SeedData.TRAILER_MINUTES,
    )
    bookings = _load_bookings(
        directory / "bookings.toml",
        {s.id: s for s in showtimes},
        {a.id: a for a in auditoriums},
        {t.code for t in types},
    )
    return SeedData(
        cinema=cinema,
        terminals=terminals,
        staff=staff,
        ticket_types=types,
        prices=prices,
        festival_prices=festival,
        films=films,
        auditoriums=auditoriums,
        showtimes=showtimes,
        bookings=bookings,
    )
