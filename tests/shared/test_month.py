"""The month value: labels, year-end arithmetic both ways, the day clamp, ordering and parse errors."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date

import pytest

from shared.contracts.types import YearMonth


def test_a_month_is_the_month_its_day_falls_in() -> None:
    month = YearMonth.of(date(2026, 2, 17))
    assert month == YearMonth(2026, 2)
    assert month.first_day == date(2026, 2, 1)
    assert month.last_day == date(2026, 2, 28)
    assert month.label == str(month) == "2026-02"


def test_labels_round_trip_through_parse() -> None:
    for label in ("2000-01", "2026-09", "2100-12"):
        assert YearMonth.parse(label).label == label


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (YearMonth(2025, 12), 1, YearMonth(2026, 1)),
        (YearMonth(2026, 1), -1, YearMonth(2025, 12)),
        (YearMonth(2025, 11), 14, YearMonth(2027, 1)),
        (YearMonth(2027, 1), -14, YearMonth(2025, 11)),
        (YearMonth(2026, 6), 0, YearMonth(2026, 6)),
        (YearMonth(2026, 6), -24, YearMonth(2024, 6)),
    ],
)
def test_month_arithmetic_crosses_year_ends_both_ways(
    start: YearMonth, months: int, expected: YearMonth
) -> None:
    assert start.plus(months) == expected
    assert expected.plus(-months) == start


def test_the_next_month_of_december_is_january() -> None:
    assert YearMonth(2025, 12).next() == YearMonth(2026, 1)
    assert YearMonth(2026, 1).next() == YearMonth(2026, 2)


def test_a_day_past_the_months_end_is_its_last_day() -> None:
    assert YearMonth(2025, 2).day(31) == date(2025, 2, 28)
    assert YearMonth(2024, 2).day(29) == date(2024, 2, 29)
    assert YearMonth(2025, 4).day(15) == date(2025, 4, 15)


def test_months_order_by_time() -> None:
    months = [YearMonth(2026, 1), YearMonth(2025, 12), YearMonth(2025, 2), YearMonth(2026, 10)]
    assert sorted(months) == [
        YearMonth(2025, 2),
        YearMonth(2025, 12),
        YearMonth(2026, 1),
        YearMonth(2026, 10),
    ]
    assert YearMonth(2025, 12) < YearMonth(2026, 1) <= YearMonth(2026, 1)
    assert max(months) == YearMonth(2026, 10)


def test_a_month_is_a_frozen_hashable_value() -> None:
    month = YearMonth(2026, 3)
    with pytest.raises(FrozenInstanceError):
        month.month = 4  # type: ignore[misc]
    assert {month, YearMonth.parse("2026-03")} == {month}


@pytest.mark.parametrize(
    "label",
    [
        "2026-13",
        "2026-00",
        "2026-1",
        "26-01",
        "2026/01",
        "2026-01-01",
        " 2026-01",
        "2026-01\n",
        "１９９９-０１",  # full-width digits
        "٢٠٢٦-01",  # Arabic-Indic digits
        "1999-12",
        "2101-01",
        "",
    ],
)
def test_parse_refuses_anything_but_an_ascii_yyyy_mm_between_2000_and_2100(label: str) -> None:
    with pytest.raises(ValueError, match="is not a month as YYYY-MM between 2000-01 and 2100-12"):
        YearMonth.parse(label)


def test_a_month_number_outside_1_to_12_is_refused() -> None:
    with pytest.raises(ValueError, match="month must be 1 to 12"):
        YearMonth(2026, 13)
