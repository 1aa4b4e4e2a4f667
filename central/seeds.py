"""Load and validate the demo seed data in `seeds/`.

The seeds are edited by hand (TOML files and auditorium layouts drawn as text), so every mistake
is reported as one `SeedError` that names the file, the place in it and the problem, e.g.
`films.toml: films[3].runtime_min: Input should be greater than or equal to 1`: the person who
broke a seat map should not have to read a traceback from deep inside the central.

Each TOML file has a pydantic model (strict, unknown keys refused) that checks everything one
entry can say about itself; what needs two entries or two files (duplicate ids, a showtime naming
an unknown film, overlapping showtimes, a seat booked twice) is checked after, in plain code.
"""

from __future__ import annotations

import base64
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from contract.errors import BoxOfficeError
from contract.models import (
    Auditorium,
    Cinema,
    CounterAllotment,
    Discount,
    Fen,
    Film,
    Ident,
    Seat,
    SeatKind,
    TicketType,
)
from contract.phones import MOBILE
from contract.validation import check_zone, path, problem

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
_PIN_HASH = re.compile(r"^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$")
_ROW_LINE = re.compile(r"^(\S+)(?:[ \t]+(.*))?$")
_TOML_POS = re.compile(r"\s*\(at (line \d+, column \d+|end of document)\)\s*$")

M = TypeVar("M", bound=BaseModel)


class SeedError(BoxOfficeError):
    """Names the file, the place in it (line, or key path like films[3].runtime_min) and the
    problem. When a file has several problems the message names the first; `problems` (and
    `detail`) lists them all, so they can be fixed in one go."""

    code = "SEED_INVALID"

    def __init__(self, file: Path, where: str, problem: str, problems: Sequence[str] = ()) -> None:
        self.file = Path(file)
        self.where = where
        self.problem = problem
        self.problems = list(problems) or [f"{where}: {problem}"]
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        super().__init__(
            None,
            f"{file}: {where}: {problem}{suffix}",
            {"file": str(file), "problems": self.problems},
        )


# --- what the rest of the central uses -------------------------------------------------------


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
    phone: str | None = None


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


# --- field rules -----------------------------------------------------------------------------


def _minutes(value: str, max_hour: int = 29) -> int:
    """HH:MM to minutes after midnight; hours up to max_hour for after-midnight showtimes."""
    match = _CLOCK.match(value)
    if not match or int(match.group(1)) > max_hour or int(match.group(2)) > 59:
        raise ValueError(f"expected a time HH:MM (hour 00-{max_hour}), found {value!r}")
    return int(match.group(1)) * 60 + int(match.group(2))


def _clock(max_hour: int) -> AfterValidator:
    def check(value: str) -> str:
        _minutes(value, max_hour)
        return value

    return AfterValidator(check)


def _check_pin_hash(value: str) -> str:
    """The counter checks PINs offline with these hashes; a mangled one would lock staff out."""
    problem = "bad PIN hash: expected scrypt$N$r$p$salt$digest made by contract.pins.hash_pin"
    if not _PIN_HASH.match(value):
        raise ValueError(problem)
    try:
        digest = base64.b64decode(value.split("$")[5], validate=True)
        base64.b64decode(value.split("$")[4], validate=True)
    except ValueError:
        raise ValueError(problem) from None
    if len(digest) != 32:
        raise ValueError(problem)
    return value


Text = Annotated[str, StringConstraints(min_length=1)]
EnrollmentCode = Annotated[str, StringConstraints(min_length=4, max_length=64)]
"""As long as contract.models.EnrollmentRequest accepts."""
BookingCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{6}$")]
PinHash = Annotated[str, AfterValidator(_check_pin_hash)]
ShowtimeStart = Annotated[str, _clock(29)]
NonEmpty = Field(min_length=1)

_SEED = ConfigDict(extra="forbid", strict=True, frozen=True)
"""TOML values are already typed: a price of "45" or true is a mistake, not something to coerce;
and an unknown key is a typo that would otherwise drop an optional value silently."""


# --- cinema.toml -----------------------------------------------------------------------------


class CounterAllotmentEntry(CounterAllotment):
    """`[cinema.counter_allotment]`: the share of a house (0 to 1) all counters together may
    hold leased and unsold at once; `share` for every auditorium (default
    `contract.models.DEFAULT_COUNTER_SHARE`, 0.25), `auditoriums` and `showtimes` by id."""

    model_config = _SEED


