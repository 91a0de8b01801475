"""Emptying a closing facility: a plan that matches each resident to a free suitable bed (district first,
then city), and carrying it out as transfers; who cannot be placed is listed with the reason."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.facilities.domain.relocation import FreeBed, Move, Resident, Unplaced, plan_relocation
from services.facilities.models import Bed, Facility
from services.facilities.repository import facilities as facility_queries
from services.facilities.repository import persons as person_queries
from services.facilities.repository import placements as placement_queries
from services.facilities.repository.reach import EVERYWHERE
from services.facilities.schemas.placements import MoveOut, RelocationOut, UnplacedOut
from services.facilities.service.common import scope
from services.facilities.service.placements import move
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, NotFound

MAX_RESIDENTS = 5_000


async def _plan(
    uow: UnitOfWork, caller: Principal, facility_id: UUID
) -> tuple[Facility, list[Move], list[Unplaced]]:
    facility = await facility_queries.facility(uow.session, facility_id, scope(caller), lock="update")
    if facility is None:
        raise NotFound(f"no facility {facility_id} in your districts")
    if facility.status != "closing":
        raise Conflict(
            f"the facility is {facility.status}",
            errors=[FieldIssue("status", "NOT_CLOSING", "set the status to closing first")],
        )
    rows = await placement_queries.residents(
        uow.session, EVERYWHERE, facility_id=facility.id, district_code=None, limit=MAX_RESIDENTS, offset=0
    )
    residents = [
        Resident(
            placement.id,
            placement.person_id,
            await person_queries.latest_care_level(uow.session, placement.person_id) or "self_caring",
        )
        for placement, _, _ in rows
    ]
    beds = [FreeBed(*row) for row in await facility_queries.free_beds_elsewhere(uow.session, facility.id)]
    moves, unplaced = plan_relocation(residents, beds, facility.district_code)
    return facility, moves, unplaced


def _out(
    facility: Facility, moves: list[Move], unplaced: list[Unplaced], *, carried_out: bool
) -> RelocationOut:
    return RelocationOut(
        facility_id=facility.id,
        carried_out=carried_out,
        moves=[
            MoveOut(
                placement_id=m.placement_id,
                person_id=m.person_id,
                to_facility_id=m.facility_id,
                to_bed_id=m.bed_id,
                within_district=m.within_district,
            )
            for m in moves
        ],
        unplaced=[
            UnplacedOut(placement_id=u.placement_id, person_id=u.person_id, reason=u.reason) for u in unplaced
        ],
    )


async def relocation_plan(uow: UnitOfWork, caller: Principal, facility_id: UUID) -> RelocationOut:
    async with uow:
        facility, moves, unplaced = await _plan(uow, caller, facility_id)
        return _out(facility, moves, unplaced, carried_out=False)


async def relocate(uow: UnitOfWork, caller: Principal, facility_id: UUID, *, today: date) -> RelocationOut:
    """Make the plan's moves today, as transfers (each announced and audited), in one transaction."""
    async with uow:
        facility, moves, unplaced = await _plan(uow, caller, facility_id)
        for planned in moves:
            placement = await placement_queries.placement(uow.session, planned.placement_id, EVERYWHERE)
            occupancy = await placement_queries.open_occupancy(uow.session, planned.placement_id)
            to_facility = await uow.session.get(Facility, planned.facility_id)
            bed = await uow.session.get(Bed, planned.bed_id)
            assert (
                placement is not None
                and occupancy is not None
                and to_facility is not None
                and bed is not None
            )
            await move(uow, caller, placement, occupancy, to_facility, bed, today)
        await uow.commit()
        return _out(facility, moves, unplaced, carried_out=True)
