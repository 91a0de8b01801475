"""Dibao (最低生活保障): the household means test, the difference amount and classified add-ons.

Arithmetic (DOMAIN.md, Dibao): exact, and rounded once.

- Counted income is `12 × monthly income − the 12-month rigid expenses`, in twelfths of a fen and never
  below 0, shared by the household's members (`CountedIncome`): the rigid-expense deduction is an
  exact twelfth and the per-capita income an exact fraction; neither is rounded.
- Eligible when per-capita income < the standard, compared in integers without division
  (`counted < 12 × standard × members`). Near-dibao (1.5 × the standard) likewise.
- The household's base (差额) is `(standard − per-capita income) × covered members`, evaluated exactly
  and rounded once, half up to the fen. Three members with ¥1,000.00 at a standard of ¥500 get
  3 × 500 − 1,000 = ¥500.00 (a per-capita income rounded first, to ¥333.33, would give ¥500.01).
  The classified add-ons are whole fen per member, added to the rounded base.
- The base is split among the covered members' lines so that the lines add up to it exactly: each
  gets `base // n` and the first `base % n` members in `Household.share_order` (default: member
  order) one fen more: the largest-remainder method, whose remainders are all equal here, with ties
  broken by that order (`money.split_evenly`). A minimum-payment top-up goes to the first of them too.
  The service orders members by person id, as the SQL recalculation does, so that a case's lines are
  the same whichever of the two computes them.
- Figures in breakdowns and messages (`..._display_fen`) are rounded for display only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from services.eligibility.domain.means import (
    AddOnKind,
    Assessment,
    Assets,
    Breakdown,
    Consumption,
    CountedIncome,
    MemberLine,
    Reason,
    RigidExpenses,
    asset_reasons,
    consumption_reasons,
    format_yuan,
    is_eligible,
)
from services.eligibility.domain.money import round_half_up, split_evenly
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
    share_order: tuple[int, ...] | None = None
    """Member indexes in the order covered members receive the fen left over when the base is split
    (and a minimum-payment top-up); None means member order. See the module docstring."""

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
        if self.share_order is not None and sorted(self.share_order) != list(range(len(self.members))):
            raise InvalidInput("share_order must list every member index once")


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
    household_income: CountedIncome,
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
    if not household_income.below(standard_fen, percent=standards.near_dibao_income_percent):
        reasons.append(
            Reason(
                "NOT_NEAR_DIBAO_HOUSEHOLD",
                f"the household's per-capita income {format_yuan(household_income.per_capita_display_fen)} "
                f"is not below {standards.near_dibao_income_percent}% of the standard {format_yuan(standard_fen)}",
            )
        )
    return reasons


def assess_dibao(household: Household, *, standards: Standards, as_of: date) -> Assessment:
    """Dibao means test on `as_of` at `standards` (the set in force that day)."""
    members = household.members
    size = len(members)
    standard = standards.dibao_fen(household.area)
    expenses = household.rigid_expenses_12m
    household_income = CountedIncome.monthly(
        household.monthly_income_fen, members=size, rigid_expenses_12m_fen=expenses.total_fen
    )
    reasons: list[Reason] = []
    single = household.single_person
    if single is None:
        covered = tuple(range(size))
        income = household_income
        income_text = f"household income {format_yuan(household.monthly_income_fen)}"
        if expenses.total_fen:
            income_text += (
                f" less rigid expenses {format_yuan(expenses.monthly_deduction_display_fen)} a month"
            )
        income_text += f" over {size} member(s) is {format_yuan(income.per_capita_display_fen)} per person"
    else:
        covered = (single.member_index,)
        income = CountedIncome.monthly(single.monthly_income_fen, members=1)
        income_text = (
            f"applicant {single.member_index}'s own income is {format_yuan(income.per_capita_display_fen)}"
        )
        reasons += _single_person_reasons(household, single, household_income, standard, standards)
    if not income.below(standard):
        reasons.append(
            Reason("INCOME_ABOVE_STANDARD", f"{income_text}, not below the standard {format_yuan(standard)}")
        )
    reasons += asset_reasons(household.assets, members=members, standard_fen=standard, standards=standards)
    reasons += consumption_reasons(
        household.consumption, household_size=size, standard_fen=standard, standards=standards, as_of=as_of
    )
    if not is_eligible(reasons):
        breakdown = Breakdown(
            standard_fen=standard,
            income=income,
            base_fen=0,
            add_ons_fen=0,
            care_subsidy_fen=0,
            covered_members=len(covered),
            rigid_expenses=expenses,
        )
        return Assessment(False, tuple(reasons), 0, breakdown)
    # The one rounding: the exact base of the household, half up to the fen.
    base = round_half_up((standard - income.per_capita) * len(covered))
    order = [index for index in household.share_order or range(size) if index in covered]
    shares = dict(zip(order, split_evenly(base, len(order)), strict=True))
    lines = {index: _line(index, members[index], shares[index], standards, as_of) for index in covered}
    total = base + sum(line.add_on_fen for line in lines.values())
    if total < standards.minimum_payment_fen:
        # The top-up raises the difference payment (base) of the first covered member in share order.
        first = lines[order[0]]
        lines[order[0]] = replace(first, base_fen=first.base_fen + standards.minimum_payment_fen - total)
    ordered = tuple(lines[index] for index in covered)
    breakdown = Breakdown(
        standard_fen=standard,
        income=income,
        base_fen=sum(line.base_fen for line in ordered),
        add_ons_fen=sum(line.add_on_fen for line in ordered),
        care_subsidy_fen=0,
        covered_members=len(covered),
        rigid_expenses=expenses,
        members=ordered,
    )
    return Assessment(True, tuple(reasons), breakdown.base_fen + breakdown.add_ons_fen, breakdown)


def _line(index: int, member: Member, base_fen: int, standards: Standards, as_of: date) -> MemberLine:
    add_on, kinds = classified_add_on(member, standards=standards, as_of=as_of)
    level = None if member.adl_failed is None else care_level(member.adl_failed, standards)
    return MemberLine(index, base_fen, add_on, kinds, level, 0)
