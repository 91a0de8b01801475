"""REST routes of the payments service: parse, check the caller, call one use case, translate."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from services.payments import service
from services.payments.schemas import EntitlementOut, OneOffOut
from shared.auth import Principal, Role, require_roles
from shared.service import UnitOfWorkDep

router = APIRouter(prefix="/v1", tags=["entitlements"])

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
