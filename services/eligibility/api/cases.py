"""Routes for cases: read, suspend, terminate, review, assess care, choose the support mode."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from services.eligibility.api.roles import Assessor, Reviewer, Staff
from services.eligibility.schemas.cases import (
    CareAssessmentIn,
    CaseFindingsOut,
    CaseOut,
    CasePage,
    ReviewIn,
    SuspensionIn,
    TerminationIn,
)
from services.eligibility.schemas.support_mode import CaseSupportModesOut, SupportModeIn
from services.eligibility.service import case_lists, cases, findings, reviews, support_mode
from shared.params import MAX_PAGE, DistrictFilter
from shared.service import PersonalDataDep, TodayDep, UnitOfWorkDep

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("", summary="Cases in your districts, newest approval first, by district, status and programme")
async def get_cases(
    uow: UnitOfWorkDep,
    caller: Staff,
    district_code: DistrictFilter = None,
    status: Annotated[Literal["active", "suspended", "terminated"] | None, Query()] = None,
    program: Annotated[Literal["dibao", "tekun"] | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CasePage:
    return await case_lists.list_cases(
        uow,
        caller,
        district_code=district_code,
        status=status,
        program=program,
        page=page,
        page_size=page_size,
    )


@router.get("/{case_id}", summary="A case with its beneficiaries and their monthly amounts")
async def get_case(case_id: UUID, uow: UnitOfWorkDep, caller: Staff) -> CaseOut:
    return await cases.read_case(uow, caller, case_id)


@router.get(
    "/{case_id}/findings",
    summary="Oversight's findings against a case, newest check first, and whether each suspended the case",
)
async def get_findings(case_id: UUID, uow: UnitOfWorkDep, caller: Staff) -> CaseFindingsOut:
    return await findings.findings_of_case(uow, caller, case_id)


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


@router.post(
    "/{case_id}/support-mode",
    summary="Record a tekun beneficiary's choice of support mode (publishes SupportModeChosen)",
    description="Centralised support in a care facility (集中供养), or dispersed support at home with a named carer "
    "(分散供养): a first choice or a change, dated the day the person chose. Refused, changing nothing, unless the "
    "case is an active tekun case in your districts (`TEKUN_ONLY`, `CASE_NOT_ACTIVE`; another district's case is "
    "404), the person an active beneficiary of it (`NOT_A_BENEFICIARY`, 404) whose self-care has been assessed "
    "(`CARE_LEVEL_NOT_ASSESSED`, 409). 422: `carer` missing for dispersed support (`CARER_REQUIRED`) or given "
    "for centralised support (`CARER_NOT_ALLOWED`); `chosen_on` after today (`FUTURE_DATE`), before the case's "
    "decision (`BEFORE_DECISION`) or before the person's latest choice (`BEFORE_PREVIOUS_CHOICE`; the same day "
    "is allowed). 409: the mode the person already has (`SAME_SUPPORT_MODE`). The carer's name and phone are "
    "stored encrypted and shown masked; the event carries the person's current care level and never the carer. "
    "Each choice is written to the audit log (`support_mode.chosen`).",
    responses={
        404: {"description": "no such case in your districts, or the person is not an active beneficiary"},
        409: {"description": "not an active tekun case, care level not assessed, or the same mode again"},
    },
)
async def post_support_mode(
    case_id: UUID,
    body: SupportModeIn,
    uow: UnitOfWorkDep,
    pii: PersonalDataDep,
    caller: Assessor,
    today: TodayDep,
) -> CaseSupportModesOut:
    return await support_mode.choose_support_mode(uow, pii, caller, case_id, body, today=today)


@router.get(
    "/{case_id}/support-mode",
    summary="Each tekun beneficiary's current support mode and its history (carer masked)",
    description="For every beneficiary of a tekun case: the choice in force (the latest) and every choice, "
    "oldest first, with the care level it was announced with and who recorded it. A dibao case answers 409 "
    "(`TEKUN_ONLY`); another district's case 404.",
)
async def get_support_mode(
    case_id: UUID, uow: UnitOfWorkDep, pii: PersonalDataDep, caller: Staff
) -> CaseSupportModesOut:
    return await support_mode.read_support_modes(uow, pii, caller, case_id)
