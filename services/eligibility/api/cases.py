"""Routes for cases: read, suspend, terminate."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from services.eligibility.api.roles import Reviewer, Staff
from services.eligibility.schemas.cases import CaseOut, SuspensionIn, TerminationIn
from services.eligibility.service import cases
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
