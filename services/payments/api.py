"""REST routes of the payments service: parse, check the caller, call one use case, translate."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import JSONResponse

from services.payments import service
from services.payments.schemas import EntitlementOut, OneOffOut, RunIn, RunOut
from shared.auth import Principal, Role, require_roles
from shared.idempotency import IdempotencyKey, fingerprint, idempotent
from shared.service import UnitOfWorkDep, runtime_of

router = APIRouter(prefix="/v1", tags=["entitlements"])

FinanceOfficer = Annotated[Principal, Depends(require_roles(Role.finance_officer))]
Finance = Annotated[
    Principal, Depends(require_roles(Role.finance_officer, Role.reviewer, Role.auditor, Role.admin))
]


@router.get(
    "/entitlements", summary="Entitlements in your districts, by case or person, with their amounts over time"
)
async def get_entitlements(
    uow: UnitOfWorkDep,
    caller: Finance,
    case_id: Annotated[UUID | None, Query()] = None,
    person_id: Annotated[UUID | None, Query()] = None,
) -> list[EntitlementOut]:
    return await service.list_entitlements(uow, caller, case_id=case_id, person_id=person_id)


@router.get("/one-off-payments", summary="Temporary-assistance grants to pay, in your districts")
async def get_one_offs(
    uow: UnitOfWorkDep, caller: Finance, household_id: Annotated[UUID | None, Query()] = None
) -> list[OneOffOut]:
    return await service.list_one_offs(uow, caller, household_id=household_id)


@router.post(
    "/runs",
    status_code=status.HTTP_201_CREATED,
    response_model=RunOut,
    tags=["runs"],
    summary="Prepare (or resume) a district's monthly run: one payment per beneficiary, benefit and month",
    description="Requires an `Idempotency-Key`: a repeat replays the first answer; a changed request is refused.",
)
async def post_run(
    body: RunIn, request: Request, caller: FinanceOfficer, key: IdempotencyKey
) -> JSONResponse:
    runtime = runtime_of(request)
    month = date.fromisoformat(f"{body.month}-01")
    return await idempotent(
        runtime.sessions,
        subject=caller.subject,
        key=key,
        request_hash=fingerprint(request, body),
        instance=request.url.path,
        status_code=status.HTTP_201_CREATED,
        run=lambda: service.prepare_run(
            runtime.unit_of_work, caller, district_code=body.district_code, month=month
        ),
    )


@router.post(
    "/runs/{run_id}/release",
    response_model=RunOut,
    tags=["runs"],
    summary="Release a prepared run (a second finance officer)",
    description="Requires an `Idempotency-Key`: a repeat replays the first answer; a changed request is refused.",
)
async def post_release(
    run_id: UUID, request: Request, uow: UnitOfWorkDep, caller: FinanceOfficer, key: IdempotencyKey
) -> JSONResponse:
    return await idempotent(
        runtime_of(request).sessions,
        subject=caller.subject,
        key=key,
        request_hash=fingerprint(request, None),
        instance=request.url.path,
        status_code=status.HTTP_200_OK,
        run=lambda: service.release_run(uow, caller, run_id),
    )


@router.get("/runs/{run_id}", tags=["runs"], summary="A run's status, payment count and total")
async def get_run(run_id: UUID, uow: UnitOfWorkDep, caller: Finance) -> RunOut:
    return await service.read_run(uow, caller, run_id)
