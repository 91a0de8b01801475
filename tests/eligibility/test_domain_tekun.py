"""特困: the three "no"s (三无), orphans, basic living plus care subsidy, and when minors' support stops.

2025-07-01 seed: 特困 basic ¥1,001 = 100,100 fen; dibao urban ¥770, rural ¥630.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.eligibility.domain.means import Assessment, Assets
from services.eligibility.domain.people import Member
from services.eligibility.domain.standards import SEED_STANDARDS, Area, standards_on
from services.eligibility.domain.tekun import (
    TekunApplicant,
    assess_tekun,
    minor_support_stops,
    no_work_capacity,
)
from shared.errors import InvalidInput

AS_OF = date(2025, 7, 1)
STANDARDS = standards_on(SEED_STANDARDS, AS_OF)
DAY = timedelta(days=1)
ELDER = Member(birth_date=date(1950, 3, 3), adl_failed=0)


def assess(
    person: Member = ELDER,
    *,
    income_fen: int = 0,
    area: Area = "urban",
    assets: Assets | None = None,
    has_able_supporter: bool = False,
    as_of: date = AS_OF,
) -> Assessment:
    applicant = TekunApplicant(
        person=person,
        area=area,
        monthly_income_fen=income_fen,
        assets=assets or Assets(),
        has_able_supporter=has_able_supporter,
    )
    return assess_tekun(applicant, standards=STANDARDS, as_of=as_of)


def codes(result: Assessment) -> list[str]:
    return [reason.code for reason in result.reasons]


def test_elderly_person_without_income_or_supporter_gets_basic_living() -> None:
    result = assess()
    assert result.eligible and result.reasons == ()
    assert result.monthly_amount_fen == 100_100
    b = result.breakdown
    assert (b.standard_fen, b.base_fen, b.add_ons_fen, b.care_subsidy_fen, b.covered_members) == (
        100_100,
        100_100,
        0,
        0,
        1,
    )


@pytest.mark.parametrize(
    ("adl_failed", "amount_fen", "level"),
    [
        (0, 100_100, "self_caring"),  # 1,001 + 0
        (1, 120_100, "half_care"),  # 1,001 + 200
        (3, 120_100, "half_care"),
        (4, 130_100, "full_care"),  # 1,001 + 300
        (6, 130_100, "full_care"),
    ],
)
def test_care_subsidy_by_care_level(adl_failed: int, amount_fen: int, level: str) -> None:
    result = assess(Member(birth_date=date(1950, 3, 3), adl_failed=adl_failed))
    assert result.monthly_amount_fen == amount_fen
    assert result.breakdown.care_subsidy_fen == amount_fen - 100_100
    assert result.breakdown.members[0].care_level == level


def test_unassessed_self_care_is_a_notice_not_a_refusal() -> None:
    result = assess(Member(birth_date=date(1950, 3, 3)))
    assert result.eligible
    assert codes(result) == ["CARE_LEVEL_NOT_ASSESSED"] and not result.reasons[0].blocking
    assert result.monthly_amount_fen == 100_100


def test_work_capacity_at_60_on_the_birthday() -> None:
    person = Member(birth_date=date(1965, 7, 1), adl_failed=0)  # 60 on 2025-07-01
    assert codes(assess(person, as_of=AS_OF - DAY)) == ["HAS_WORK_CAPACITY"]
    assert assess(person, as_of=AS_OF).eligible
    assert assess(person, as_of=AS_OF + DAY).eligible


def test_work_capacity_from_the_16th_birthday() -> None:
    child = Member(birth_date=date(2009, 7, 1), relation="child", adl_failed=0)  # 16 on 2025-07-01
    assert assess(child, as_of=AS_OF - DAY).eligible
    assert codes(assess(child, as_of=AS_OF)) == ["HAS_WORK_CAPACITY"]
    assert codes(assess(child, as_of=AS_OF + DAY)) == ["HAS_WORK_CAPACITY"]


def test_orphan_under_16_goes_to_orphan_support() -> None:
    orphan = Member(birth_date=date(2015, 1, 1), orphan=True, adl_failed=0)
    result = assess(orphan)
    assert codes(result) == ["ORPHAN_SUPPORT_INSTEAD"] and result.monthly_amount_fen == 0
    # From 16 the orphan rule no longer applies, but a 16-year-old has work capacity.
    assert codes(assess(Member(birth_date=date(2009, 7, 1), orphan=True), as_of=AS_OF)) == [
        "HAS_WORK_CAPACITY"
    ]


@pytest.mark.parametrize(
    ("kind", "grade", "no_capacity"),
    [
        ("intellectual", 3, True),
        ("intellectual", 4, False),
        ("mental", 1, True),
        ("mental", 3, True),
        ("mental", 4, False),
        ("physical", 2, True),
        ("physical", 3, False),
        ("visual", 1, True),
        ("visual", 2, False),
        ("hearing", 1, False),
        ("speech", 1, False),
        ("multiple", 1, False),
    ],
)
def test_disabilities_that_remove_work_capacity(kind: str, grade: int, no_capacity: bool) -> None:
    person = Member(birth_date=date(1985, 1, 1), disability_grade=grade, disability_kind=kind, adl_failed=2)  # type: ignore[arg-type]
    assert no_work_capacity(person, standards=STANDARDS, as_of=AS_OF) is no_capacity
    result = assess(person)
    assert codes(result) == ([] if no_capacity else ["HAS_WORK_CAPACITY"])
    assert result.monthly_amount_fen == (120_100 if no_capacity else 0)


def test_income_must_be_below_the_dibao_standard_of_the_area() -> None:
    assert assess(income_fen=62_999, area="rural").eligible
    result = assess(income_fen=63_000, area="rural")
    assert codes(result) == ["INCOME_ABOVE_STANDARD"] and "¥630" in result.reasons[0].message
    assert assess(income_fen=63_000, area="urban").eligible


def test_assets_must_be_within_the_dibao_limits() -> None:
    # One person, rural: 24 × 630 = ¥15,120.
    assert assess(area="rural", assets=Assets(financial_fen=1_512_000)).eligible
    assert codes(assess(area="rural", assets=Assets(financial_fen=1_512_001))) == [
        "FINANCIAL_ASSETS_ABOVE_LIMIT"
    ]
    assert codes(assess(assets=Assets(business=True))) == ["REGISTERED_BUSINESS"]


def test_an_able_supporter_excludes() -> None:
    assert codes(assess(has_able_supporter=True)) == ["HAS_ABLE_SUPPORTER"]


def test_all_three_failures_are_listed() -> None:
    worker = Member(birth_date=date(1985, 1, 1), adl_failed=0)
    result = assess(worker, income_fen=200_000, has_able_supporter=True)
    assert codes(result) == ["HAS_WORK_CAPACITY", "INCOME_ABOVE_STANDARD", "HAS_ABLE_SUPPORTER"]
    assert result.monthly_amount_fen == 0 and result.breakdown.base_fen == 0


def test_negative_income_is_refused() -> None:
    with pytest.raises(InvalidInput):
        TekunApplicant(person=ELDER, area="urban", monthly_income_fen=-1)


@pytest.mark.parametrize(
    ("person", "stops"),
    [
        (Member(birth_date=date(2010, 3, 15)), date(2028, 4, 1)),  # 18 on 2028-03-15, stops next month
        (Member(birth_date=date(2010, 12, 1)), date(2029, 1, 1)),  # 18 in December → January
        (Member(birth_date=date(2008, 2, 29)), date(2026, 4, 1)),  # 18 on 2026-03-01
        (Member(birth_date=date(2010, 3, 15), student=True), None),  # covered while in school
        (Member(birth_date=date(2010, 3, 15), disability_grade=1, disability_kind="intellectual"), None),
        (
            Member(birth_date=date(2010, 3, 15), disability_grade=4, disability_kind="physical"),
            date(2028, 4, 1),
        ),
    ],
)
def test_when_a_minors_support_stops(person: Member, stops: date | None) -> None:
    assert minor_support_stops(person, standards=STANDARDS) == stops
