"""Use cases of a case's life once approved (services/eligibility/service/approvals.py opens it): read,
suspended, terminated; temporary grants."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

from services.eligibility.domain.temporary import (
    PriorGrant,
    TemporaryRequest,
    assess_temporary,
    repeat_grants,
)
from services.eligibility.domain.workflow import (
    suspension_effective_month,
    termination_effective_month,
)
from services.eligibility.models import (
    Application,
    TemporaryGrant,
)
from services.eligibility.repository import cases as cases_queries
from services.eligibility.repository import households as households_queries
from services.eligibility.schemas.assessments import TemporaryIn
from services.eligibility.schemas.cases import BeneficiaryOut, CaseOut, SuspensionIn, TerminationIn
from services.eligibility.schemas.households import StoredFacts
from services.eligibility.service.assessments import to_expenses
from services.eligibility.service.standards import in_force
from shared.auth import Principal
from shared.contracts.eligibility import (
    CaseSuspended,
    CaseTerminated,
    TemporaryAidGranted,
)
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, NotFound


async def temporary_grant(
    uow: UnitOfWork,
    application: Application,
    *,
    applied_on: date,
    granted_on: date,
    help_first_fen: int | None,
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
            applied_on=applied_on,
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
