"""Use cases of oversight's findings against cases (`FindingRaised`): keep each for the caseworker, and pause
the case's payments where the rule says so (deceased, prison, duplicate)."""

from __future__ import annotations

from uuid import UUID

from services.eligibility.domain.workflow import suspension_effective_month
from services.eligibility.repository import cases as cases_queries
from services.eligibility.schemas.cases import CaseFindingOut, CaseFindingsOut
from shared import audit
from shared.auth import Principal
from shared.contracts.eligibility import CaseSuspended
from shared.contracts.oversight import FindingRaised
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork
from shared.errors import InvalidInput, NotFound

FINDINGS_ACTOR = "oversight"
"""The audit actor of what eligibility does on oversight's word: the finding, not a member of staff."""


async def act_on_finding(uow: UnitOfWork, event: FindingRaised) -> None:
    """Keeps the finding once; a rule that stops payment suspends an active case from the month after the
    day the check was run as of, so months paid since are recovered (a death found late is an overpayment).

    A finding naming no case (漏保, a roster entry without a case) is oversight's own business. A case
    eligibility does not have is a broken promise between the services: dead-lettered, never ignored."""
    if event.case_id is None:
        return
    async with uow:
        case = await cases_queries.case(uow.session, event.case_id, None, for_update=True)
        if case is None:
            raise InvalidInput(f"finding {event.finding_id} names case {event.case_id}, which does not exist")
        suspend = event.suspend_case and case.status == "active"
        kept = await cases_queries.add_finding(
            uow.session,
            {
                "finding_id": event.finding_id,
                "case_id": case.id,
                "rule": event.rule,
                "severity": event.severity,
                "person_id": event.person_id,
                "found_on": event.found_on,
                "evidence": event.evidence,
                "action": "suspended" if suspend else "noted",
            },
        )
        if not kept:
            return
        if suspend:
            case.status = "suspended"
            uow.emit(
                CaseSuspended(
                    case_id=case.id,
                    from_month=YearMonth.of(suspension_effective_month(event.found_on)).label,
                    reason_code="investigation",
                    decided_on=event.found_on,
                )
            )
        await audit.record(
            uow.session,
            actor=FINDINGS_ACTOR,
            action="case.suspended_on_finding" if suspend else "case.finding_noted",
            subject_type="case",
            subject_id=case.id,
            district_code=case.district_code,
            details={"finding_id": event.finding_id, "rule": event.rule, "run_id": event.run_id},
        )
        await uow.commit()


async def findings_of_case(uow: UnitOfWork, caller: Principal, case_id: UUID) -> CaseFindingsOut:
    async with uow:
        case = await cases_queries.case(uow.session, case_id, caller.district_scope)
        if case is None:
            raise NotFound(f"no case {case_id} in your districts")
        findings = await cases_queries.findings_of(uow.session, case_id)
        return CaseFindingsOut(
            case_id=case_id,
            findings=[CaseFindingOut.model_validate(finding, from_attributes=True) for finding in findings],
        )
