"""Routes for the household registry: members with their resident IDs encrypted and masked."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.eligibility.api.roles import Caseworker, Reader
from services.eligibility.schemas.households import (
    HouseholdChange,
    HouseholdIn,
    HouseholdOut,
    HouseholdPage,
    HouseholdVersionOut,
)
from services.eligibility.service import households
from shared.params import MAX_PAGE, DistrictFilter
from shared.service import PersonalDataDep, TodayDep, UnitOfWorkDep

router = APIRouter(prefix="/households", tags=["households"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register a household and its members")
async def post_household(
    body: HouseholdIn, uow: UnitOfWorkDep, pii: PersonalDataDep, caller: Caseworker, today: TodayDep
) -> HouseholdOut:
    return await households.register_household(uow, pii, caller, body, today=today)


@router.get("", summary="Households in your districts, newest change first")
async def get_households(
    uow: UnitOfWorkDep,
    caller: Caseworker,
    district_code: DistrictFilter = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> HouseholdPage:
    return await households.list_households(
        uow, caller, district_code=district_code, page=page, page_size=page_size
    )


@router.get("/{household_id}", summary="A household with its members (ID numbers and names masked)")
async def get_household(
    household_id: UUID, uow: UnitOfWorkDep, pii: PersonalDataDep, caller: Reader
) -> HouseholdOut:
    return await households.read_household(uow, pii, caller, household_id)


@router.put("/{household_id}", summary="Change a household; `version` must be the one you read")
async def put_household(
    household_id: UUID,
    body: HouseholdChange,
    uow: UnitOfWorkDep,
    pii: PersonalDataDep,
    caller: Caseworker,
    today: TodayDep,
) -> HouseholdOut:
    return await households.change_household(uow, pii, caller, household_id, body, today=today)


@router.get(
    "/{household_id}/versions", summary="Every change to a household: who, when, why, and what it left"
)
async def get_household_versions(
    household_id: UUID, uow: UnitOfWorkDep, caller: Reader
) -> list[HouseholdVersionOut]:
    return await households.household_history(uow, caller, household_id)
