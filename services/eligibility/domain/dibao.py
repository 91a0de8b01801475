"""Dibao (最低生活保障): the household means test, the difference amount and classified add-ons.

Rounding: per-capita income is the floor of counted income / members. For an integer standard S,
floor(x) < S exactly when x < S, so flooring never changes who qualifies; it can only raise the
difference (S − per-capita) by under 1 fen per person, never lower it. The rigid-expense deduction is
a twelfth of the 12-month total rounded up, for the same reason. Counted income never goes below 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from services.eligibility.domain.means import (
    AddOnKind,
    Assessment,
    Assets,
    Breakdown,
    Consumption,
    MemberLine,
    Reason,
    RigidExpenses,
    asset_reasons,
    consumption_reasons,
    format_yuan,
    is_eligible,
)
from services.eligibility.domain.people import Member, age_on, care_level
from services.eligibility.domain.standards import Area, Standards
from shared.errors import InvalidInput


@dataclass(frozen=True, kw_only=True)
class SinglePersonApplication:
    """A member applying alone (单人户): covered alone, tested on their own counted monthly income."""

    member_index: int
    monthly_income_fen: int


@dataclass(frozen=True, kw_only=True)
class Household:
    """A dibao application: `monthly_income_fen` is the household's total counted monthly income."""

    members: tuple[Member, ...]
    area: Area
    monthly_income_fen: int
    assets: Assets = field(default_factory=Assets)
    consumption: Consumption = field(default_factory=Consumption)
    rigid_expenses_12m: RigidExpenses = field(default_factory=RigidExpenses)
    single_person: SinglePersonApplication | None = None

    def __post_init__(self) -> None:
        if not self.members:
            raise InvalidInput("a household has at least one member")
        if self.monthly_income_fen < 0:
            raise InvalidInput("monthly_income_fen must not be negative")
        single = self.single_person
        if single is not None:
            if not 0 <= single.member_index < len(self.members):
                raise InvalidInput(f"single-person applicant {single.member_index} is not a member")
            if single.monthly_income_fen < 0:
                raise InvalidInput("the single-person applicant's income must not be negative")


def classified_add_on(
    member: Member, *, standards: Standards, as_of: date
) -> tuple[int, tuple[AddOnKind, ...]]:
    """The monthly add-on (分类施保) of one member and its kinds.

    A person gets the highest one of severe (grade 1–2 disabled, seriously ill, or aged 70+) and
    pre-school child/student; a disabled person (any grade) also gets the disabled add-on on top.
    """
    candidates: list[tuple[int, AddOnKind]] = []
    grade = member.disability_grade
    severe_disability = grade is not None and grade <= standards.severe_add_on_max_grade
    elderly = age_on(member.birth_date, as_of) >= standards.severe_add_on_age
    if severe_disability or member.serious_illness or elderly:
        candidates.append((standards.add_on_severe_fen, "severe"))
    if member.preschool or member.student:
        candidates.append((standards.add_on_child_student_fen, "child_student"))
    fen = 0
    kinds: list[AddOnKind] = []
    if candidates:
        best_fen, best_kind = max(candidates, key=lambda candidate: candidate[0])
        fen, kinds = best_fen, [best_kind]
    if member.disabled:
        fen += standards.add_on_disabled_fen
        kinds.append("disabled")
    return fen, tuple(kinds)


def may_apply_alone(member: Member, standards: Standards) -> bool:
    """Severely disabled (grade 1–2, or grade 1–3 intellectual/mental) or seriously ill."""
    grade = member.disability_grade
    if grade is not None and grade <= standards.single_person_max_grade:
        return True
    intellectual_or_mental = member.disability_kind in ("intellectual", "mental")
    if (
        grade is not None
        and intellectual_or_mental
        and grade <= standards.single_person_intellectual_mental_max_grade
    ):
        return True
    return member.serious_illness


def _single_person_reasons(
    household: Household,
    single: SinglePersonApplication,
    counted_fen: int,
    standard_fen: int,
    standards: Standards,
) -> list[Reason]:
    reasons: list[Reason] = []
    if not may_apply_alone(household.members[single.member_index], standards):
        reasons.append(
            Reason(
                "SINGLE_PERSON_NOT_QUALIFIED",
                f"member {single.member_index} may not apply alone: neither disabled at grade 1–"
                f"{standards.single_person_max_grade} (1–{standards.single_person_intellectual_mental_max_grade} "
                "intellectual or mental) nor seriously ill",
            )
        )
    size = len(household.members)
    if counted_fen * 100 >= standards.near_dibao_income_percent * standard_fen * size:
        reasons.append(
            Reason(
                "NOT_NEAR_DIBAO_HOUSEHOLD",
                f"the household's per-capita income {format_yuan(counted_fen // size)} is not below "
                f"{standards.near_dibao_income_percent}% of the standard {format_yuan(standard_fen)}",
            )
        )
    return reasons


def assess_dibao(household: Household, *, standards: Standards, as_of: date) -> Assessment:
    """Dibao means test on `as_of` at `standards` (the set in force that day)."""
    members = household.members
    size = len(members)
    standard = standards.dibao_fen(household.area)
    deduction = household.rigid_expenses_12m.monthly_deduction_fen
    counted = max(0, household.monthly_income_fen - deduction)
    reasons: list[Reason] = []
    single = household.single_person
    if single is None:
        covered = tuple(range(size))
        per_capita = counted // size
        income_text = f"household income {format_yuan(household.monthly_income_fen)}"
        if deduction:
            income_text += f" less rigid expenses {format_yuan(deduction)} a month"
        income_text += f" over {size} member(s) is {format_yuan(per_capita)} per person"
    else:
        covered = (single.member_index,)
        per_capita = single.monthly_income_fen
        income_text = f"applicant {single.member_index}'s own income is {format_yuan(per_capita)}"
        reasons += _single_person_reasons(household, single, counted, standard, standards)
    if per_capita >= standard:
        reasons.append(
            Reason("INCOME_ABOVE_STANDARD", f"{income_text}, not below the standard {format_yuan(standard)}")
        )
    reasons += asset_reasons(household.assets, members=members, standard_fen=standard, standards=standards)
    reasons += consumption_reasons(
        household.consumption, household_size=size, standard_fen=standard, standards=standards, as_of=as_of
    )
    if not is_eligible(reasons):
        breakdown = Breakdown(standard, per_capita, 0, 0, 0, len(covered), deduction)
        return Assessment(False, tuple(reasons), 0, breakdown)
    lines = [_line(index, members[index], standard - per_capita, standards, as_of) for index in covered]
    total = sum(line.total_fen for line in lines)
    if total < standards.minimum_payment_fen:
        # The top-up raises the difference payment (base) of the first covered member.
        first = lines[0]
        lines[0] = MemberLine(
            first.member_index,
            first.base_fen + standards.minimum_payment_fen - total,
            first.add_on_fen,
            first.add_on_kinds,
            first.care_level,
            first.care_subsidy_fen,
        )
    base = sum(line.base_fen for line in lines)
    add_ons = sum(line.add_on_fen for line in lines)
    breakdown = Breakdown(standard, per_capita, base, add_ons, 0, len(covered), deduction, tuple(lines))
    return Assessment(True, tuple(reasons), base + add_ons, breakdown)


def _line(index: int, member: Member, base_fen: int, standards: Standards, as_of: date) -> MemberLine:
    add_on, kinds = classified_add_on(member, standards=standards, as_of=as_of)
    level = None if member.adl_failed is None else care_level(member.adl_failed, standards)
    return MemberLine(index, base_fen, add_on, kinds, level, 0)
