"""Use case of the decision to approve: the means test on the household as registered, at the standard in
force on the day; the case it opens, its beneficiaries, and the events that announce it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import cast
from uuid import UUID, uuid4

from services.eligibility.domain.dibao import Household as DibaoHousehold
from services.eligibility.domain.dibao import assess_dibao
from services.eligibility.domain.means import Assessment, Breakdown, Consumption
from services.eligibility.domain.people import Member, Relation, age_on
from services.eligibility.domain.standards import Area, Standards
from services.eligibility.domain.tekun import TekunApplicant, assess_tekun
from services.eligibility.domain.workflow import (
    benefit_start_month,
    next_review_due,
)
from services.eligibility.models import (
    Application,
    Case,
    CaseBeneficiary,
    Household,
    HouseholdMember,
    Person,
    Standard,
)
from services.eligibility.repository import cases as cases_queries
from services.eligibility.repository import households as households_queries
from services.eligibility.schemas.assessments import MemberProfile
from services.eligibility.schemas.households import StoredFacts
from services.eligibility.service.assessments import to_assets, to_expenses, to_member
from services.eligibility.service.standards import in_force
from shared.contracts.eligibility import (
    ApprovedBeneficiary,
    CaseApproved,
    CaseReviewScheduled,
)
from shared.contracts.types import CareLevel, YearMonth
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue


def _member(member: HouseholdMember, person: Person) -> Member:
    profile = MemberProfile.model_validate(member.profile)
    return to_member(profile, birth_date=person.birth_date, relation=cast(Relation, member.relation))


def assess_household(
    program: str,
    household: Household,
    members: list[tuple[HouseholdMember, Person]],
    standards: Standards,
    as_of: date,
) -> Assessment:
    """The means test of `program` on the household as registered, at `standards`."""
    people = tuple(_member(member, person) for member, person in members)
    facts = StoredFacts.model_validate(household.facts)
    area = cast(Area, household.area)
    if program == "tekun":
        applicant = TekunApplicant(
            person=people[0],
            area=area,
            monthly_income_fen=household.monthly_income_fen,
            assets=to_assets(facts.assets),
            has_able_supporter=facts.has_able_supporter,
        )
        return assess_tekun(applicant, standards=standards, as_of=as_of)
    dibao_household = DibaoHousehold(
        members=people,
        area=area,
        monthly_income_fen=household.monthly_income_fen,
        assets=to_assets(facts.assets),
        consumption=Consumption(**facts.consumption.model_dump()),
        rigid_expenses_12m=to_expenses(facts.rigid_expenses_12m_fen),
        share_order=share_order(members),
    )
    return assess_dibao(dibao_household, standards=standards, as_of=as_of)


def share_order(members: list[tuple[HouseholdMember, Person]]) -> tuple[int, ...]:
    """Member indexes by person id: who gets the fen left over when the base is split among the lines.

    The recalculation (repository/standards.py) splits in person-id order too, so a case's lines are the
    same whether approval, a review or a recalculation computed them.
    """
    return tuple(sorted(range(len(members)), key=lambda index: members[index][1].id))


def record_income(case: Case, breakdown: Breakdown) -> None:
    """Keep on the case the exact counted income its amount was computed from (a recalculation computes
    with it), and the floored per-capita income, for display only."""
    case.counted_income_twelfths = breakdown.income.twelfths_fen
    case.income_members = breakdown.income.members
    case.per_capita_income_fen = breakdown.per_capita_income_display_fen


def review_every_six_months(members: list[tuple[HouseholdMember, Person]], as_of: date) -> bool:
    """Reviewed every 6 months when a member could work (16–59, no disability); otherwise yearly."""
    return any(
        16 <= age_on(person.birth_date, as_of) < 60 and not member.profile.get("disability_grade")
        for member, person in members
    )


async def qualifying_household(
    uow: UnitOfWork,
    household_id: UUID,
    program: str,
    *,
    on: date,
    refusal: str,
    city: Sequence[Standard] | None = None,
) -> tuple[Household, list[tuple[HouseholdMember, Person]], Standard, Assessment]:
    """The household, its members, the standard in force on `on` and the means test's result; refused
    with the failed conditions (and `refusal`) when the household does not qualify.

    `city`: the city-wide standards the caller already read for a period including `on` (see `in_force`).
    """
    household = await households_queries.household(uow.session, household_id, None)
    assert household is not None
    members = await households_queries.members_of(uow.session, household.id)
    standard, standards = await in_force(uow.session, on, city=city)
    result = assess_household(program, household, members, standards, on)
    if not result.eligible:
        raise Conflict(
            refusal, errors=[FieldIssue("household", r.code, r.message) for r in result.reasons if r.blocking]
        )
    return household, members, standard, result


async def open_case(
    uow: UnitOfWork,
    application: Application,
    *,
    decided_on: date,
    approved_by: str,
    city: Sequence[Standard] | None = None,
) -> Case:
    """The district approved: assess at the standard in force, open the case, announce CaseApproved.

    `city`: the city-wide standards the caller already read for a period including `decided_on`."""
    household, members, standard, result = await qualifying_household(
        uow,
        application.household_id,
        application.program,
        on=decided_on,
        city=city,
        refusal="the household does not qualify at the standard in force; reject the application with these reasons",
    )
    already = await cases_queries.persons_in_active_cases(
        uow.session,
        [members[line.member_index][1].id for line in result.breakdown.members],
        application.program,
    )
    if already:
        raise Conflict(
            f"{len(already)} member(s) already have an active {application.program} case",
            errors=[
                FieldIssue("household", "one_active_case", f"person {person_id} is in another active case")
                for person_id in already
            ],
        )
    case, beneficiaries, announced = approved_case(
        application,
        household,
        members,
        standard,
        result,
        case_id=uuid4(),
        decided_on=decided_on,
        approved_by=approved_by,
    )
    await cases_queries.add_case(uow.session, case, beneficiaries)
    for event in announced:
        uow.emit(event)
    return case


def approved_case(
    application: Application,
    household: Household,
    members: list[tuple[HouseholdMember, Person]],
    standard: Standard,
    result: Assessment,
    *,
    case_id: UUID,
    decided_on: date,
    approved_by: str,
) -> tuple[Case, list[CaseBeneficiary], tuple[CaseApproved, CaseReviewScheduled]]:
    """The case an approval opens on a qualifying household's assessment, its beneficiaries, and the events
    that announce it."""
    covered = [(members[line.member_index], line) for line in result.breakdown.members]
    case = Case(
        id=case_id,
        application_id=application.id,
        household_id=household.id,
        program=application.program,
        district_code=application.district_code,
        area=household.area,
        status="active",
        start_month=benefit_start_month(decided_on),
        monthly_amount_fen=result.monthly_amount_fen,
        standard_id=standard.id,
        approved_by=approved_by,
        approved_on=decided_on,
        next_review_due=next_review_due(decided_on, review_every_six_months(members, decided_on)),
    )
    record_income(case, result.breakdown)
    beneficiaries = [
        CaseBeneficiary(
            case_id=case.id,
            person_id=person.id,
            program=application.program,
            active=True,
            add_on_kinds=list(line.add_on_kinds),
            care_level=line.care_level,
            base_fen=line.base_fen,
            add_on_fen=line.add_on_fen,
            care_subsidy_fen=line.care_subsidy_fen,
            insurance_categories=[application.program, *(["orphan"] if member.profile.get("orphan") else [])],
        )
        for (member, person), line in covered
    ]
    approval = CaseApproved(
        case_id=case.id,
        household_id=household.id,
        program=application.program,
        district_code=case.district_code,
        township_code=application.township_code,
        start_month=YearMonth.of(case.start_month).label,
        beneficiaries=[
            ApprovedBeneficiary(
                person_id=b.person_id,
                base_fen=b.base_fen,
                add_on_fen=b.add_on_fen,
                care_subsidy_fen=b.care_subsidy_fen,
                total_fen=b.base_fen + b.add_on_fen + b.care_subsidy_fen,
                insurance_categories=b.insurance_categories,
                care_level=cast(CareLevel | None, b.care_level),
            )
            for b in beneficiaries
        ],
        monthly_amount_fen=case.monthly_amount_fen,
        approved_by=approved_by,
        decided_on=decided_on,
        decision_due=application.decision_due,
    )
    review = CaseReviewScheduled(
        case_id=case.id, occasion="approved", next_review_due=case.next_review_due, scheduled_on=decided_on
    )
    return case, beneficiaries, (approval, review)
