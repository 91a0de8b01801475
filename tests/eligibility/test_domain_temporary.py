"""Temporary assistance: classes and months, urban standard × persons × months, cap, help first, repeats.

2025-07-01 seed: urban ¥770 = 77,000 fen, whatever the household's area.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from services.eligibility.domain.means import RigidExpenses
from services.eligibility.domain.standards import SEED_STANDARDS, standards_on
from services.eligibility.domain.temporary import (
    PriorGrant,
    TemporaryAssessment,
    TemporaryRequest,
    assess_temporary,
    repeat_grants,
)
from shared.errors import InvalidInput

AS_OF = date(2025, 7, 1)
STANDARDS = standards_on(SEED_STANDARDS, AS_OF)


def request(**fields: object) -> TemporaryRequest:
    values: dict[str, object] = {
        "kind": "emergency",
        "household_class": "B",
        "persons": 3,
        "household_size": 3,
        "monthly_income_fen": 0,
    }
    values.update(fields)
    return TemporaryRequest(**values)  # type: ignore[arg-type]


def assess(
    req: TemporaryRequest, prior: tuple[PriorGrant, ...] = (), as_of: date = AS_OF
) -> TemporaryAssessment:
    return assess_temporary(req, standards=STANDARDS, as_of=as_of, prior_grants=prior)


def codes(result: TemporaryAssessment) -> list[str]:
    return [reason.code for reason in result.reasons]


def test_amount_is_urban_standard_times_persons_times_months() -> None:
    # Class B, 3 persons, 4 months: 770 × 3 × 4 = ¥9,240.
    result = assess(request(months=4))
    assert result.eligible and result.reasons == ()
    assert (result.amount_fen, result.standard_fen, result.persons, result.months) == (924_000, 77_000, 3, 4)


def test_rural_standard_is_never_used() -> None:
    assert STANDARDS.temporary_standard_area == "urban"
    assert assess(request(months=2)).standard_fen == STANDARDS.dibao_urban_fen != STANDARDS.dibao_rural_fen


@pytest.mark.parametrize(("household_class", "months"), [("A", 3), ("B", 2), ("C", 1), ("D", 1)])
def test_months_default_to_the_class_minimum(household_class: str, months: int) -> None:
    req = request(household_class=household_class, persons=1, rigid_expenses_12m=RigidExpenses(medical_fen=1))
    result = assess(req)
    assert result.months == months
    assert result.amount_fen == 77_000 * months


@pytest.mark.parametrize(
    ("household_class", "months", "allowed"),
    [
        ("A", 2, False),
        ("A", 3, True),
        ("A", 6, True),
        ("A", 7, False),
        ("B", 1, False),
        ("B", 2, True),
        ("B", 5, True),
        ("B", 6, False),
        ("C", 0, False),
        ("C", 1, True),
        ("C", 4, True),
        ("C", 5, False),
        ("D", 4, True),
        ("D", 5, False),
    ],
)
def test_months_must_be_in_the_class_range(household_class: str, months: int, allowed: bool) -> None:
    req = request(
        household_class=household_class, months=months, rigid_expenses_12m=RigidExpenses(education_fen=1)
    )
    result = assess(req)
    assert result.eligible is allowed
    assert codes(result) == ([] if allowed else ["CLASS_MONTHS_OUT_OF_RANGE"])
    assert result.amount_fen == (77_000 * 3 * months if allowed else 0)


def test_above_the_cap_needs_case_by_case_approval() -> None:
    # Class A, 10 persons × 6 months × 770 = ¥46,200: within the ¥50,000 cap.
    within = assess(request(household_class="A", persons=10, household_size=10, months=6))
    assert within.amount_fen == 4_620_000 and not within.requires_case_by_case_approval
    # 11 persons: ¥50,820 — still eligible at the full amount, but only by case-by-case approval.
    above = assess(request(household_class="A", persons=11, household_size=11, months=6))
    assert above.eligible and above.amount_fen == 5_082_000
    assert above.requires_case_by_case_approval
    assert codes(above) == ["ABOVE_CAP_NEEDS_CASE_BY_CASE"] and not above.reasons[0].blocking


def test_an_amount_equal_to_the_cap_needs_no_approval() -> None:
    capped = dataclasses.replace(STANDARDS, temporary_cap_fen=4_620_000)
    req = request(household_class="A", persons=10, household_size=10, months=6)
    assert not assess_temporary(req, standards=capped, as_of=AS_OF).requires_case_by_case_approval


def test_help_first_is_limited_and_only_for_emergencies() -> None:
    # ¥9,240 emergency: the township may pay ¥3,000 at once.
    assert assess(request(months=4)).help_first_amount_fen == 300_000
    # ¥770 (class C, 1 person, 1 month) is below the limit: all of it.
    small = assess(request(household_class="C", persons=1, household_size=1, months=1))
    assert small.help_first_amount_fen == 77_000
    assert assess(request(kind="expenditure", months=4)).help_first_amount_fen == 0


@pytest.mark.parametrize(("income_fen", "eligible"), [(307_999, True), (308_000, False)])
def test_class_c_needs_income_below_twice_the_standard(income_fen: int, eligible: bool) -> None:
    # 2 members: 2 × 770 × 2 = ¥3,080 a month.
    result = assess(request(household_class="C", household_size=2, persons=2, monthly_income_fen=income_fen))
    assert result.eligible is eligible
    assert codes(result) == ([] if eligible else ["CLASS_INCOME_ABOVE_LIMIT"])


def test_class_d_needs_income_below_three_times_and_rigid_expenses() -> None:
    # 2 members: 3 × 770 × 2 = ¥4,620 a month.
    expenses = RigidExpenses(medical_fen=2_000_000)
    base = {"household_class": "D", "kind": "expenditure", "household_size": 2, "persons": 2}
    assert assess(request(**base, monthly_income_fen=461_999, rigid_expenses_12m=expenses)).eligible
    over = assess(request(**base, monthly_income_fen=462_000, rigid_expenses_12m=expenses))
    assert codes(over) == ["CLASS_INCOME_ABOVE_LIMIT"]
    assert codes(assess(request(**base, monthly_income_fen=100_000))) == ["NO_RIGID_EXPENSES"]


def test_classes_a_and_b_are_not_tested_on_income() -> None:
    assert assess(request(household_class="A", monthly_income_fen=10_000_000)).eligible
    assert assess(request(household_class="B", monthly_income_fen=10_000_000)).eligible


FIRE = "fire"


def test_one_grant_per_person_per_cause_per_year() -> None:
    prior = (PriorGrant("p1", FIRE, date(2024, 7, 1)),)
    req = request(persons=2, household_size=2, cause=FIRE, beneficiary_keys=("p1", "p2"))
    blocked = assess(req, prior, as_of=date(2025, 6, 30))
    assert not blocked.eligible and blocked.amount_fen == 0 and blocked.help_first_amount_fen == 0
    assert codes(blocked) == ["REPEAT_GRANT_SAME_CAUSE"]
    assert "2025-07-01" in blocked.reasons[0].message
    assert assess(req, prior, as_of=date(2025, 7, 1)).eligible
    # Another cause, or another person, is not a repeat.
    assert assess(dataclasses.replace(req, cause="accident"), prior, as_of=date(2025, 6, 30)).eligible
    other = request(persons=1, household_size=1, cause=FIRE, beneficiary_keys=("p2",))
    assert assess(other, prior, as_of=date(2025, 6, 30)).eligible


def test_repeat_window_for_a_leap_day_grant_and_future_records() -> None:
    prior = [PriorGrant("p1", FIRE, date(2024, 2, 29)), PriorGrant("p1", FIRE, date(2026, 1, 1))]
    assert repeat_grants(["p1"], FIRE, prior, standards=STANDARDS, as_of=date(2025, 2, 28)) == (prior[0],)
    assert repeat_grants(["p1"], FIRE, prior, standards=STANDARDS, as_of=date(2025, 3, 1)) == ()


def test_grants_per_cause_is_a_parameter() -> None:
    twice = dataclasses.replace(STANDARDS, grants_per_person_per_cause_per_year=2)
    prior = [PriorGrant("p1", FIRE, date(2025, 1, 1))]
    assert repeat_grants(["p1"], FIRE, prior, standards=twice, as_of=AS_OF) == ()
    prior.append(PriorGrant("p1", FIRE, date(2025, 3, 1)))
    assert repeat_grants(["p1"], FIRE, prior, standards=twice, as_of=AS_OF) == tuple(prior)


def test_request_input_is_checked() -> None:
    with pytest.raises(InvalidInput):
        request(persons=0)
    with pytest.raises(InvalidInput):
        request(monthly_income_fen=-1)
    with pytest.raises(InvalidInput, match="beneficiary keys"):
        request(persons=3, beneficiary_keys=("p1",))
