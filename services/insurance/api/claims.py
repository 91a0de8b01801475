"""Routes for claims: reporting (报案), documents, assessment, settlement and rejection."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from services.insurance.api.params import District
from services.insurance.api.roles import Insurer, Reader, Reporter
from services.insurance.schemas.claims import (
    AssessmentIn,
    ClaimIn,
    ClaimOut,
    DocumentsIn,
    RejectionIn,
    SettlementIn,
)
from services.insurance.service import claims as claim_service
from shared.service import OnceDep, TodayDep, UnitOfWorkDep

router = APIRouter(prefix="/claims", tags=["claims"])

DECIDED_ONCE = (
    "Needs an `Idempotency-Key` (a UUID, say), so that a retry is safe: the same key and body replay the "
    "first answer, refusals too, and decide nothing twice; the same key with another body is refused (422). "
    "A second decision under a new key is refused as a step out of order (409 `CLAIM_LIFECYCLE`)."
)


ClaimStatus = Literal["reported", "documents_complete", "assessed", "settled", "rejected"]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Report a claim (报案) for an insured person",
    description="Refused (422) unless the person's cover was active on `incident_date` (rules "
    "`COVER_NOT_STARTED`, `COVER_ENDED`, `NOT_INSURED`) and the claim keeps the cover's rules; a second "
    "claim for the same cover and incident is refused (409, `DUPLICATE_CLAIM`). Publishes `ClaimReported`.",
)
async def post_claim(body: ClaimIn, uow: UnitOfWorkDep, caller: Reporter, today: TodayDep) -> ClaimOut:
    return await claim_service.report_claim(uow, caller, body, today=today)


@router.get("", summary="Claims you can see, by term, status, person or district")
async def get_claims(
    uow: UnitOfWorkDep,
    caller: Reader,
    policy_year: Annotated[int | None, Query(ge=2018, le=2100)] = None,
    status: Annotated[ClaimStatus | None, Query()] = None,
    person_id: Annotated[UUID | None, Query()] = None,
    district_code: District = None,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 200,
) -> list[ClaimOut]:
    return await claim_service.list_claims(
        uow,
        caller,
        year=policy_year,
        status=status,
        person_id=person_id,
        district_code=district_code,
        limit=limit,
    )


@router.get("/{claim_id}", summary="One claim with its documents checklist")
async def get_claim(claim_id: UUID, uow: UnitOfWorkDep, caller: Reader) -> ClaimOut:
    return await claim_service.read_claim(uow, caller, claim_id)


@router.post(
    "/{claim_id}/documents",
    summary="Record received documents; the last one on the checklist makes the claim documents_complete",
)
async def post_documents(
    claim_id: UUID, body: DocumentsIn, uow: UnitOfWorkDep, caller: Reporter, today: TodayDep
) -> ClaimOut:
    return await claim_service.receive_documents(uow, caller, claim_id, body, today=today)


@router.post(
    "/{claim_id}/assessment",
    summary="Assess a claim whose documents are complete (insurer)",
    response_model=ClaimOut,
    description="At most the claimed amount and the cover's limit. Publishes `ClaimAssessed`; audited. "
    + DECIDED_ONCE,
)
async def post_assessment(
    claim_id: UUID,
    body: AssessmentIn,
    uow: UnitOfWorkDep,
    caller: Insurer,
    today: TodayDep,
    once: OnceDep,
) -> JSONResponse:
    return await once.run(
        caller, body, lambda: claim_service.assess(uow, caller, claim_id, body, today=today)
    )


@router.post(
    "/{claim_id}/settlement",
    summary="Settle an assessed claim (insurer)",
    response_model=ClaimOut,
    description="At most the assessed amount. Publishes `ClaimSettled`; audited. " + DECIDED_ONCE,
)
async def post_settlement(
    claim_id: UUID,
    body: SettlementIn,
    uow: UnitOfWorkDep,
    caller: Insurer,
    today: TodayDep,
    once: OnceDep,
) -> JSONResponse:
    return await once.run(
        caller, body, lambda: claim_service.settle(uow, caller, claim_id, body, today=today)
    )


@router.post(
    "/{claim_id}/rejection",
    summary="Reject a claim before settlement, with a reason code and a short reason (insurer)",
    description="The reason travels in `ClaimRejected` to the insurer feed: no names, ID numbers or "
    "diagnoses (long digit runs are refused, rule `NO_PERSONAL_DATA`). Audited. " + DECIDED_ONCE,
    response_model=ClaimOut,
)
async def post_rejection(
    claim_id: UUID,
    body: RejectionIn,
    uow: UnitOfWorkDep,
    caller: Insurer,
    today: TodayDep,
    once: OnceDep,
) -> JSONResponse:
    return await once.run(
        caller, body, lambda: claim_service.reject(uow, caller, claim_id, body, today=today)
    )
