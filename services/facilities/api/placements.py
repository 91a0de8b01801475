"""Routes for the placement queue, admissions, transfers and discharges."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.facilities.api.params import District, Limit, Offset
from services.facilities.api.roles import MOVERS, PLACERS, READERS, Mover, Placer, Reader, needs
from services.facilities.schemas.placements import (
    AdmissionIn,
    DischargeIn,
    PlacementOut,
    PlacementRequestOut,
    TransferIn,
)
from services.facilities.service import placements as placement_service
from shared.service import TodayDep, UnitOfWorkDep

router = APIRouter(tags=["placements"])


@router.get(
    "/placement-requests",
    summary="A district's placement queue (集中供养): full care, then half care, then self-caring, then waiting time",
    description="Requests come from eligibility's `SupportModeChosen` (centralised); a person's newest care "
    "level sets their place. Paged (`limit` ≤ 500). A facility manager sees the queue of the token's districts, "
    "to admit from it." + needs(READERS),
)
async def get_queue(
    uow: UnitOfWorkDep, caller: Reader, district_code: District = None, limit: Limit = 100, offset: Offset = 0
) -> list[PlacementRequestOut]:
    return await placement_service.queue(uow, caller, district_code=district_code, limit=limit, offset=offset)


@router.post(
    "/placement-requests/{request_id}/admission",
    status_code=status.HTTP_201_CREATED,
    summary="Admit a queued person to a free suitable bed",
    description="Refused (409, the rules in `errors`, the first in `detail`), the request staying queued: "
    "`FACILITY_NOT_OPEN`, `OPEN_CRITICAL_FIRE_ITEM` (any open critical fire-safety item stops admissions), "
    "`CANNOT_CARE_FOR_DISABLED`, `BED_NOT_SUITABLE`, `NO_FREE_SUITABLE_BED`, `BED_TAKEN` (another admission "
    "won the bed), `ALREADY_RESIDENT`, `REQUEST_NOT_QUEUED`. Publishes `ResidentAdmitted`; audited. A facility "
    "manager admits into their own facilities only (another facility: 404)." + needs(PLACERS),
)
async def post_admission(
    request_id: UUID, body: AdmissionIn, uow: UnitOfWorkDep, caller: Placer, today: TodayDep
) -> PlacementOut:
    return await placement_service.admit(uow, caller, request_id, body, today=today)


@router.get(
    "/placements",
    summary="Residents now: open stays with their facility and bed",
    description="A facility manager sees the residents of their own facilities only." + needs(READERS),
)
async def get_placements(
    uow: UnitOfWorkDep,
    caller: Reader,
    facility_id: Annotated[UUID | None, Query()] = None,
    district_code: District = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[PlacementOut]:
    return await placement_service.residents(
        uow, caller, facility_id=facility_id, district_code=district_code, limit=limit, offset=offset
    )


@router.post(
    "/placements/{placement_id}/transfer",
    summary="Move a resident to another facility",
    description="The receiving facility is checked as for an admission. Publishes `ResidentTransferred`; audited."
    + needs(MOVERS),
)
async def post_transfer(
    placement_id: UUID, body: TransferIn, uow: UnitOfWorkDep, caller: Mover, today: TodayDep
) -> PlacementOut:
    return await placement_service.transfer(uow, caller, placement_id, body, today=today)


@router.post(
    "/placements/{placement_id}/discharge",
    summary="Discharge a resident (death, returned_home, case_ended); the bed is free the same day",
    description="Publishes `ResidentDischarged`; audited. A facility manager discharges residents of their own "
    "facilities only (another stay: 404)." + needs(PLACERS),
)
async def post_discharge(
    placement_id: UUID, body: DischargeIn, uow: UnitOfWorkDep, caller: Placer, today: TodayDep
) -> PlacementOut:
    return await placement_service.discharge(uow, caller, placement_id, body, today=today)
