"""The cinema's business day and its clock: one rule for the central, the counter and every
adapter. A business day starts at the cinema's `business_day_starts` (06:00 in the seeds), in
the cinema's zone, so a 01:30 screening still belongs to the evening before."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_DAY_STARTS = time(6, 0)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def business_date_of(
    moment: datetime, zone: ZoneInfo, day_starts: time = DEFAULT_DAY_STARTS
) -> date:
    """The business day a moment belongs to: before `day_starts` it is still yesterday."""
    local = moment.astimezone(zone)
    return local.date() - timedelta(days=1) if local.time() < day_starts else local.date()


def day_start(day: date, zone: ZoneInfo, day_starts: time = DEFAULT_DAY_STARTS) -> datetime:
    """The instant a business day begins (it ends 24 hours later)."""
    return datetime.combine(day, day_starts, zone)


def today(zone: ZoneInfo, clock: Clock = utc_now, day_starts: time = DEFAULT_DAY_STARTS) -> date:
    """Today's business day in the cinema's zone."""
    return business_date_of(clock(), zone, day_starts)


def tomorrow(zone: ZoneInfo, clock: Clock = utc_now) -> date:
    """Tomorrow's calendar date in the cinema's zone: the day tests and drills sell on, so no
    showtime has started whatever the hour."""
    return (clock().astimezone(zone) + timedelta(days=1)).date()


def local_time(moment: datetime, timezone: str) -> datetime:
    """A stored UTC instant as the cinema's wall clock; naive datetimes are refused."""
    if moment.tzinfo is None:
        raise ValueError("times shown must be timezone-aware (stored in UTC)")
    return moment.astimezone(ZoneInfo(timezone))


def format_date(moment: datetime, timezone: str) -> str:
    """`2026-12-01` in the cinema's zone."""
    return local_time(moment, timezone).strftime("%Y-%m-%d")


def format_clock(moment: datetime, timezone: str) -> str:
    """`19:30` in the cinema's zone: on screen and on paper alike."""
    return local_time(moment, timezone).strftime("%H:%M")
