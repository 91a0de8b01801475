"""Routes for cases: read, suspend, terminate."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from services.eligibility.api.roles import Assessor, Reviewer, Staff
from services.eligibility.schemas.cases import (
    CareAssessmentIn,
    CaseOut,
    ReviewIn,
    SuspensionIn,
    TerminationIn,
)
from services.eligibility.service import cases, reviews
from shared.service import UnitOfWorkDep

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("/{case_id}", summary="A case with its beneficiaries and their monthly amounts")
async def get_case(case_id: UUID, uow: UnitOfWorkDep, caller: Staff) -> CaseOut:
    return await cases.read_case(uow, caller, case_id)


@router.post(
    "/{case_id}/suspension", summary="Suspend payments from the next month (publishes CaseSuspended)"
)
async def post_suspension(case_id: UUID, body: SuspensionIn, uow: UnitOfWorkDep, caller: Reviewer) -> CaseOut:
    return await cases.suspend_case(uow, caller, case_id, body)


@router.post("/{case_id}/termination", summary="End a case from the next month (publishes CaseTerminated)")
async def post_termination(
    case_id: UUID, body: TerminationIn, uow: UnitOfWorkDep, caller: Reviewer
) -> CaseOut:
    return await cases.terminate_case(uow, caller, case_id, body)


@router.post(
    "/{case_id}/reviews",
    summary="Review a case (periodic, or after a change of circumstances)",
    description="Re-assesses the household as registered now at the standard in force on `on`. A changed amount "
    "applies from the next month and is published as CaseAmountChanged; a household that no longer qualifies is "
    "refused with the reasons, to be terminated explicitly. The next review is scheduled (12 or 6 months).",
)
async def post_review(case_id: UUID, body: ReviewIn, uow: UnitOfWorkDep, caller: Assessor) -> CaseOut:
    return await reviews.review_case(uow, caller, case_id, body)


@router.post(
    "/{case_id}/care-assessments",
    summary="Record a tekun beneficiary's self-care assessment (publishes CareLevelAssessed)",
)
async def post_care_assessment(
    case_id: UUID, body: CareAssessmentIn, uow: UnitOfWorkDep, caller: Assessor
) -> CaseOut:
    return await reviews.assess_care(uow, caller, case_id, body)
