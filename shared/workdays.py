"""Mainland-China working days (工作日), holiday shifts (调休) included, for statutory deadlines.

A `WorkingDayCalendar` is the `chinesecalendar` package's years overlaid with the years the bureau
loaded itself (`CalendarYear`, stored by the owner of the calendar and loaded from the State Council's
notice the day it is published): a loaded year replaces the package's. A day in a year that neither
knows is counted Monday to Friday, and every answer that depends on such a day is *provisional*
(`is_provisional`): work never stops because next year's notice has not been entered, and the caller
says which answers may still move once it is.

Counting follows the Civil Code (art. 201): the day a period starts from is not counted, so
"n working days after `start`" ends on the n-th working day strictly after `start`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar

__all__ = [
    "SATURDAY",
    "WARN_DAYS_AHEAD",
    "CalendarYear",
    "WorkingDayCalendar",
    "calendar_warning",
    "package_years",
]

SATURDAY = 5
"""`date.weekday()` of a Saturday: Monday to Friday are 0–4."""


@dataclass(frozen=True, slots=True)
class CalendarYear:
    """One year's exceptions to Monday–Friday: days off (放假) and weekend days worked (调休上班)."""

    year: int
    holidays: frozenset[date]
    shifted_working_days: frozenset[date]
    source: str = "package"
    """"package" for the chinesecalendar data, "loaded" for a year the bureau entered."""


@lru_cache(maxsize=1)
def package_years() -> dict[int, CalendarYear]:
    """The years the installed chinesecalendar knows (it raises for any other year)."""
    first = min(day.year for day in chinese_calendar.holidays)
    last = max(day.year for day in chinese_calendar.holidays)
    return {
        year: CalendarYear(
            year,
            frozenset(day for day in chinese_calendar.holidays if day.year == year),
            frozenset(day for day in chinese_calendar.workdays if day.year == year),
        )
        for year in range(first, last + 1)
    }


class WorkingDayCalendar:
    """Working days from the package's years, the bureau's loaded years over them, Mon–Fri elsewhere."""

    def __init__(self, loaded: Iterable[CalendarYear] = ()) -> None:
        self._years = {**package_years(), **{year.year: year for year in loaded}}

    @property
    def years(self) -> dict[int, CalendarYear]:
        """Every known year, package and loaded, by year."""
        return dict(sorted(self._years.items()))

    def knows(self, year: int) -> bool:
        return year in self._years

    def is_working_day(self, day: date) -> bool:
        """Mon–Fri except holidays, plus shifted weekend days; plain Mon–Fri in an unknown year."""
        if isinstance(day, datetime):
            raise TypeError("working days are counted on dates, not datetimes")
        known = self._years.get(day.year)
        if known is not None:
            if day in known.shifted_working_days:
                return True
            if day in known.holidays:
                return False
        return day.weekday() < SATURDAY

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day strictly after `start` (`start` itself never counts, working or not).

        `n == 0` returns `start`. Inverse of `working_days_between`.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day, remaining = start, n
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days fall after `start` and on or before `end` (`start < d <= end`)."""
        if end < start:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        return sum(self.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))

    def is_provisional(self, start: date, end: date) -> bool:
        """Whether counting from `start` to `end` crossed a year nobody has entered (Mon–Fri was assumed)."""
        return any(not self.knows(year) for year in range(start.year, end.year + 1))

    def known_until(self, today: date) -> date | None:
        """The last day of the run of known years that holds `today` (None if today's year is unknown)."""
        if not self.knows(today.year):
            return None
        year = today.year
        while self.knows(year + 1):
            year += 1
        return date(year, 12, 31)


WARN_DAYS_AHEAD = 60
"""From this many days before the known years end, operations are told to load the next year."""


def calendar_warning(calendar: WorkingDayCalendar, today: date) -> str | None:
    """What operations should hear about the calendar today, or None while the next 60 days are known."""
    until = calendar.known_until(today)
    if until is None:
        return (
            f"no working-day calendar is known for {today.year}: deadlines are counted Monday to Friday "
            f"and marked provisional until the year is loaded (safetynet calendar load)"
        )
    if (until - today).days < WARN_DAYS_AHEAD:
        return (
            f"the working-day calendar ends on {until.isoformat()}: load {until.year + 1} from the State "
            f"Council's notice (safetynet calendar load); deadlines past it are provisional until then"
        )
    return None
