"""The China working-day calendar: the package's real 2025 data, loaded years over it, Mon–Fri beyond."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from shared.workdays import WARN_DAYS_AHEAD, CalendarYear, WorkingDayCalendar, calendar_warning, package_years

CALENDAR = WorkingDayCalendar()
is_working_day = CALENDAR.is_working_day
add_working_days = CALENDAR.add_working_days
working_days_between = CALENDAR.working_days_between
LAST_KNOWN = date(max(package_years()), 12, 31)
FIRST_KNOWN = date(min(package_years()), 1, 1)

SPRING_FESTIVAL_2025 = [date(2025, 1, 28) + timedelta(days=i) for i in range(8)]  # Jan 28 – Feb 4
NATIONAL_DAY_2025 = [date(2025, 10, 1) + timedelta(days=i) for i in range(8)]  # Oct 1 – 8


@pytest.mark.parametrize("day", SPRING_FESTIVAL_2025 + NATIONAL_DAY_2025)
def test_public_holidays_are_not_working_days(day: date) -> None:
    assert not is_working_day(day)


@pytest.mark.parametrize(
    ("day", "weekday"),
    [
        (date(2025, 1, 26), "Sun"),  # 调休 before the Spring Festival
        (date(2025, 2, 8), "Sat"),  # and after it
        (date(2025, 9, 28), "Sun"),  # before National Day
        (date(2025, 10, 11), "Sat"),  # after it
    ],
)
def test_shifted_weekend_days_are_working_days(day: date, weekday: str) -> None:
    assert day.strftime("%a") == weekday
    assert is_working_day(day)


def test_ordinary_weekdays_and_weekends() -> None:
    assert is_working_day(date(2025, 3, 12))  # a Wednesday
    assert not is_working_day(date(2025, 3, 15))  # a Saturday


def test_day_one_is_the_first_working_day_after_start() -> None:
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)  # the holiday week is skipped
    assert add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)  # a working Saturday counts
    assert add_working_days(date(2025, 10, 9), 1) == date(2025, 10, 10)  # a working start never counts
    assert add_working_days(date(2025, 10, 3), 1) == date(2025, 10, 9)  # a holiday start neither


def test_zero_working_days_is_the_start_and_negative_is_refused() -> None:
    assert add_working_days(date(2025, 10, 3), 0) == date(2025, 10, 3)
    with pytest.raises(ValueError, match="n must be >= 0"):
        add_working_days(date(2025, 10, 3), -1)


def test_working_days_between_counts_after_start_up_to_end() -> None:
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
    assert working_days_between(date(2025, 10, 9), date(2025, 10, 9)) == 0
    with pytest.raises(ValueError, match="before start"):
        working_days_between(date(2025, 10, 9), date(2025, 10, 8))


@pytest.mark.parametrize("n", range(45))
def test_working_days_between_inverts_add_working_days(n: int) -> None:
    start = date(2025, 9, 26)
    assert working_days_between(start, add_working_days(start, n)) == n


def test_a_year_of_working_days_matches_the_package_count() -> None:
    expected = len(chinese_calendar.get_workdays(date(2025, 1, 1), date(2025, 12, 31)))
    assert expected == 248
    assert working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == expected


def test_the_package_covers_through_a_year_end() -> None:
    assert LAST_KNOWN.year >= 2026
    assert CALENDAR.knows(LAST_KNOWN.year) and not CALENDAR.knows(LAST_KNOWN.year + 1)
    assert CALENDAR.known_until(LAST_KNOWN) == LAST_KNOWN
    assert CALENDAR.known_until(LAST_KNOWN + timedelta(days=1)) is None


@pytest.mark.parametrize(
    "day", [LAST_KNOWN + timedelta(days=i) for i in range(1, 15)] + [FIRST_KNOWN - timedelta(days=3)]
)
def test_an_unknown_year_counts_monday_to_friday(day: date) -> None:
    assert is_working_day(day) is (day.weekday() < 5)


def test_a_count_into_an_unknown_year_is_provisional_and_one_within_known_years_is_not() -> None:
    start = LAST_KNOWN - timedelta(days=3)
    due = add_working_days(start, 25)
    assert due > LAST_KNOWN
    assert CALENDAR.is_provisional(start, due)
    assert not CALENDAR.is_provisional(date(2025, 1, 1), add_working_days(date(2025, 1, 1), 25))
    assert working_days_between(start, due) == 25


def test_a_loaded_year_replaces_the_package_and_extends_it() -> None:
    next_year = LAST_KNOWN.year + 1
    first_monday = next(date(next_year, 1, d) for d in range(1, 8) if date(next_year, 1, d).weekday() == 0)
    first_saturday = first_monday + timedelta(days=5)
    loaded = CalendarYear(next_year, frozenset({first_monday}), frozenset({first_saturday}), source="loaded")
    calendar = WorkingDayCalendar([loaded])
    assert not calendar.is_working_day(first_monday)
    assert calendar.is_working_day(first_saturday)
    assert calendar.known_until(LAST_KNOWN) == date(next_year, 12, 31)
    assert not calendar.is_provisional(LAST_KNOWN, date(next_year, 6, 1))
    # A correction of a package year wins over the package: 2025's National Day made a working day.
    corrected = WorkingDayCalendar([CalendarYear(2025, frozenset(), frozenset(), source="loaded")])
    assert corrected.is_working_day(date(2025, 10, 1))
    assert corrected.years[2025].source == "loaded"


def test_warnings_start_sixty_days_before_the_known_years_end() -> None:
    quiet = LAST_KNOWN - timedelta(days=WARN_DAYS_AHEAD)
    assert calendar_warning(CALENDAR, quiet) is None
    warning = calendar_warning(CALENDAR, quiet + timedelta(days=1))
    assert warning is not None and f"load {LAST_KNOWN.year + 1}" in warning
    unknown = calendar_warning(CALENDAR, LAST_KNOWN + timedelta(days=1))
    assert unknown is not None and "provisional" in unknown


def test_datetimes_are_refused() -> None:
    with pytest.raises(TypeError):
        is_working_day(datetime(2025, 10, 9, 12, 0))
