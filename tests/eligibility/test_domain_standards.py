"""Standards as data: DOMAIN.md's seed table, the 特困 formula, lookup by day, defaults and tables."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from services.eligibility.domain.standards import (
    CHOSEN_DEFAULT_FIELDS,
    DEFAULTED_FIELDS,
    DEFAULTED_SEED_DATES,
    DOMAIN_DEFAULT_FIELDS,
    SEED_STANDARDS,
    MonthRange,
    NoStandardInForce,
    Standards,
    standards_on,
    tekun_basic_from_urban_fen,
)
from shared.errors import InvalidInput

FIELD_NAMES = {f.name for f in dataclasses.fields(Standards)}


@pytest.mark.parametrize("seed", SEED_STANDARDS, ids=lambda s: s.effective_from.isoformat())
def test_tekun_seed_is_130_percent_of_urban_rounded_to_the_yuan(seed: Standards) -> None:
    # DOMAIN.md: 特困 basic living = 1.3 × urban, rounded to the yuan. Every row of its table agrees.
    assert seed.tekun_basic_fen == tekun_basic_from_urban_fen(
        seed.dibao_urban_fen, seed.tekun_urban_ratio_percent
    )


def test_tekun_formula_rounds_half_up_and_to_whole_yuan() -> None:
    assert tekun_basic_from_urban_fen(73_500, 130) == 95_600  # 1.3 × 735 = 955.5 → 956
    assert tekun_basic_from_urban_fen(54_600, 130) == 71_000  # 709.8 → 710
    assert tekun_basic_from_urban_fen(71_700, 130) == 93_200  # 932.1 → 932
    assert tekun_basic_from_urban_fen(50_050, 130) == 65_100  # 650.65 → 651: whole yuan, not fen


def test_seed_table_is_domain_md_table() -> None:
    rows = [
        (s.effective_from, s.dibao_urban_fen // 100, s.dibao_rural_fen // 100, s.tekun_basic_fen // 100)
        for s in SEED_STANDARDS
    ]
    assert rows == [
        (date(2017, 1, 1), 500, 350, 650),
        (date(2018, 1, 1), 546, 410, 710),
        (date(2019, 1, 1), 580, 440, 754),
        (date(2020, 1, 1), 620, 496, 806),
        (date(2021, 9, 1), 636, 515, 827),
        (date(2022, 9, 1), 717, 581, 932),
        (date(2023, 9, 1), 735, 600, 956),
        (date(2024, 1, 1), 750, 610, 975),
        (date(2025, 7, 1), 770, 630, 1001),
    ]
    expected_defaulted = {date(2017, 1, 1), date(2019, 1, 1), date(2020, 1, 1), date(2024, 1, 1)}
    assert expected_defaulted == DEFAULTED_SEED_DATES


@pytest.mark.parametrize(
    ("day", "urban_fen", "rural_fen"),
    [
        (date(2025, 6, 30), 75_000, 61_000),  # last day of the 2024-01-01 standard
        (date(2025, 7, 1), 77_000, 63_000),  # first day of the new one
        (date(2025, 7, 2), 77_000, 63_000),
        (date(2023, 8, 31), 71_700, 58_100),
        (date(2023, 9, 1), 73_500, 60_000),
        (date(2017, 1, 1), 50_000, 35_000),
        (date(2099, 1, 1), 77_000, 63_000),
    ],
)
def test_standards_on_picks_the_latest_effective_on_or_before_the_day(
    day: date, urban_fen: int, rural_fen: int
) -> None:
    picked = standards_on(SEED_STANDARDS, day)
    assert (picked.dibao_fen("urban"), picked.dibao_fen("rural")) == (urban_fen, rural_fen)


def test_standards_on_does_not_need_sorted_input() -> None:
    assert standards_on(reversed(SEED_STANDARDS), date(2022, 9, 1)).dibao_urban_fen == 71_700


def test_no_standard_before_the_first() -> None:
    with pytest.raises(NoStandardInForce, match="2016-12-31"):
        standards_on(SEED_STANDARDS, date(2016, 12, 31))
    assert issubclass(NoStandardInForce, InvalidInput)


def test_defaulted_fields_are_real_fields_and_name_domain_defaults() -> None:
    assert DEFAULTED_FIELDS <= FIELD_NAMES
    assert DOMAIN_DEFAULT_FIELDS.isdisjoint(CHOSEN_DEFAULT_FIELDS)
    assert {"minimum_payment_fen", "temporary_cap_fen", "help_first_limit_fen", "temporary_months"} <= (
        DOMAIN_DEFAULT_FIELDS
    )
    assert {"housing_guarantee_area_m2", "near_dibao_income_percent"} == CHOSEN_DEFAULT_FIELDS


def test_seed_parameters_carry_domain_md_values() -> None:
    s = SEED_STANDARDS[-1]
    assert (s.care_subsidy_full_fen, s.care_subsidy_half_fen, s.care_subsidy_self_fen) == (30_000, 20_000, 0)
    assert (s.add_on_disabled_fen, s.add_on_severe_fen, s.add_on_child_student_fen) == (4_000, 6_000, 10_000)
    assert (s.financial_assets_months, s.vehicle_exemption_fen, s.illness_assets_exemption_fen) == (
        24,
        3_000_000,
        5_000_000,
    )
    assert (s.temporary_cap_fen, s.help_first_limit_fen, s.minimum_payment_fen) == (5_000_000, 300_000, 0)
    months = s.temporary_months
    assert [(r.min_months, r.max_months) for r in (months.a, months.b, months.c, months.d)] == [
        (3, 6),
        (2, 5),
        (1, 4),
        (1, 4),
    ]


@pytest.mark.parametrize(
    ("population", "fund_fen"),
    [
        (120_000, 8_000_000),
        (30_000, 8_000_000),
        (29_999, 5_000_000),
        (10_000, 5_000_000),
        (9_999, 3_000_000),
        (0, 3_000_000),
    ],
)
def test_township_reserve_fund_by_resident_population(population: int, fund_fen: int) -> None:
    # ¥80,000 / ¥50,000 / ¥30,000 for ≥ 30k / 10k–30k / < 10k residents.
    assert SEED_STANDARDS[-1].reserve_fund_fen(population) == fund_fen


def test_standards_refuse_negative_and_zero_values() -> None:
    base = SEED_STANDARDS[-1]
    with pytest.raises(InvalidInput, match="add_on_severe_fen"):
        dataclasses.replace(base, add_on_severe_fen=-1)
    with pytest.raises(InvalidInput, match="above zero"):
        dataclasses.replace(base, dibao_rural_fen=0)
    with pytest.raises(InvalidInput, match="care thresholds"):
        dataclasses.replace(base, adl_half_care_from=5, adl_full_care_from=4)


def test_month_range_bounds() -> None:
    months = MonthRange(1, 4)
    assert [m in months for m in (0, 1, 4, 5)] == [False, True, True, False]
    with pytest.raises(InvalidInput):
        MonthRange(0, 4)
    with pytest.raises(InvalidInput):
        MonthRange(5, 4)
