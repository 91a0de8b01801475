"""Placements: the district's queue, admissions to a suitable bed, transfers and discharges.

A bed is never double-booked: besides the checks here, a partial unique index allows one open occupancy
per bed and one open stay per person, so of two admissions racing for one bed the loser's insert fails
and it gets a 409 while its request stays queued.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from sqlalchemy.exc import IntegrityError

from services.facilities.domain.placements import Place, admission_refusals, is_disabled
from services.facilities.models import Bed, BedOccupancy, Facility, Placement
from services.facilities.repository import facilities as facility_queries
from services.facilities.repository import persons as person_queries
from services.facilities.repository import placements as placement_queries
from services.facilities.repository import safety as safety_queries
from services.facilities.schemas.placements import (
    AdmissionIn,
    DischargeIn,
    PlacementOut,
    PlacementRequestOut,
    TransferIn,
)
from services.facilities.service.common import refuse, scope
from shared import audit
from shared.auth import Principal
from shared.contracts.facilities import (
    DischargeReason,
    ResidentAdmitted,
    ResidentDischarged,
    ResidentTransferred,
)
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, NotFound

_TAKEN = {
    "uq_bed_occupancies_one_open_per_bed": ("bed_id", "BED_TAKEN", "another admission took the bed first"),
    "uq_placements_one_open_per_person": ("request_id", "ALREADY_RESIDENT", "the person already has a place"),
}


async def queue(
    uow: UnitOfWork, caller: Principal, *, district_code: str | None, limit: int, offset: int
) -> list[PlacementRequestOut]:
    async with uow:
        rows = await placement_queries.queue(
            uow.session,
            scope(caller, district_code).districts,
            district_code=district_code,
            limit=limit,
            offset=offset,
        )
    return [
        PlacementRequestOut.model_validate(r, from_attributes=True).model_copy(
            update={"position": offset + i + 1}
        )
        for i, r in enumerate(rows)
    ]


async def take_bed(
    uow: UnitOfWork, caller: Principal, facility_id: UUID, bed_id: UUID | None, care_level: str, what: str
) -> tuple[Facility, Bed]:
    """The receiving facility (shared-locked against a status change) and a free bed in it that suits the
    person, locked for this transaction; refused (409) naming every rule the placement breaks."""
    facility = await facility_queries.facility(uow.session, facility_id, scope(caller), lock="share")
    if facility is None:
        raise NotFound(
            f"no facility {facility_id} in your districts",
            errors=[FieldIssue("facility_id", "NOT_FOUND", "not a facility you can see")],
        )
    bed = await facility_queries.free_bed(
        uow.session, facility.id, bed_id=bed_id, disabled=is_disabled(care_level)
    )
    refusals = admission_refusals(
        Place(
            facility_status=facility.status,
            cares_for_disabled=facility.cares_for_disabled,
            blocking_fire_items=await safety_queries.blocking_count(uow.session, facility.id),
            care_level=care_level,
            bed_suitable=None if bed is None else bed.disabled_suitable,
        )
    )
    if refusals:
        raise refuse(what, refusals)
    assert bed is not None
    return facility, bed


async def flush_or_conflict(uow: UnitOfWork) -> None:
    """Write the occupancy now, so a lost race is a 409 here and not an error at commit."""
    try:
        await uow.session.flush()
    except IntegrityError as error:
        taken = next((v for k, v in _TAKEN.items() if k in str(error.orig)), None)
        if taken is None:
            raise
        raise Conflict(f"placement refused: {taken[1]}: {taken[2]}", errors=[FieldIssue(*taken)]) from None


def occupy(placement: Placement, facility: Facility, bed: Bed, on: date) -> BedOccupancy:
    return BedOccupancy(
        id=uuid4(), placement_id=placement.id, facility_id=facility.id, bed_id=bed.id, from_on=on
    )


async def admit(
    uow: UnitOfWork, caller: Principal, request_id: UUID, body: AdmissionIn, *, today: date
) -> PlacementOut:
    """Admit a queued person into a free suitable bed today; announced as ResidentAdmitted, audited."""
    async with uow:
        # The queue is the district's; a facility manager admits from it into their own facility only.
        request = await placement_queries.request(
            uow.session, request_id, scope(caller).districts, for_update=True
        )
        if request is None:
            raise NotFound(f"no placement request {request_id} in your districts")
        if request.status != "queued":
            raise Conflict(
                f"the request is {request.status}",
                errors=[FieldIssue("request_id", "REQUEST_NOT_QUEUED", "only a queued request is admitted")],
            )
        facility, bed = await take_bed(
            uow, caller, body.facility_id, body.bed_id, request.care_level, "admission"
        )
        placement = Placement(
            id=uuid4(),
            person_id=request.person_id,
            case_id=request.case_id,
            request_id=request.id,
            admitted_on=today,
            admitted_by=caller.subject,
        )
        uow.session.add(placement)
        await uow.session.flush()
        occupancy = occupy(placement, facility, bed, today)
        uow.session.add(occupancy)
        await flush_or_conflict(uow)
        request.status, request.closed_on, request.closed_reason = "admitted", today, "admitted"
        uow.emit(
            ResidentAdmitted(
                person_id=placement.person_id,
                case_id=placement.case_id,
                placement_id=placement.id,
                request_id=request.id,
                facility_id=facility.id,
                district_code=facility.district_code,
                admitted_on=today,
            )
        )
        await _audit(uow, caller.subject, "placement.admitted", placement, facility, {"bed_id": bed.id})
        await uow.commit()
        return _out(placement, occupancy)


async def _stay(uow: UnitOfWork, caller: Principal, placement_id: UUID) -> tuple[Placement, BedOccupancy]:
    placement = await placement_queries.placement(uow.session, placement_id, scope(caller))
    if placement is None:
        raise NotFound(f"no placement {placement_id} in your districts")
    occupancy = await placement_queries.open_occupancy(uow.session, placement.id)
    if placement.discharged_on is not None or occupancy is None:
        raise Conflict(
            "the person has been discharged",
            errors=[FieldIssue("placement_id", "DISCHARGED", "the stay has ended")],
        )
    return placement, occupancy


async def move(
    uow: UnitOfWork,
    caller: Principal,
    placement: Placement,
    occupancy: BedOccupancy,
    facility: Facility,
    bed: Bed,
    today: date,
) -> BedOccupancy:
    """Move a resident into `bed` today; announced as ResidentTransferred, audited."""
    from_facility = occupancy.facility_id
    occupancy.until_on = today
    await uow.session.flush()
    new = occupy(placement, facility, bed, today)
    uow.session.add(new)
    await flush_or_conflict(uow)
    uow.emit(
        ResidentTransferred(
            person_id=placement.person_id,
            case_id=placement.case_id,
            placement_id=placement.id,
            from_facility_id=from_facility,
            to_facility_id=facility.id,
            district_code=facility.district_code,
            transferred_on=today,
        )
    )
    await _audit(
        uow,
        caller.subject,
        "placement.transferred",
        placement,
        facility,
        {"from": from_facility, "bed_id": bed.id},
    )
    return new


async def transfer(
    uow: UnitOfWork, caller: Principal, placement_id: UUID, body: TransferIn, *, today: date
) -> PlacementOut:
    async with uow:
        placement, occupancy = await _stay(uow, caller, placement_id)
        if body.to_facility_id == occupancy.facility_id:
            raise Conflict(
                "the person already lives there",
                errors=[FieldIssue("to_facility_id", "SAME_FACILITY", "choose another facility")],
            )
        level = await person_queries.latest_care_level(uow.session, placement.person_id) or "self_caring"
        facility, bed = await take_bed(uow, caller, body.to_facility_id, body.bed_id, level, "transfer")
        new = await move(uow, caller, placement, occupancy, facility, bed, today)
        await uow.commit()
        return _out(placement, new)


async def end_stay(
    uow: UnitOfWork, actor: str, placement: Placement, reason: DischargeReason, on: date
) -> None:
    """Discharge on `on` (not before the admission): the bed is free that day. Announced, audited."""
    occupancy = await placement_queries.open_occupancy(uow.session, placement.id)
    assert occupancy is not None  # an open stay always holds a bed
    day = max(on, occupancy.from_on)
    placement.discharged_on, placement.discharge_reason, occupancy.until_on = day, reason, day
    facility = await uow.session.get(Facility, occupancy.facility_id)
    assert facility is not None
    uow.emit(
        ResidentDischarged(
            person_id=placement.person_id,
            case_id=placement.case_id,
            placement_id=placement.id,
            facility_id=facility.id,
            district_code=facility.district_code,
            reason=reason,
            discharged_on=day,
        )
    )
    await _audit(uow, actor, "placement.discharged", placement, facility, {"reason": reason})


async def discharge(
    uow: UnitOfWork, caller: Principal, placement_id: UUID, body: DischargeIn, *, today: date
) -> PlacementOut:
    async with uow:
        placement, occupancy = await _stay(uow, caller, placement_id)
        await end_stay(uow, caller.subject, placement, body.reason, today)
        await uow.commit()
        return _out(placement, occupancy)


async def residents(
    uow: UnitOfWork,
    caller: Principal,
    *,
    facility_id: UUID | None,
    district_code: str | None,
    limit: int,
    offset: int,
) -> list[PlacementOut]:
    async with uow:
        rows = await placement_queries.residents(
            uow.session,
            scope(caller, district_code),
            facility_id=facility_id,
            district_code=district_code,
            limit=limit,
            offset=offset,
        )
    return [_out(placement, occupancy) for placement, occupancy, _ in rows]


def _out(placement: Placement, occupancy: BedOccupancy) -> PlacementOut:
    here = occupancy.until_on is None
    return PlacementOut(
        id=placement.id,
        person_id=placement.person_id,
        case_id=placement.case_id,
        request_id=placement.request_id,
        facility_id=occupancy.facility_id if here else None,
        bed_id=occupancy.bed_id if here else None,
        admitted_on=placement.admitted_on,
        discharged_on=placement.discharged_on,
        discharge_reason=placement.discharge_reason,
    )


async def _audit(
    uow: UnitOfWork,
    actor: str,
    action: str,
    placement: Placement,
    facility: Facility,
    details: dict[str, object],
) -> None:
    await audit.record(
        uow.session,
        actor=actor,
        action=action,
        subject_type="placement",
        subject_id=placement.id,
        district_code=facility.district_code,
        details={"person_id": placement.person_id, "facility_id": facility.id, **details},
    )
