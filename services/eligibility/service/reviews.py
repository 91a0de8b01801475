"""Use cases of dynamic management (动态管理): periodic reviews, changes of circumstances, care levels."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.eligibility.domain.people import care_level
from services.eligibility.domain.workflow import benefit_start_month, next_review_due
from services.eligibility.models import Case, CaseBeneficiary
from services.eligibility.repository import cases as cases_queries
from services.eligibility.repository import households as households_queries
from services.eligibility.schemas.cases import CareAssessmentIn, CaseOut, ReviewIn
from services.eligibility.service.approvals import (
    qualifying_household,
    record_income,
    review_every_six_months,
)
from services.eligibility.service.cases import case_out
from services.eligibility.service.households import record_version
from services.eligibility.service.standards import in_force
from shared.auth import Principal
from shared.contracts.eligibility import (
    CareLevelAssessed,
    CaseAmountChanged,
    CaseReviewScheduled,
    MonthlyAmount,
)
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, NotFound


async def review_case(uow: UnitOfWork, caller: Principal, case_id: UUID, body: ReviewIn) -> CaseOut:
    """Re-assess the household as registered now; a new amount applies from the next month."""
    async with uow:
        case = await active_case(uow, caller, case_id)
        await reassess(uow, case, on=body.on, reason=body.reason)
        await uow.session.flush()
        answer = await case_out(uow, caller, case_id)
        await uow.commit()
    return answer


async def assess_care(uow: UnitOfWork, caller: Principal, case_id: UUID, body: CareAssessmentIn) -> CaseOut:
    """Record a tekun beneficiary's self-care assessment and apply the care subsidy it sets."""
    async with uow:
        case = await active_case(uow, caller, case_id)
        if case.program != "tekun":
            raise Conflict("the care subsidy and its assessment apply to tekun cases only")
        beneficiaries = {
            b.person_id for b in await cases_queries.beneficiaries_of(uow.session, case_id) if b.active
        }
        if body.person_id not in beneficiaries:
            raise NotFound(f"person {body.person_id} is not an active beneficiary of case {case_id}")
        household = await households_queries.household(uow.session, case.household_id, None, for_update=True)
        assert household is not None
        members = await households_queries.members_of(uow.session, household.id)
        member = next(m for m, person in members if person.id == body.person_id)
        member.profile = {**member.profile, "adl_failed": body.adl_failed}
        household.version += 1
        household.updated_by = caller.subject
        record_version(
            uow, household, [m for m, _ in members], changed_by=caller.subject, reason="care assessment"
        )
        _, standards = await in_force(uow.session, body.on)
        uow.emit(
            CareLevelAssessed(
                case_id=case_id,
                person_id=body.person_id,
                care_level=care_level(body.adl_failed, standards),
                adl_failed=body.adl_failed,
                assessed_on=body.on,
            )
        )
        await reassess(uow, case, on=body.on, reason="circumstances")
        await uow.session.flush()
        answer = await case_out(uow, caller, case_id)
        await uow.commit()
    return answer


async def active_case(uow: UnitOfWork, caller: Principal, case_id: UUID) -> Case:
    """The case in the caller's districts, locked for the step about to be recorded; refused unless active."""
    case = await cases_queries.case(uow.session, case_id, caller.district_scope, for_update=True)
    if case is None:
        raise NotFound(f"no case {case_id} in your districts")
    if case.status != "active":
        message = f"case {case_id} is {case.status}, not active"
        raise Conflict(message, errors=[FieldIssue("case_id", "CASE_NOT_ACTIVE", message)])
    return case


async def reassess(uow: UnitOfWork, case: Case, *, on: date, reason: str) -> None:
    """Assess the case's household again at the standard in force on `on`; announce a changed amount."""
    _, members, standard, result = await qualifying_household(
        uow,
        case.household_id,
        case.program,
        on=on,
        refusal="the household no longer qualifies: terminate the case with the reason that applies",
    )
    current = {b.person_id: b for b in await cases_queries.beneficiaries_of(uow.session, case.id)}
    covered = {members[line.member_index][1].id: line for line in result.breakdown.members}
    newcomers = [
        person_id for person_id in covered if person_id not in current or not current[person_id].active
    ]
    if await cases_queries.persons_in_active_cases(uow.session, newcomers, case.program):
        raise Conflict("a newly covered member already has an active case of this program")
    changed = False
    for person_id, line in covered.items():
        row = current.get(person_id)
        if row is None:
            row = CaseBeneficiary(
                case_id=case.id,
                person_id=person_id,
                program=case.program,
                insurance_categories=[case.program],
            )
            uow.session.add(row)
        kinds: list[str] = list(line.add_on_kinds)
        parts = (
            True,
            kinds,
            line.care_level,
            line.base_fen,
            line.add_on_fen,
            line.care_subsidy_fen,
        )
        changed |= parts != (
            row.active,
            row.add_on_kinds,
            row.care_level,
            row.base_fen,
            row.add_on_fen,
            row.care_subsidy_fen,
        )
        row.active, row.add_on_kinds, row.care_level, row.base_fen, row.add_on_fen, row.care_subsidy_fen = (
            parts
        )
    for person_id, row in current.items():
        if person_id not in covered and row.active:
            row.active, changed = False, True
    record_income(case, result.breakdown)
    case.monthly_amount_fen, case.standard_id = result.monthly_amount_fen, standard.id
    case.next_review_due = next_review_due(on, review_every_six_months(members, on))
    await uow.session.flush()
    uow.emit(
        CaseReviewScheduled(
            case_id=case.id, occasion="reviewed", next_review_due=case.next_review_due, scheduled_on=on
        )
    )
    if changed:
        uow.emit(
            CaseAmountChanged(
                case_id=case.id,
                from_month=YearMonth.of(benefit_start_month(on)).label,
                beneficiaries=[
                    MonthlyAmount(
                        person_id=person_id,
                        base_fen=line.base_fen,
                        add_on_fen=line.add_on_fen,
                        care_subsidy_fen=line.care_subsidy_fen,
                        total_fen=line.total_fen,
                    )
                    for person_id, line in sorted(covered.items())
                ],
                monthly_amount_fen=result.monthly_amount_fen,
                reason="circumstances" if reason == "circumstances" else "review",
                decided_on=on,
            )
        )
