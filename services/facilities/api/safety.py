"""Routes for safety and fire-safety rectification items."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.facilities.api.params import District, Limit, Offset
from services.facilities.api.roles import INSPECTORS, READERS, VERIFIERS, Inspector, Reader, Verifier, needs
from services.facilities.schemas.safety import ClosureIn, SafetyItemIn, SafetyItemOut
from services.facilities.service import safety as safety_service
from shared.service import TodayDep, UnitOfWorkDep

router = APIRouter(tags=["safety"])


@router.post(
    "/facilities/{facility_id}/safety-items",
    status_code=status.HTTP_201_CREATED,
    summary="Record a safety or fire-safety item found at a facility",
    description="With a responsible person and a deadline. An open critical fire item stops the facility's "
    "admissions until it is closed. Audited." + needs(INSPECTORS),
)
async def post_item(
    facility_id: UUID, body: SafetyItemIn, uow: UnitOfWorkDep, caller: Inspector, today: TodayDep
) -> SafetyItemOut:
    return await safety_service.open_item(uow, caller, facility_id, body, today=today)


@router.post(
    "/safety-items/{item_id}/closure",
    summary="Close an item with evidence (a second person)",
    description="Refused (403, `SECOND_PERSON`) to the person who opened it. District staff close items, so a "
    "facility never lifts its own admission stop. Audited." + needs(VERIFIERS),
)
async def post_closure(
    item_id: UUID, body: ClosureIn, uow: UnitOfWorkDep, caller: Verifier, today: TodayDep
) -> SafetyItemOut:
    return await safety_service.close_item(uow, caller, item_id, body, today=today)


@router.get(
    "/safety-items",
    summary="Safety items by facility, district and status; `overdue=true` lists the open ones past deadline",
    description="A facility manager sees the items of their own facilities only." + needs(READERS),
)
async def get_items(
    uow: UnitOfWorkDep,
    caller: Reader,
    today: TodayDep,
    facility_id: Annotated[UUID | None, Query()] = None,
    district_code: District = None,
    status: Annotated[Literal["open", "closed"] | None, Query()] = None,
    overdue: Annotated[bool, Query(description="only open items whose deadline has passed")] = False,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[SafetyItemOut]:
    return await safety_service.list_items(
        uow,
        caller,
        facility_id=facility_id,
        district_code=district_code,
        status=status,
        overdue=overdue,
        limit=limit,
        offset=offset,
        today=today,
    )