class DiscountEntry(Discount):
    """`[[cinema.discounts]]`: a member price, a coupon code or a staff ticket, with exactly one
    rule (`percent_off`, `amount_off` or `price`)."""

    model_config = _SEED
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9_-]{1,31}$")]
    """Upper case, as the cashier types it (matching ignores case)."""


class CinemaEntry(Cinema):
    model_config = _SEED
    timezone: Annotated[str, AfterValidator(check_zone)]
    business_day_starts: Annotated[str, _clock(23)] = "06:00"
    counter_allotment: CounterAllotmentEntry = CounterAllotmentEntry()
    discounts: list[DiscountEntry] = []


class TerminalEntry(BaseModel):
    model_config = _SEED
    id: Ident
    name: Text
    enrollment_code: EnrollmentCode


class StaffEntry(BaseModel):
    model_config = _SEED
    id: Ident
    name: Text
    role: Literal["cashier", "supervisor"]
    pin_hash: PinHash


class TicketTypeEntry(TicketType):
    model_config = _SEED


class CinemaFile(BaseModel):
    model_config = _SEED
    cinema: CinemaEntry
    terminals: Annotated[list[TerminalEntry], NonEmpty]
    staff: Annotated[list[StaffEntry], NonEmpty]
    ticket_types: Annotated[list[TicketTypeEntry], NonEmpty]
    prices: dict[str, Fen]
    festival_prices: dict[str, Fen]


# --- films.toml ------------------------------------------------------------------------------


class FilmEntry(Film):
    model_config = _SEED
    runtime_min: Annotated[int, Field(ge=1, le=600)]
    """Without trailers; 600 minutes is already a very long film."""
    year: Annotated[int, Field(ge=1888, le=2200)] | None = None


class FilmsFile(BaseModel):
    model_config = _SEED
    films: Annotated[list[FilmEntry], NonEmpty]


# --- showtimes.toml --------------------------------------------------------------------------


class ShowtimeEntry(BaseModel):
    model_config = _SEED
    id: Ident
    film: Ident
    auditorium: Ident
    start: ShowtimeStart
    """Local HH:MM; 24:00-29:59 for after midnight, still the same business day."""
    festival: bool = False


class ShowtimesFile(BaseModel):
    model_config = _SEED
    showtimes: Annotated[list[ShowtimeEntry], NonEmpty]


# --- bookings.toml ---------------------------------------------------------------------------


class BookingEntry(BaseModel):
    model_config = _SEED
    code: BookingCode
    showtime: Ident
    customer: Text
    phone: Annotated[str, StringConstraints(pattern=MOBILE)] | None = None
    """The customer's mobile number (11 digits, 13-19...), if the booking has one."""
    seats: Annotated[list[Text], NonEmpty]
    types: list[Ident]
    """One ticket type per seat, in the same order."""

    @model_validator(mode="after")
    def _one_type_per_seat(self) -> BookingEntry:
        if len(self.seats) != len(self.types):
            raise ValueError(
                f"{len(self.types)} ticket types for {len(self.seats)} seats; "
                "give one type per seat"
            )
        return self


class BookingsFile(BaseModel):
    model_config = _SEED
    bookings: Annotated[list[BookingEntry], NonEmpty]


# --- reading and reporting -------------------------------------------------------------------


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


