"""Routes for the facility register: facilities, beds, status, and the relocation of a closing facility."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.facilities.api.params import District, Limit, Offset
from services.facilities.api.roles import (
    DISTRICT_READERS,
    INSPECTORS,
    MOVERS,
    READERS,
    REGISTRARS,
    DistrictReader,
    Inspector,
    Mover,
    Reader,
    Registrar,
    needs,
)
from services.facilities.schemas.facilities import (
    BedServiceIn,
    BedsIn,
    FacilityDetailOut,
    FacilityIn,
    FacilityOut,
    StatusIn,
)
from services.facilities.schemas.placements import RelocationOut
from services.facilities.service import facilities as facility_service
from services.facilities.service import relocation as relocation_service
from shared.contracts.facilities import FacilityStatus
from shared.service import TodayDep, UnitOfWorkDep

router = APIRouter(prefix="/facilities", tags=["facilities"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register a care facility with its beds (district staff)",
    description="Open from today; publishes `FacilityStatusChanged` (open); audited. Bed labels are unique in "
    "the facility (`LABEL_TAKEN`, 409)." + needs(REGISTRARS),
)
async def post_facility(
    body: FacilityIn, uow: UnitOfWorkDep, caller: Registrar, today: TodayDep
) -> FacilityDetailOut:
    return await facility_service.register(uow, caller, body, today=today)


@router.get(
    "",
    summary="Facilities in your districts, with bed counts",
    description="Filters: district, status, whether it cares for disabled residents. Paged (`limit` ≤ 500). "
    "A facility manager sees their own facilities only." + needs(READERS),
)
async def get_facilities(
    uow: UnitOfWorkDep,
    caller: Reader,
    district_code: District = None,
    status: Annotated[FacilityStatus | None, Query(description="open, renovating, closing or closed")] = None,
    cares_for_disabled: Annotated[bool | None, Query()] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[FacilityOut]:
    return await facility_service.list_facilities(
        uow,
        caller,
        district_code=district_code,
        status=status,
        cares_for_disabled=cares_for_disabled,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{facility_id}",
    summary="One facility with its beds and which are occupied",
    description="404 for a facility outside the caller's districts, or not a facility manager's own."
    + needs(READERS),
)
async def get_facility(facility_id: UUID, uow: UnitOfWorkDep, caller: Reader) -> FacilityDetailOut:
    return await facility_service.read(uow, caller, facility_id)


@router.post("/{facility_id}/beds", summary="Add beds to a facility; audited", description=needs(INSPECTORS))
async def post_beds(
    facility_id: UUID, body: BedsIn, uow: UnitOfWorkDep, caller: Inspector
) -> FacilityDetailOut:
    return await facility_service.add_beds(uow, caller, facility_id, body)


@router.put(
    "/{facility_id}/beds/{bed_id}/service",
    summary="Take a free bed out of service, or put it back; audited",
    description="An occupied bed cannot go out of service (`BED_OCCUPIED`, 409)." + needs(INSPECTORS),
)
async def put_bed_service(
    facility_id: UUID, bed_id: UUID, body: BedServiceIn, uow: UnitOfWorkDep, caller: Inspector
) -> FacilityDetailOut:
    return await facility_service.set_bed_service(uow, caller, facility_id, bed_id, body)


@router.post(
    "/{facility_id}/status",
    summary="Change a facility's status (district staff)",
    description="Steps: open → renovating | closing; renovating → open | closing; closing → open | closed; "
    "closed → open (`STATUS_STEP`, 409). Closed only without residents (`RESIDENTS_REMAIN`). Only an open "
    "facility admits. Publishes `FacilityStatusChanged`; audited." + needs(REGISTRARS),
)
async def post_status(
    facility_id: UUID, body: StatusIn, uow: UnitOfWorkDep, caller: Registrar, today: TodayDep
) -> FacilityDetailOut:
    return await facility_service.change_status(uow, caller, facility_id, body, today=today)


@router.get(
    "/{facility_id}/relocation-plan",
    summary="Where each resident of a closing facility would go, and who cannot be placed and why",
    description="Full care first, then half care, then self-caring; a free suitable bed in an open facility "
    "without an open critical fire item, in the district first, then anywhere in the city."
    + needs(DISTRICT_READERS),
    responses={409: {"description": "The facility is open: only a closing or closed facility is relocated."}},
)
async def get_relocation_plan(facility_id: UUID, uow: UnitOfWorkDep, caller: DistrictReader) -> RelocationOut:
    return await relocation_service.relocation_plan(uow, caller, facility_id)


@router.post(
    "/{facility_id}/relocation",
    summary="Carry out the relocation plan of a closing facility: transfer every resident who can be placed",
    description="Each move publishes `ResidentTransferred` and is audited; the answer lists who could not be "
    "placed and why. Repeat it once beds are free." + needs(MOVERS),
)
async def post_relocation(
    facility_id: UUID, uow: UnitOfWorkDep, caller: Mover, today: TodayDep
) -> RelocationOut:
    return await relocation_service.relocate(uow, caller, facility_id, today=today)
