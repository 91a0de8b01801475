"""Dibao: income test, difference amount, add-on stacking, expenditure deduction, rounding, single person.

Amounts use the 2025-07-01 seed standard (urban ¥770 = 77,000 fen, rural ¥630) unless said otherwise.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from fractions import Fraction

import pytest

from services.eligibility.domain.dibao import (
    Household,
    SinglePersonApplication,
    assess_dibao,
    classified_add_on,
    may_apply_alone,
)
from services.eligibility.domain.means import Assessment, CountedIncome, RigidExpenses
from services.eligibility.domain.people import Member
from services.eligibility.domain.standards import SEED_STANDARDS, Area, Standards, standards_on
from shared.errors import InvalidInput

AS_OF = date(2025, 7, 1)
STANDARDS = standards_on(SEED_STANDARDS, AS_OF)


def adult(**fields: object) -> Member:
    return Member(birth_date=date(1985, 5, 5), **fields)  # type: ignore[arg-type]


def assess(
    members: tuple[Member, ...],
    income_fen: int,
    *,
    area: Area = "urban",
    standards: Standards = STANDARDS,
    as_of: date = AS_OF,
    **fields: object,
) -> Assessment:
    household = Household(members=members, area=area, monthly_income_fen=income_fen, **fields)  # type: ignore[arg-type]
    return assess_dibao(household, standards=standards, as_of=as_of)


def codes(result: Assessment) -> list[str]:
    return [reason.code for reason in result.reasons]


def test_difference_amount_for_a_household_below_the_standard() -> None:
    # 3 members, ¥1,500 a month → ¥500 per person; (770 − 500) × 3 = ¥810.
    result = assess((adult(), adult(), adult()), 150_000)
    assert result.eligible and result.reasons == ()
    assert result.monthly_amount_fen == 81_000
    b = result.breakdown
    assert (
        b.standard_fen,
        b.per_capita_income_display_fen,
        b.base_fen,
        b.add_ons_fen,
        b.care_subsidy_fen,
    ) == (
        77_000,
        50_000,
        81_000,
        0,
        0,
    )
    assert b.covered_members == 3
    assert [line.base_fen for line in b.members] == [27_000, 27_000, 27_000]


def test_income_equal_to_the_standard_is_not_below_it() -> None:
    at = assess((adult(),), 77_000)
    assert not at.eligible and codes(at) == ["INCOME_ABOVE_STANDARD"]
    assert at.monthly_amount_fen == 0 and at.breakdown.base_fen == 0
    assert "¥770" in at.reasons[0].message
    below = assess((adult(),), 76_999)
    assert below.eligible and below.monthly_amount_fen == 1


def test_rural_households_use_the_rural_standard() -> None:
    # ¥700: above the rural ¥630, below the urban ¥770.
    assert codes(assess((adult(),), 70_000, area="rural")) == ["INCOME_ABOVE_STANDARD"]
    assert assess((adult(),), 70_000, area="urban").monthly_amount_fen == 7_000
    assert assess((adult(),), 60_000, area="rural").monthly_amount_fen == 3_000  # 630 − 600


def test_an_odd_per_capita_income_is_not_rounded_before_the_amount() -> None:
    # ¥1,000.01 over 3 = 33,333.67 fen per person: (77,000 − 33,333.67) × 3 = 231,000 − 100,001 = 130,999
    # exactly. (Flooring the per-capita income first gave (77,000 − 33,333) × 3 = 131,001.)
    result = assess((adult(), adult(), adult()), 100_001)
    assert result.monthly_amount_fen == 130_999
    assert [line.base_fen for line in result.breakdown.members] == [43_667, 43_666, 43_666]
    assert result.breakdown.income.per_capita == Fraction(100_001, 3)
    assert result.breakdown.per_capita_income_display_fen == 33_333  # floored, for display only


def test_the_income_test_is_exact_at_the_line() -> None:
    # 230,999 / 3 = 76,999.67 < 77,000: eligible, 231,000 − 230,999 = 1 fen (was 3 with a floored per capita).
    assert assess((adult(), adult(), adult()), 230_999).monthly_amount_fen == 1
    # 231,000 / 3 = 77,000 exactly: not below.
    at = assess((adult(), adult(), adult()), 231_000)
    assert codes(at) == ["INCOME_ABOVE_STANDARD"] and "¥770 per person" in at.reasons[0].message


ELDERLY_70_TODAY = date(1955, 7, 1)
ELDERLY_69 = date(1955, 7, 2)  # 70 tomorrow


@pytest.mark.parametrize(
    ("member", "fen", "kinds"),
    [
        (adult(), 0, ()),
        (adult(disability_grade=3, disability_kind="physical"), 4_000, ("disabled",)),
        (adult(disability_grade=4, disability_kind="hearing"), 4_000, ("disabled",)),
        (adult(serious_illness=True), 6_000, ("severe",)),
        (Member(birth_date=ELDERLY_70_TODAY), 6_000, ("severe",)),
        (Member(birth_date=ELDERLY_69), 0, ()),
        (adult(student=True), 10_000, ("child_student",)),
        (Member(birth_date=date(2021, 1, 1), preschool=True), 10_000, ("child_student",)),
        # Disabled: ¥40 on top of the one other add-on.
        (adult(disability_grade=2, disability_kind="physical"), 10_000, ("severe", "disabled")),  # 60 + 40
        (adult(disability_grade=1, disability_kind="visual"), 10_000, ("severe", "disabled")),  # 60 + 40
        (
            adult(disability_grade=1, disability_kind="physical", student=True),
            14_000,
            ("child_student", "disabled"),
        ),
        (
            Member(birth_date=date(2021, 1, 1), preschool=True, disability_grade=3, disability_kind="speech"),
            14_000,
            ("child_student", "disabled"),
        ),  # 100 + 40
        (
            Member(birth_date=date(1950, 1, 1), disability_grade=4, disability_kind="visual"),
            10_000,
            ("severe", "disabled"),
        ),  # aged 75: 60 + 40
        (
            adult(serious_illness=True, disability_grade=3, disability_kind="mental"),
            10_000,
            ("severe", "disabled"),
        ),
        # Not disabled: only the highest one.
        (adult(serious_illness=True, student=True), 10_000, ("child_student",)),  # not 160
        (Member(birth_date=date(1950, 1, 1), serious_illness=True), 6_000, ("severe",)),  # not 120
        (adult(student=True, preschool=True), 10_000, ("child_student",)),
    ],
)
def test_add_on_stacking(member: Member, fen: int, kinds: tuple[str, ...]) -> None:
    assert classified_add_on(member, standards=STANDARDS, as_of=AS_OF) == (fen, kinds)


def test_add_ons_add_to_the_difference_per_member() -> None:
    # Income ¥1,200 over 4 → ¥300; base (770 − 300) × 4 = 1,880.
    # Add-ons: grandparent aged 75 ¥60, grade-1 disabled head ¥60 + ¥40, student ¥100, spouse 0 → ¥260.
    members = (
        adult(disability_grade=1, disability_kind="physical"),
        adult(relation="spouse"),
        Member(birth_date=date(2010, 9, 1), relation="child", student=True),
        Member(birth_date=date(1950, 1, 1), relation="grandparent", adl_failed=2),
    )
    result = assess(members, 120_000)
    assert result.breakdown.base_fen == 188_000
    assert result.breakdown.add_ons_fen == 26_000
    assert result.monthly_amount_fen == 214_000
    assert [(line.member_index, line.add_on_fen) for line in result.breakdown.members] == [
        (0, 10_000),
        (1, 0),
        (2, 10_000),
        (3, 6_000),
    ]
    assert result.breakdown.members[3].care_level == "half_care"
    assert sum(line.total_fen for line in result.breakdown.members) == result.monthly_amount_fen


def test_expenditure_deduction_turns_an_ineligible_household_eligible() -> None:
    two = (adult(), adult(serious_illness=True))
    # ¥1,800 over 2 = ¥900 ≥ ¥770: not eligible on income.
    assert codes(assess(two, 180_000)) == ["INCOME_ABOVE_STANDARD"]
    # Medical ¥3,000 + schooling ¥600 over 12 months = ¥3,600 → ¥300 a month deducted.
    # (1,800 − 300) / 2 = ¥750 → base (770 − 750) × 2 = ¥40, + ¥60 severe add-on for the ill member.
    expenses = RigidExpenses(medical_fen=300_000, education_fen=60_000)
    result = assess(two, 180_000, rigid_expenses_12m=expenses)
    assert result.eligible
    assert result.breakdown.rigid_expense_deduction_display_fen == 30_000
    assert result.breakdown.per_capita_income_display_fen == 75_000
    assert result.monthly_amount_fen == 4_000 + 6_000


def test_expenditure_deduction_is_an_exact_twelfth_and_never_makes_income_negative() -> None:
    assert RigidExpenses(medical_fen=100_001).monthly_deduction == Fraction(100_001, 12)  # 8,333.4166…
    assert RigidExpenses(medical_fen=100_001).monthly_deduction_display_fen == 8_333  # display only
    assert RigidExpenses(education_fen=120_000).monthly_deduction == 10_000
    # ¥100 income, ¥300 a month of expenses: counted income 0, base = full standard × 2.
    result = assess((adult(), adult()), 10_000, rigid_expenses_12m=RigidExpenses(medical_fen=360_000))
    assert result.breakdown.income == CountedIncome(0, 2)
    assert result.breakdown.per_capita_income_display_fen == 0
    assert result.monthly_amount_fen == 154_000


DISABLED_SON = Member(
    birth_date=date(2000, 1, 1), relation="child", disability_grade=1, disability_kind="physical"
)
PARENTS = (adult(), adult(relation="spouse"))


def test_single_person_application_covers_the_applicant_alone() -> None:
    # Household ¥3,000 over 3 = ¥1,000: not eligible as a household, but below 1.5 × 770 = ¥1,155,
    # so near-dibao. The grade-1 son applies alone with no income of his own:
    # base 770 − 0 = ¥770, add-ons severe ¥60 + disabled ¥40 → ¥870.
    household = (*PARENTS, DISABLED_SON)
    assert not assess(household, 300_000).eligible
    single = SinglePersonApplication(member_index=2, monthly_income_fen=0)
    result = assess(household, 300_000, single_person=single)
    assert result.eligible
    assert result.monthly_amount_fen == 87_000
    assert result.breakdown.covered_members == 1
    assert [line.member_index for line in result.breakdown.members] == [2]
    assert result.breakdown.per_capita_income_display_fen == 0


def test_single_person_applicant_is_tested_on_own_income() -> None:
    household = (*PARENTS, DISABLED_SON)
    single = SinglePersonApplication(member_index=2, monthly_income_fen=77_000)
    assert codes(assess(household, 300_000, single_person=single)) == ["INCOME_ABOVE_STANDARD"]


def test_single_person_household_must_be_near_dibao() -> None:
    # 1.5 × 770 × 3 = ¥3,465: at the line is not near-dibao; 1 fen below is.
    household = (*PARENTS, DISABLED_SON)
    single = SinglePersonApplication(member_index=2, monthly_income_fen=0)
    assert codes(assess(household, 346_500, single_person=single)) == ["NOT_NEAR_DIBAO_HOUSEHOLD"]
    assert assess(household, 346_499, single_person=single).eligible


@pytest.mark.parametrize(
    ("member", "may"),
    [
        (adult(disability_grade=1, disability_kind="physical"), True),
        (adult(disability_grade=2, disability_kind="hearing"), True),
        (adult(disability_grade=3, disability_kind="intellectual"), True),
        (adult(disability_grade=3, disability_kind="mental"), True),
        (adult(disability_grade=3, disability_kind="physical"), False),
        (adult(disability_grade=4, disability_kind="mental"), False),
        (adult(serious_illness=True), True),
        (adult(), False),
    ],
)
def test_who_may_apply_alone(member: Member, may: bool) -> None:
    assert may_apply_alone(member, STANDARDS) is may
    single = SinglePersonApplication(member_index=2, monthly_income_fen=0)
    result = assess((*PARENTS, member), 200_000, single_person=single)
    assert result.eligible is may
    assert ("SINGLE_PERSON_NOT_QUALIFIED" in codes(result)) is not may


def test_household_input_is_checked() -> None:
    with pytest.raises(InvalidInput):
        Household(members=(), area="urban", monthly_income_fen=0)
    with pytest.raises(InvalidInput):
        Household(members=(adult(),), area="urban", monthly_income_fen=-1)
    with pytest.raises(InvalidInput):
        Household(
            members=(adult(),),
            area="urban",
            monthly_income_fen=0,
            single_person=SinglePersonApplication(member_index=1, monthly_income_fen=0),
        )


def test_minimum_payment_tops_up_the_difference() -> None:
    # Default minimum: none, so 1 fen is paid as 1 fen.
    assert assess((adult(),), 76_999).monthly_amount_fen == 1
    with_minimum = dataclasses.replace(STANDARDS, minimum_payment_fen=1_000)
    result = assess((adult(),), 76_999, standards=with_minimum)
    assert result.monthly_amount_fen == 1_000
    assert result.breakdown.base_fen == 1_000 and result.breakdown.members[0].base_fen == 1_000


def test_a_new_standard_brings_a_near_line_household_in() -> None:
    # ¥760 alone: above the 2025-06-30 standard ¥750, below the 2025-07-01 standard ¥770.
    before = date(2025, 6, 30)
    old = assess((adult(),), 76_000, standards=standards_on(SEED_STANDARDS, before), as_of=before)
    assert codes(old) == ["INCOME_ABOVE_STANDARD"]
    assert assess((adult(),), 76_000).monthly_amount_fen == 1_000
