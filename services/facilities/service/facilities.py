"""The facility register: facilities, their beds and their status (announced as FacilityStatusChanged)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from sqlalchemy.exc import IntegrityError

from services.facilities.domain.facilities import can_change
from services.facilities.models import Bed, Facility
from services.facilities.repository import facilities as facility_queries
from services.facilities.repository import placements as placement_queries
from services.facilities.repository.reach import EVERYWHERE
from services.facilities.schemas.facilities import (
    BedIn,
    BedOut,
    BedServiceIn,
    BedsIn,
    FacilityDetailOut,
    FacilityIn,
    FacilityOut,
    StatusIn,
)
from services.facilities.service.common import check_district, scope
from shared import audit
from shared.auth import Principal
from shared.contracts.facilities import FacilityStatusChanged
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, NotFound


def _shape(facility: Facility, counts: facility_queries.BedCounts) -> FacilityOut:
    return FacilityOut(
        **{
            name: getattr(facility, name) for name in FacilityOut.model_fields if not name.startswith("beds_")
        },
        beds_total=counts.total,
        beds_available=counts.in_service,
        beds_disabled_suitable=counts.disabled_suitable,
        beds_occupied=counts.occupied,
    )


async def _detail(uow: UnitOfWork, facility: Facility) -> FacilityDetailOut:
    counts = (await facility_queries.bed_counts(uow.session, [facility.id]))[facility.id]
    beds = [
        BedOut(
            id=bed.id,
            label=bed.label,
            room=bed.room,
            disabled_suitable=bed.disabled_suitable,
            in_service=bed.in_service,
            occupied=held,
        )
        for bed, held in await facility_queries.beds_of(uow.session, facility.id)
    ]
    return FacilityDetailOut(**_shape(facility, counts).model_dump(), beds=beds)


async def _add_beds(uow: UnitOfWork, facility_id: UUID, beds: list[BedIn]) -> None:
    uow.session.add_all(
        Bed(id=uuid4(), facility_id=facility_id, in_service=True, **b.model_dump()) for b in beds
    )
    try:
        await uow.session.flush()
    except IntegrityError:
        raise Conflict(
            "a bed label is already used in this facility",
            errors=[FieldIssue("beds", "LABEL_TAKEN", "each bed label is unique in its facility")],
        ) from None


async def register(uow: UnitOfWork, caller: Principal, body: FacilityIn, *, today: date) -> FacilityDetailOut:
    """A new facility, open from today, with its beds; announced as FacilityStatusChanged(open)."""
    check_district(caller, body.district_code)
    async with uow:
        facility = Facility(
            id=uuid4(),
            status="open",
            status_since=today,
            created_by=caller.subject,
            **body.model_dump(exclude={"beds"}),
        )
        uow.session.add(facility)
        await uow.session.flush()
        await _add_beds(uow, facility.id, body.beds)
        uow.emit(
            FacilityStatusChanged(
                facility_id=facility.id, district_code=facility.district_code, status="open", changed_on=today
            )
        )
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="facility.registered",
            subject_type="facility",
            subject_id=facility.id,
            district_code=facility.district_code,
            details={"beds": len(body.beds), "kind": body.kind},
        )
        await uow.session.flush()
        answer = await _detail(uow, facility)
        await uow.commit()
        return answer


async def _facility(uow: UnitOfWork, caller: Principal, facility_id: UUID) -> Facility:
    facility = await facility_queries.facility(uow.session, facility_id, scope(caller), lock="update")
    if facility is None:
        raise NotFound(f"no facility {facility_id} in your districts")
    return facility


async def read(uow: UnitOfWork, caller: Principal, facility_id: UUID) -> FacilityDetailOut:
    async with uow:
        facility = await facility_queries.facility(uow.session, facility_id, scope(caller))
        if facility is None:
            raise NotFound(f"no facility {facility_id} in your districts")
        return await _detail(uow, facility)


async def list_facilities(
    uow: UnitOfWork,
    caller: Principal,
    *,
    district_code: str | None,
    status: str | None,
    cares_for_disabled: bool | None,
    limit: int,
    offset: int,
) -> list[FacilityOut]:
    async with uow:
        rows = await facility_queries.facilities(
            uow.session,
            scope(caller, district_code),
            district_code=district_code,
            status=status,
            cares_for_disabled=cares_for_disabled,
            limit=limit,
            offset=offset,
        )
        counts = await facility_queries.bed_counts(uow.session, [f.id for f in rows])
    return [_shape(f, counts[f.id]) for f in rows]


async def add_beds(uow: UnitOfWork, caller: Principal, facility_id: UUID, body: BedsIn) -> FacilityDetailOut:
    async with uow:
        facility = await _facility(uow, caller, facility_id)
        await _add_beds(uow, facility.id, body.beds)
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="facility.beds_added",
            subject_type="facility",
            subject_id=facility.id,
            district_code=facility.district_code,
            details={"labels": [b.label for b in body.beds]},
        )
        await uow.session.flush()
        answer = await _detail(uow, facility)
        await uow.commit()
        return answer


async def set_bed_service(
    uow: UnitOfWork, caller: Principal, facility_id: UUID, bed_id: UUID, body: BedServiceIn
) -> FacilityDetailOut:
    """Take a free bed out of service (repairs) or put it back; an occupied bed stays in service."""
    async with uow:
        facility = await _facility(uow, caller, facility_id)
        bed = await facility_queries.bed(uow.session, facility.id, bed_id)
        if bed is None:
            raise NotFound(f"no bed {bed_id} in facility {facility_id}")
        if not body.in_service and await facility_queries.bed_is_held(uow.session, bed.id):
            raise Conflict(
                "an occupied bed cannot go out of service",
                errors=[FieldIssue("in_service", "BED_OCCUPIED", "move or discharge its resident first")],
            )
        bed.in_service = body.in_service
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="bed.service_changed",
            subject_type="bed",
            subject_id=bed.id,
            district_code=facility.district_code,
            details={"in_service": body.in_service, "reason": body.reason},
        )
        await uow.session.flush()
        answer = await _detail(uow, facility)
        await uow.commit()
        return answer


async def change_status(
    uow: UnitOfWork, caller: Principal, facility_id: UUID, body: StatusIn, *, today: date
) -> FacilityDetailOut:
    """A step of `domain.facilities.STEPS`; a facility is closed only once nobody lives in it."""
    async with uow:
        facility = await _facility(uow, caller, facility_id)
        if not can_change(facility.status, body.status):
            raise Conflict(
                f"a {facility.status} facility cannot become {body.status}",
                errors=[
                    FieldIssue("status", "STATUS_STEP", f"{facility.status} → {body.status} is not a step")
                ],
            )
        if body.status == "closed" and await placement_queries.residents(
            uow.session, EVERYWHERE, facility_id=facility.id, district_code=None, limit=1, offset=0
        ):
            raise Conflict(
                "the facility still has residents",
                errors=[FieldIssue("status", "RESIDENTS_REMAIN", "relocate every resident before closing")],
            )
        previous, facility.status, facility.status_since = facility.status, body.status, today
        uow.emit(
            FacilityStatusChanged(
                facility_id=facility.id,
                district_code=facility.district_code,
                status=body.status,
                changed_on=today,
            )
        )
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="facility.status_changed",
            subject_type="facility",
            subject_id=facility.id,
            district_code=facility.district_code,
            details={"from": previous, "to": body.status, "reason": body.reason},
        )
        await uow.session.flush()
        answer = await _detail(uow, facility)
        await uow.commit()
        return answer
