"""Money computed exactly, rounded once (DOMAIN.md, Dibao, "Arithmetic"): no intermediate figure is rounded.

The 2017-01-01 seed standard is urban ¥500 (50,000 fen); the 2025-07-01 one urban ¥770.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from fractions import Fraction

import pytest

from services.eligibility.domain.dibao import Household, assess_dibao
from services.eligibility.domain.means import Assessment, CountedIncome, RigidExpenses
from services.eligibility.domain.money import round_half_up, split_evenly
from services.eligibility.domain.people import Member
from services.eligibility.domain.standards import SEED_STANDARDS, Standards, standards_on
from shared.errors import InvalidInput

IN_2017 = date(2017, 6, 1)
AT_500 = standards_on(SEED_STANDARDS, IN_2017)
AT_770 = standards_on(SEED_STANDARDS, date(2025, 7, 1))


def adult(**fields: object) -> Member:
    return Member(birth_date=date(1985, 5, 5), **fields)  # type: ignore[arg-type]


def assess(
    size: int,
    income_fen: int,
    *,
    standards: Standards = AT_770,
    as_of: date = date(2025, 7, 1),
    **fields: object,
) -> Assessment:
    household = Household(
        members=tuple(adult() for _ in range(size)),
        area="urban",
        monthly_income_fen=income_fen,
        **fields,  # type: ignore[arg-type]
    )
    return assess_dibao(household, standards=standards, as_of=as_of)


def test_three_people_with_a_thousand_yuan_at_a_standard_of_500_get_exactly_500() -> None:
    # (500 − 1,000 / 3) × 3 = 1,500 − 1,000 = ¥500.00. Rounding the per-capita income first
    # (to ¥333.33) gave 3 × (50,000 − 33,333) = 50,001.
    result = assess(3, 100_000, standards=AT_500, as_of=IN_2017)
    assert AT_500.dibao_urban_fen == 50_000
    assert result.eligible and result.monthly_amount_fen == 50_000
    assert result.breakdown.base_fen == 50_000
    assert [line.base_fen for line in result.breakdown.members] == [16_667, 16_667, 16_666]
    assert result.breakdown.income == CountedIncome(12 * 100_000, 3)
    assert result.breakdown.per_capita_income_display_fen == 33_333  # display only


def test_at_a_new_standard_of_600_the_same_household_gets_exactly_800() -> None:
    at_600 = dataclasses.replace(AT_500, dibao_urban_fen=60_000)
    before = assess(3, 100_000, standards=AT_500, as_of=IN_2017)
    after = assess(3, 100_000, standards=at_600, as_of=IN_2017)
    assert after.monthly_amount_fen == 3 * 60_000 - 100_000 == 80_000
    assert [line.base_fen for line in after.breakdown.members] == [26_667, 26_667, 26_666]
    # Back pay is paid per member and month: each difference is exact and they add up to the household's.
    differences = [
        new.total_fen - old.total_fen
        for new, old in zip(after.breakdown.members, before.breakdown.members, strict=True)
    ]
    assert differences == [10_000, 10_000, 10_000] and sum(differences) == 80_000 - 50_000


def test_an_exact_half_fen_is_rounded_up_once_at_the_end() -> None:
    # One member, ¥100 a month, 6 fen of rigid expenses in 12 months: a deduction of 0.5 fen a month,
    # base 77,000 − (10,000 − 0.5) = 67,000.5 → 67,001.
    result = assess(1, 10_000, rigid_expenses_12m=RigidExpenses(medical_fen=6))
    assert result.breakdown.income.per_capita == Fraction(19_999, 2)
    assert result.monthly_amount_fen == 67_001
    # Two members, ¥1,000: (77,000 − 99,999.5 / 2) × 2 = 54,000.5 → 54,001, split 27,001 + 27,000.
    # (A deduction rounded up to 1 fen and a floored per capita gave (77,000 − 49,999) × 2 = 54,002.)
    two = assess(2, 100_000, rigid_expenses_12m=RigidExpenses(medical_fen=6))
    assert two.monthly_amount_fen == 54_001
    assert [line.base_fen for line in two.breakdown.members] == [27_001, 27_000]


def test_a_rigid_expense_deduction_not_divisible_by_12_is_carried_exactly() -> None:
    # 100,001 fen over 12 months = 8,333.4166… fen a month. One member with ¥1,000 counts 91,666.58…:
    # not eligible. With ¥800: 77,000 − (80,000 − 8,333.4166…) = 5,333.4166… → 5,333.
    expenses = RigidExpenses(medical_fen=100_001)
    assert expenses.monthly_deduction == Fraction(100_001, 12)
    assert not assess(1, 100_000, rigid_expenses_12m=expenses).eligible
    result = assess(1, 80_000, rigid_expenses_12m=expenses)
    assert result.monthly_amount_fen == 5_333  # a deduction rounded up first (8,334) gave 5,334
    assert result.breakdown.rigid_expense_deduction_display_fen == 8_333  # display only
    # Four members, ¥3,000: (77,000 × 4) − 300,000 + 8,333.4166… = 16,333.4166… → 16,333, split 4,084 + 3 × 4,083.
    four = assess(4, 300_000, rigid_expenses_12m=expenses)
    assert four.monthly_amount_fen == 16_333
    assert [line.base_fen for line in four.breakdown.members] == [4_084, 4_083, 4_083, 4_083]


def test_an_income_exactly_at_the_line_after_the_deduction_is_not_below_it() -> None:
    # 77,001 − 12 / 12 = 77,000: not below; 13 fen of expenses make it 76,999.92 (eligible, and the
    # base of 0.083 fen rounds to 0: nothing is paid without a minimum payment).
    at_line = assess(1, 77_001, rigid_expenses_12m=RigidExpenses(medical_fen=12))
    assert [reason.code for reason in at_line.reasons] == ["INCOME_ABOVE_STANDARD"]
    just_below = assess(1, 77_001, rigid_expenses_12m=RigidExpenses(medical_fen=13))
    assert just_below.eligible and just_below.monthly_amount_fen == 0


def test_the_leftover_fen_go_to_the_first_members_in_share_order() -> None:
    in_member_order = assess(3, 100_001)
    assert [line.base_fen for line in in_member_order.breakdown.members] == [43_667, 43_666, 43_666]
    by_share_order = assess(3, 100_001, share_order=(2, 0, 1))
    assert [(line.member_index, line.base_fen) for line in by_share_order.breakdown.members] == [
        (0, 43_666),
        (1, 43_666),
        (2, 43_667),
    ]
    with_minimum = dataclasses.replace(AT_770, minimum_payment_fen=1_000)
    topped = assess(3, 230_999, standards=with_minimum, share_order=(1, 2, 0))  # exact base: 1 fen
    assert [line.base_fen for line in topped.breakdown.members] == [0, 1_000, 0]
    with pytest.raises(InvalidInput):
        assess(3, 0, share_order=(0, 1, 1))


def test_counted_income_compares_without_division() -> None:
    income = CountedIncome.monthly(100_000, members=3)
    assert income.below(33_334) and not income.below(33_333)
    assert income.below(22_223, percent=150) and not income.below(
        22_222, percent=150
    )  # 33,333.33 vs 33,334.5 and 33,333
    assert CountedIncome.monthly(100, members=1, rigid_expenses_12m_fen=5_000) == CountedIncome(0, 1)
    with pytest.raises(InvalidInput):
        CountedIncome(0, 0)


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        (Fraction(1, 2), 1),
        (Fraction(5, 2), 3),
        (Fraction(1, 3), 0),
        (Fraction(2, 3), 1),
        (Fraction(134_001, 2), 67_001),
        (Fraction(0), 0),
        (Fraction(7), 7),
    ],
)
def test_round_half_up(value: Fraction, fen: int) -> None:
    assert round_half_up(value) == fen


def test_an_even_split_adds_up_and_never_falls_when_the_total_rises() -> None:
    assert split_evenly(50_000, 3) == (16_667, 16_667, 16_666)
    assert split_evenly(2, 3) == (1, 1, 0)
    for parts in range(1, 6):
        previous = split_evenly(0, parts)
        for total in range(1, 40):
            shares = split_evenly(total, parts)
            assert sum(shares) == total and max(shares) - min(shares) <= 1
            assert all(new >= old for new, old in zip(shares, previous, strict=True))
            previous = shares
    with pytest.raises(ValueError, match="at least one part"):
        split_evenly(1, 0)
