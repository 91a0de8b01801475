"""Ages on the boundary day (incl. 29 February), care levels from the six activities, member checks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.eligibility.domain.people import Member, age_on, anniversary, care_level, care_subsidy_fen
from services.eligibility.domain.standards import SEED_STANDARDS
from shared.errors import InvalidInput

STANDARDS = SEED_STANDARDS[-1]
DAY = timedelta(days=1)


@pytest.mark.parametrize("age", [16, 18, 60, 70])
def test_age_is_reached_on_the_birthday_itself(age: int) -> None:
    born = date(1950 + 70 - age, 3, 1)
    birthday = date(2020, 3, 1)
    assert age_on(born, birthday - DAY) == age - 1
    assert age_on(born, birthday) == age
    assert age_on(born, birthday + DAY) == age


def test_brief_example_born_2008_03_01_is_18_on_2026_03_01() -> None:
    assert age_on(date(2008, 3, 1), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 3, 1), date(2026, 3, 1)) == 18


def test_leap_day_birthday_is_reached_on_1_march_in_common_years() -> None:
    born = date(2008, 2, 29)
    assert age_on(born, date(2026, 2, 28)) == 17
    assert age_on(born, date(2026, 3, 1)) == 18
    # In a leap year the birthday exists: 29 February itself.
    assert age_on(born, date(2028, 2, 28)) == 19
    assert age_on(born, date(2028, 2, 29)) == 20
    assert anniversary(born, 18) == date(2026, 3, 1)
    assert anniversary(born, 20) == date(2028, 2, 29)


def test_age_and_anniversary_agree_on_every_day() -> None:
    # age_on(b, d) >= n exactly when d >= anniversary(b, n), for ordinary and leap-day births.
    for born in (date(1956, 2, 29), date(1956, 2, 28), date(1956, 3, 1), date(1955, 12, 31)):
        for offset in range(0, 4 * 366, 7):
            day = date(2014, 12, 1) + timedelta(days=offset)
            for years in (58, 59, 60, 61, 62):
                assert (age_on(born, day) >= years) == (day >= anniversary(born, years)), (born, day, years)


def test_age_before_birth_is_refused() -> None:
    with pytest.raises(InvalidInput, match="after"):
        age_on(date(2020, 1, 2), date(2020, 1, 1))


@pytest.mark.parametrize(
    ("adl_failed", "level", "subsidy_fen"),
    [
        (0, "self_caring", 0),
        (1, "half_care", 20_000),
        (3, "half_care", 20_000),
        (4, "full_care", 30_000),
        (6, "full_care", 30_000),
    ],
)
def test_care_level_from_the_six_activities(adl_failed: int, level: str, subsidy_fen: int) -> None:
    assert care_level(adl_failed, STANDARDS) == level
    assert care_subsidy_fen(care_level(adl_failed, STANDARDS), STANDARDS) == subsidy_fen


@pytest.mark.parametrize("adl_failed", [-1, 7])
def test_care_level_outside_the_six_activities_is_refused(adl_failed: int) -> None:
    with pytest.raises(InvalidInput):
        care_level(adl_failed, STANDARDS)


@pytest.mark.parametrize(
    "fields",
    [
        {"disability_grade": 0},
        {"disability_grade": 5},
        {"disability_kind": "visual"},
        {"adl_failed": 7},
        {"adl_failed": -1},
    ],
)
def test_member_refuses_impossible_values(fields: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        Member(birth_date=date(1990, 1, 1), **fields)  # type: ignore[arg-type]


def test_member_disabled_means_any_grade() -> None:
    assert Member(birth_date=date(1990, 1, 1), disability_grade=4, disability_kind="speech").disabled
    assert not Member(birth_date=date(1990, 1, 1)).disabled
