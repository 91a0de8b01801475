"""The China working-day calendar on the package's real 2025 data: holidays, shifted weekends, coverage."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from shared.workdays import (
    CalendarNotKnown,
    add_working_days,
    covered_from,
    covered_until,
    is_working_day,
    working_days_between,
)

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


def test_days_outside_the_package_data_raise_calendar_not_known() -> None:
    last = covered_until()
    assert (last.month, last.day) == (12, 31)
    assert last.year >= 2025
    is_working_day(last)
    with pytest.raises(CalendarNotKnown, match=f"covers {covered_from().isoformat()} to {last.isoformat()}"):
        is_working_day(last + timedelta(days=1))
    with pytest.raises(CalendarNotKnown):
        is_working_day(covered_from() - timedelta(days=1))


def test_a_deadline_running_past_the_data_raises_rather_than_guessing() -> None:
    with pytest.raises(CalendarNotKnown) as raised:
        add_working_days(covered_until() - timedelta(days=3), 25)
    assert raised.value.day > covered_until()
    with pytest.raises(CalendarNotKnown):
        working_days_between(date(2025, 1, 1), covered_until() + timedelta(days=1))


def test_datetimes_are_refused() -> None:
    with pytest.raises(TypeError):
        is_working_day(datetime(2025, 10, 9, 12, 0))
