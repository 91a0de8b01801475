"""Mainland-China working days (工作日), holiday shifts (调休) included, for statutory deadlines.

The data comes from the `chinesecalendar` package, which only knows the years the State Council
has announced. Outside them every function raises `CalendarNotKnown` rather than guessing Mon–Fri:
a deadline that is silently wrong is worse than one that cannot be computed. `covered_until()`
tells operations when the package needs updating (each December, once the next year is announced).

Counting follows the Civil Code (art. 201): the day a period starts from is not counted, so
"n working days after `start`" ends on the n-th working day strictly after `start`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

__all__ = [
    "BUSINESS_ZONE",
    "CalendarNotKnown",
    "add_working_days",
    "business_date",
    "business_today",
    "covered_from",
    "covered_until",
    "is_working_day",
    "working_days_between",
]


BUSINESS_ZONE = ZoneInfo("Asia/Shanghai")
"""Business dates and months are Asia/Shanghai dates; timestamps stay UTC (ARCHITECTURE.md, Data)."""


def business_date(at: datetime) -> date:
    """The Shanghai date of a moment: 2026-01-31T17:00Z is already 1 February in the bureau."""
    return at.astimezone(BUSINESS_ZONE).date()


def business_today() -> date:
    return datetime.now(BUSINESS_ZONE).date()


class CalendarNotKnown(LookupError):
    """The holiday calendar has no data for `day`; update the `chinesecalendar` package."""

    def __init__(self, day: date) -> None:
        self.day = day
        super().__init__(
            f"no China working-day calendar for {day.isoformat()}: the installed chinesecalendar "
            f"covers {covered_from().isoformat()} to {covered_until().isoformat()}"
        )


@lru_cache(maxsize=1)
def _covered_years() -> tuple[int, int]:
    # The package itself accepts exactly the years between its first and last holiday entry.
    years = [day.year for day in chinese_calendar.holidays]
    return min(years), max(years)


def covered_from() -> date:
    """First day the installed calendar data knows."""
    return date(_covered_years()[0], 1, 1)


def covered_until() -> date:
    """Last day the installed calendar data knows; deadlines past it raise `CalendarNotKnown`."""
    return date(_covered_years()[1], 12, 31)


def _known(day: date) -> date:
    if isinstance(day, datetime):
        raise TypeError("working days are counted on dates, not datetimes")
    if not covered_from() <= day <= covered_until():
        raise CalendarNotKnown(day)
    return day


@lru_cache(maxsize=16384)
def _is_workday(day: date) -> bool:
    return bool(chinese_calendar.is_workday(day))


def is_working_day(day: date) -> bool:
    """Whether `day` is a working day: Mon–Fri except public holidays, plus shifted weekend days."""
    return _is_workday(_known(day))


def add_working_days(start: date, n: int) -> date:
    """The n-th working day strictly after `start` (`start` itself never counts, working or not).

    `n == 0` returns `start`. Inverse of `working_days_between`:
    `working_days_between(start, add_working_days(start, n)) == n`.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    day = _known(start)
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after `start` and on or before `end` (`start < d <= end`)."""
    _known(start)
    _known(end)
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    return sum(is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))
