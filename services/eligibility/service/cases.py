"""Use cases of a case's life: opened on approval, read, suspended, terminated; temporary grants."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import cast
from uuid import UUID, uuid4

from services.eligibility.domain.dibao import Household as DibaoHousehold
from services.eligibility.domain.dibao import assess_dibao
from services.eligibility.domain.means import Assessment, Breakdown, Consumption
from services.eligibility.domain.people import Member, Relation, age_on
from services.eligibility.domain.standards import Area, Standards
from services.eligibility.domain.tekun import TekunApplicant, assess_tekun
from services.eligibility.domain.temporary import (
    PriorGrant,
    TemporaryRequest,
    assess_temporary,
    repeat_grants,
)
from services.eligibility.domain.workflow import (
    benefit_start_month,
    next_review_due,
    suspension_effective_month,
    termination_effective_month,
)
from services.eligibility.models import (
    Application,
    Case,
    CaseBeneficiary,
    Household,
    HouseholdMember,
    Person,
    Standard,
    TemporaryGrant,
)
from services.eligibility.repository import cases as cases_queries
from services.eligibility.repository import households as households_queries
from services.eligibility.schemas.assessments import MemberProfile, TemporaryIn
from services.eligibility.schemas.cases import BeneficiaryOut, CaseOut, SuspensionIn, TerminationIn
from services.eligibility.schemas.households import StoredFacts
from services.eligibility.service.assessments import to_assets, to_expenses, to_member
from services.eligibility.service.standards import in_force
from shared.auth import Principal
from shared.contracts.eligibility import (
    ApprovedBeneficiary,
    CaseApproved,
    CaseReviewScheduled,
    CaseSuspended,
    CaseTerminated,
    TemporaryAidGranted,
)
from shared.contracts.types import CareLevel, YearMonth
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, NotFound


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
    lines = result.breakdown.members
    covered = [(members[line.member_index], line) for line in lines]
    already = await cases_queries.persons_in_active_cases(
        uow.session, [person.id for (_, person), _ in covered], application.program
    )
    if already:
        raise Conflict(
            f"{len(already)} member(s) already have an active {application.program} case",
            errors=[
                FieldIssue("household", "one_active_case", f"person {person_id} is in another active case")
                for person_id in already
            ],
        )
    case = Case(
        id=uuid4(),
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
    await cases_queries.add_case(uow.session, case, beneficiaries)
    uow.emit(
        CaseApproved(
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
        )
    )
    review = CaseReviewScheduled(
        case_id=case.id, occasion="approved", next_review_due=case.next_review_due, scheduled_on=decided_on
    )
    uow.emit(review)
    return case


async def temporary_grant(
    uow: UnitOfWork, application: Application, *, granted_on: date, help_first_fen: int | None
) -> None:
    """Temporary assistance granted (or paid first by the township): one TemporaryAidGranted.

    Refused when a covered person already had a grant for the same cause within the year (乱救滥救).
    """
    assert application.temporary is not None
    request = TemporaryIn.model_validate(application.temporary)
    assert request.cause is not None
    household = await households_queries.household(uow.session, application.household_id, None)
    assert household is not None
    members = await households_queries.members_of(uow.session, household.id)
    _, standards = await in_force(uow.session, granted_on, application.district_code)
    covered = [person.id for _, person in members[: request.persons]]
    keys = tuple(str(person_id) for person_id in covered)
    prior = [
        PriorGrant(person_key=str(grant.person_id), cause=grant.cause, granted_on=grant.granted_on)
        for grant in await cases_queries.grants_for(
            uow.session, covered, request.cause, granted_on - timedelta(days=366)
        )
    ]
    if help_first_fen is not None:
        repeated = repeat_grants(keys, request.cause, prior, standards=standards, as_of=granted_on)
        if repeated:
            raise Conflict(
                "a covered person already had a grant for this cause within the year",
                errors=[
                    FieldIssue("temporary.cause", "REPEAT_GRANT_SAME_CAUSE", f"granted on {g.granted_on}")
                    for g in repeated
                ],
            )
        amount = help_first_fen
    else:
        result = assess_temporary(
            TemporaryRequest(
                kind=request.kind,
                household_class=request.household_class,
                persons=request.persons,
                household_size=len(members),
                monthly_income_fen=household.monthly_income_fen,
                rigid_expenses_12m=to_expenses(
                    StoredFacts.model_validate(household.facts).rigid_expenses_12m_fen
                ),
                months=request.months,
                cause=request.cause,
                beneficiary_keys=keys,
            ),
            standards=standards,
            as_of=granted_on,
            prior_grants=prior,
        )
        if not result.eligible:
            raise Conflict(
                "the household does not qualify for temporary assistance",
                errors=[FieldIssue("temporary", r.code, r.message) for r in result.reasons if r.blocking],
            )
        amount = result.amount_fen
    uow.session.add_all(
        TemporaryGrant(
            application_id=application.id, person_id=person_id, cause=request.cause, granted_on=granted_on
        )
        for person_id in covered
    )
    uow.emit(
        TemporaryAidGranted(
            case_id=application.id,
            grant_id=uuid4(),
            household_id=application.household_id,
            kind=request.kind,
            household_class=request.household_class,
            amount_fen=amount,
            help_first=help_first_fen is not None,
            district_code=application.district_code,
            granted_on=granted_on,
        )
    )


async def read_case(uow: UnitOfWork, caller: Principal, case_id: UUID) -> CaseOut:
    async with uow:
        return await case_out(uow, caller, case_id)


async def case_out(uow: UnitOfWork, caller: Principal, case_id: UUID) -> CaseOut:
    """The case and its beneficiaries as the caller may see them, read in the open unit of work."""
    case = await cases_queries.case(uow.session, case_id, caller.district_scope)
    if case is None:
        raise NotFound(f"no case {case_id} in your districts")
    beneficiaries = await cases_queries.beneficiaries_of(uow.session, case_id)
    return CaseOut(
        **{field: getattr(case, field) for field in CaseOut.model_fields if field != "beneficiaries"},
        beneficiaries=[
            BeneficiaryOut(
                person_id=b.person_id,
                active=b.active,
                add_on_kinds=b.add_on_kinds,
                care_level=b.care_level,
                base_fen=b.base_fen,
                add_on_fen=b.add_on_fen,
                care_subsidy_fen=b.care_subsidy_fen,
                total_fen=b.base_fen + b.add_on_fen + b.care_subsidy_fen,
                insurance_categories=b.insurance_categories,
            )
            for b in beneficiaries
        ],
    )


async def terminate_case(uow: UnitOfWork, caller: Principal, case_id: UUID, body: TerminationIn) -> CaseOut:
    """Support stops from the month after the event; payments recovers anything paid for later months."""
    async with uow:
        case = await cases_queries.case(uow.session, case_id, caller.district_scope, for_update=True)
        if case is None:
            raise NotFound(f"no case {case_id} in your districts")
        if case.status == "terminated":
            raise Conflict(f"case {case_id} is already terminated")
        case.status, case.ended_from = "terminated", termination_effective_month(body.on)
        persons = await cases_queries.deactivate_beneficiaries(uow.session, case_id)
        uow.emit(
            CaseTerminated(
                case_id=case_id,
                effective_month=YearMonth.of(case.ended_from).label,
                reason=body.reason,
                person_ids=persons,
                decided_on=body.on,
            )
        )
        await uow.session.flush()
        answer = await case_out(uow, caller, case_id)
        await uow.commit()
    return answer


async def suspend_case(uow: UnitOfWork, caller: Principal, case_id: UUID, body: SuspensionIn) -> CaseOut:
    async with uow:
        case = await cases_queries.case(uow.session, case_id, caller.district_scope, for_update=True)
        if case is None:
            raise NotFound(f"no case {case_id} in your districts")
        if case.status != "active":
            raise Conflict(f"case {case_id} is {case.status}, not active")
        case.status = "suspended"
        uow.emit(
            CaseSuspended(
                case_id=case_id,
                from_month=YearMonth.of(suspension_effective_month(body.on)).label,
                reason_code=body.reason_code,
                decided_on=body.on,
            )
        )
        await uow.session.flush()
        answer = await case_out(uow, caller, case_id)
        await uow.commit()
    return answer
