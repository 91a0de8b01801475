"""Entitlements and one-off grants, as payments keeps them from eligibility's events."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from services.payments.api.roles import Finance
from services.payments.schemas.entitlements import EntitlementOut, OneOffOut
from services.payments.service import entitlements
from shared.service import UnitOfWorkDep

router = APIRouter(tags=["entitlements"])


@router.get(
    "/entitlements", summary="Entitlements in your districts, by case or person, with their amounts over time"
)
async def get_entitlements(
    uow: UnitOfWorkDep,
    caller: Finance,
    case_id: Annotated[UUID | None, Query()] = None,
    person_id: Annotated[UUID | None, Query()] = None,
) -> list[EntitlementOut]:
    return await entitlements.list_entitlements(uow, caller, case_id=case_id, person_id=person_id)


@router.get("/one-off-payments", summary="Temporary-assistance grants to pay, in your districts")
async def get_one_offs(
    uow: UnitOfWorkDep, caller: Finance, household_id: Annotated[UUID | None, Query()] = None
) -> list[OneOffOut]:
    return await entitlements.list_one_offs(uow, caller, household_id=household_id)