def _validate(file: Path, model: type[M], data: dict[str, Any], prefix: str = "") -> M:
    """Build one file's model; pydantic's errors become one SeedError naming the key path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # a typo shows up as a missing key and an unknown one: name the typo first
        table_order: dict[tuple[int | str, ...], int] = {}
        for i, err in enumerate(errors):
            table_order.setdefault(tuple(err["loc"][:-1]), i)
        errors.sort(
            key=lambda e: (table_order[tuple(e["loc"][:-1])], e["type"] != "extra_forbidden")
        )
        problems = []
        for err in errors:
            where = path([prefix, *err["loc"]] if prefix else err["loc"]) or prefix or "-"
            problems.append((where, problem(model, err)))
        where, what = problems[0]
        raise SeedError(file, where, what, [f"{w}: {p}" for w, p in problems]) from None


def _unique(file: Path, items: Iterable[tuple[str, str]], what: str) -> None:
    """items are (where, value); the second occurrence of a value is the error."""
    seen: dict[str, str] = {}
    for where, value in items:
        if value in seen:
            raise SeedError(file, where, f"duplicate {what} {value!r} (first at {seen[value]})")
        seen[value] = where


# --- cinema.toml -----------------------------------------------------------------------------


def _check_prices(file: Path, key: str, prices: dict[str, int], codes: list[str]) -> None:
    for code in prices:
        if code not in codes:
            raise SeedError(
                file, f"{key}.{code}", f"unknown ticket type (known: {', '.join(codes)})"
            )
    for code in codes:
        if code not in prices:
            raise SeedError(file, f"{key}.{code}", "missing key (every ticket type needs a price)")


def _load_cinema(file: Path) -> CinemaFile:
    data = _validate(file, CinemaFile, _read_toml(file))
    _unique(
        file, ((f"terminals[{i}].id", t.id) for i, t in enumerate(data.terminals)), "terminal id"
    )
    _unique(
        file,
        (
            (f"terminals[{i}].enrollment_code", t.enrollment_code)
            for i, t in enumerate(data.terminals)
        ),
        "enrollment code",
    )
    _unique(file, ((f"staff[{i}].id", s.id) for i, s in enumerate(data.staff)), "staff id")
    _unique(
        file, ((f"ticket_types[{i}].code", t.code) for i, t in enumerate(data.ticket_types)), "code"
    )
    codes = [t.code for t in data.ticket_types]
    _check_prices(file, "prices", data.prices, codes)
    _check_prices(file, "festival_prices", data.festival_prices, codes)
    _check_discounts(file, data.cinema.discounts, codes)
    return data


def _check_discounts(file: Path, discounts: list[DiscountEntry], codes: list[str]) -> None:
    where = "cinema.discounts"
    _unique(file, ((f"{where}[{i}].code", d.code) for i, d in enumerate(discounts)), "discount")
    for i, d in enumerate(discounts):
        rules = [r for r in ("percent_off", "amount_off", "price") if getattr(d, r) is not None]
        if len(rules) != 1:
            raise SeedError(
                file, f"{where}[{i}]", "give exactly one of percent_off, amount_off and price"
            )
        for j, code in enumerate(d.ticket_types):
            if code not in codes:
                raise SeedError(
                    file,
                    f"{where}[{i}].ticket_types[{j}]",
                    f"unknown ticket type (known: {', '.join(codes)})",
                )


# --- films.toml ------------------------------------------------------------------------------


def _load_films(file: Path) -> tuple[Film, ...]:
    films = _validate(file, FilmsFile, _read_toml(file)).films
    _unique(file, ((f"films[{i}].id", f.id) for i, f in enumerate(films)), "film id")
    return tuple(Film.model_validate(f.model_dump()) for f in films)


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
    return _validate(
        file,
        Auditorium,
        {**header, "width": width, "height": len(rows), "seats": seats},
        prefix="header",
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
    entries = _validate(file, ShowtimesFile, _read_toml(file)).showtimes
    day_start = _minutes(cinema.business_day_starts, 23)
    showtimes: list[SeedShowtime] = []
    for i, s in enumerate(entries):
        where = f"showtimes[{i}]"
        if s.film not in films:
            raise SeedError(file, f"{where}.film", f"unknown film {s.film!r} (not in films.toml)")
        if s.auditorium not in auditoriums:
            raise SeedError(
                file,
                f"{where}.auditorium",
                f"unknown auditorium {s.auditorium!r} (no auditoriums/*.txt has that id)",
            )
        start = _minutes(s.start)
        if not day_start <= start < day_start + 24 * 60:
            raise SeedError(
                file,
                f"{where}.start",
                f"{s.start} is outside the business day starting "
                f"{cinema.business_day_starts} (use 24:00-29:59 for after midnight)",
            )
        showtimes.append(SeedShowtime(s.id, s.film, s.auditorium, start, s.festival))
    _unique(file, ((f"showtimes[{i}].id", s.id) for i, s in enumerate(showtimes)), "showtime id")

    index = {s.id: i for i, s in enumerate(showtimes)}
    by_auditorium: dict[str, list[SeedShowtime]] = {}
    for s in showtimes:
        by_auditorium.setdefault(s.auditorium_id, []).append(s)
    for items in by_auditorium.values():
        items.sort(key=lambda s: s.start_minute)
        for before, after in pairwise(items):
            runtime = films[before.film_id].runtime_min
            end = before.start_minute + trailer_minutes + runtime
            if after.start_minute < end + CLEANING_MINUTES:
                problem = (
                    f"showtime {after.id} in {after.auditorium_id} starts at "
                    f"{_hhmm(after.start_minute)}, but {before.id} runs until {_hhmm(end)} "
                    f"({trailer_minutes} min trailers + {runtime} min); "
                    f"overlap or less than {CLEANING_MINUTES} min cleaning gap"
                )
                raise SeedError(file, f"showtimes[{index[after.id]}].start", problem)
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
    entries = _validate(file, BookingsFile, _read_toml(file)).bookings
    bookings = []
    sold: dict[tuple[str, str], str] = {}  # (showtime, seat) -> where first booked
    for i, b in enumerate(entries):
        where = f"bookings[{i}]"
        showtime = showtimes.get(b.showtime)
        if showtime is None:
            raise SeedError(
                file,
                f"{where}.showtime",
                f"unknown showtime {b.showtime!r} (not in showtimes.toml)",
            )
        labels = {seat.label for seat in auditoriums[showtime.auditorium_id].seats}
        for k, seat in enumerate(b.seats):
            here = f"{where}.seats[{k}]"
            if seat not in labels:
                raise SeedError(
                    file, here, f"no seat {seat!r} in auditorium {showtime.auditorium_id}"
                )
            first = sold.setdefault((showtime.id, seat), here)
            if first != here:
                raise SeedError(
                    file, here, f"seat {seat} of {showtime.id} is already booked at {first}"
                )
        for k, code in enumerate(b.types):
            if code not in ticket_codes:
                raise SeedError(
                    file,
                    f"{where}.types[{k}]",
                    f"unknown ticket type {code!r} (known: {', '.join(sorted(ticket_codes))})",
                )
        bookings.append(
            SeedBooking(b.code, showtime.id, b.customer, tuple(b.seats), tuple(b.types), b.phone)
        )
    _unique(file, ((f"bookings[{i}].code", b.code) for i, b in enumerate(bookings)), "booking code")
    return tuple(bookings)


# --- cinema.toml, against the other files ---------------------------------------------------


def _check_allotment(
    file: Path, allotment: CounterAllotment, auditoriums: set[str], showtimes: set[str]
) -> None:
    where = "cinema.counter_allotment"
    for key, known, what in (
        ("auditoriums", auditoriums, "auditorium (no auditoriums/*.txt has that id)"),
        ("showtimes", showtimes, "showtime (not in showtimes.toml)"),
    ):
        for ident in getattr(allotment, key):
            if ident not in known:
                raise SeedError(file, f"{where}.{key}.{ident}", f"unknown {what}")


# --- entry point -----------------------------------------------------------------------------


def load_seeds(directory: Path) -> SeedData:
    """Load every seed file in `directory`, checking each one and the references between them.

    Raises SeedError at the first file (or cross-file reference) with a problem."""
    directory = Path(directory)
    cinema_file = _load_cinema(directory / "cinema.toml")
    films = _load_films(directory / "films.toml")
    auditoriums = _load_auditoriums(directory / "auditoriums")
    cinema = Cinema.model_validate(cinema_file.cinema.model_dump())
    types = tuple(TicketType.model_validate(t.model_dump()) for t in cinema_file.ticket_types)
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
    _check_allotment(
        directory / "cinema.toml",
        cinema.counter_allotment,
        {a.id for a in auditoriums},
        {s.id for s in showtimes},
    )
    return SeedData(
        cinema=cinema,
        terminals=tuple(SeedTerminal(**t.model_dump()) for t in cinema_file.terminals),
        staff=tuple(SeedStaff(**s.model_dump()) for s in cinema_file.staff),
        ticket_types=types,
        prices=dict(cinema_file.prices),
        festival_prices=dict(cinema_file.festival_prices),
        films=films,
        auditoriums=auditoriums,
        showtimes=showtimes,
        bookings=bookings,
    )
