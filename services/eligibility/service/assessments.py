"""The caseworker's calculator: HTTP facts in, the domain's means tests applied, the answer out."""

from __future__ import annotations

from datetime import date

from services.eligibility.domain.dibao import Household, SinglePersonApplication, assess_dibao
from services.eligibility.domain.means import Assessment, Assets, Consumption, RigidExpenses, Vehicle
from services.eligibility.domain.people import Member, Relation
from services.eligibility.domain.standards import Standards
from services.eligibility.domain.tekun import TekunApplicant, assess_tekun
from services.eligibility.domain.temporary import TemporaryRequest, assess_temporary
from services.eligibility.schemas.assessments import (
    AssessmentRequest,
    AssessmentResponse,
    AssetsIn,
    BreakdownOut,
    MemberLineOut,
    MemberProfile,
    ReasonOut,
    RigidExpensesIn,
)
from shared.errors import FieldIssue, InvalidInput
from shared.resident_id import validate_resident_id


def _members(request: AssessmentRequest) -> tuple[Member, ...]:
    members = []
    for index, member in enumerate(request.members):
        if member.id_number is not None:
            validate_resident_id(member.id_number, field=f"members.{index}.id_number", today=request.as_of)
        members.append(to_member(member, birth_date=member.birth_date, relation=member.relation))
    return tuple(members)


def to_member(profile: MemberProfile, *, birth_date: date, relation: Relation) -> Member:
    """A member as the rules see them; shared by the calculator and the decision on a registered household."""
    fields = profile.model_dump(include=set(MemberProfile.model_fields))
    return Member(birth_date=birth_date, relation=relation, **fields)


def to_assets(facts: AssetsIn) -> Assets:
    return Assets(
        **facts.model_dump(exclude={"vehicles"}),
        vehicles=tuple(Vehicle(**v.model_dump()) for v in facts.vehicles),
    )


def to_expenses(facts: RigidExpensesIn) -> RigidExpenses:
    return RigidExpenses(medical_fen=facts.medical, education_fen=facts.education)


def assess(request: AssessmentRequest, standards: Standards) -> AssessmentResponse:
    members = _members(request)
    expenses = to_expenses(request.rigid_expenses_12m_fen)
    if request.program == "temporary":
        return _temporary(request, members, expenses, standards)
    if request.program == "tekun":
        result = assess_tekun(
            TekunApplicant(
                person=members[0],
                area=request.area,
                monthly_income_fen=request.monthly_income_fen,
                assets=to_assets(request.assets),
                has_able_supporter=request.has_able_supporter,
            ),
            standards=standards,
            as_of=request.as_of,
        )
    else:
        result = assess_dibao(
            Household(
                members=members,
                area=request.area,
                monthly_income_fen=request.monthly_income_fen,
                assets=to_assets(request.assets),
                consumption=Consumption(**request.consumption.model_dump()),
                rigid_expenses_12m=expenses,
                single_person=SinglePersonApplication(**request.single_person.model_dump())
                if request.single_person
                else None,
            ),
            standards=standards,
            as_of=request.as_of,
        )
    return _monthly(result, standards)


def _monthly(result: Assessment, standards: Standards) -> AssessmentResponse:
    breakdown = result.breakdown
    return AssessmentResponse(
        eligible=result.eligible,
        reasons=[ReasonOut(code=r.code, message=r.message) for r in result.reasons],
        standard_effective_from=standards.effective_from,
        monthly_amount_fen=result.monthly_amount_fen,
        breakdown=BreakdownOut(
            standard_fen=breakdown.standard_fen,
            per_capita_income_fen=breakdown.per_capita_income_display_fen,
            base_fen=breakdown.base_fen,
            add_ons_fen=breakdown.add_ons_fen,
            care_subsidy_fen=breakdown.care_subsidy_fen,
            covered_members=breakdown.covered_members,
            rigid_expense_deduction_fen=breakdown.rigid_expense_deduction_display_fen,
            members=[
                MemberLineOut(
                    member_index=line.member_index,
                    base_fen=line.base_fen,
                    add_on_fen=line.add_on_fen,
                    add_on_kinds=list(line.add_on_kinds),
                    care_level=line.care_level,
                    care_subsidy_fen=line.care_subsidy_fen,
                    total_fen=line.total_fen,
                )
                for line in breakdown.members
            ],
        ),
    )


def _temporary(
    request: AssessmentRequest,
    members: tuple[Member, ...],
    expenses: RigidExpenses,
    standards: Standards,
) -> AssessmentResponse:
    if request.temporary is None:
        raise InvalidInput(
            "temporary assistance needs its details",
            errors=[FieldIssue("temporary", "required", "kind, household_class and persons are required")],
        )
    result = assess_temporary(
        TemporaryRequest(
            kind=request.temporary.kind,
            household_class=request.temporary.household_class,
            persons=request.temporary.persons,
            household_size=len(members),
            monthly_income_fen=request.monthly_income_fen,
            rigid_expenses_12m=expenses,
            months=request.temporary.months,
        ),
        standards=standards,
        as_of=request.as_of,
    )
    return AssessmentResponse(
        eligible=result.eligible,
        reasons=[ReasonOut(code=r.code, message=r.message) for r in result.reasons],
        standard_effective_from=standards.effective_from,
        monthly_amount_fen=None,
        amount_fen=result.amount_fen,
        months=result.months,
        help_first_amount_fen=result.help_first_amount_fen,
        requires_case_by_case_approval=result.requires_case_by_case_approval,
    )
