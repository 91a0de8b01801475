"""Queries of placement requests, stays (placements) and the beds they hold."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import ColumnElement, Row, case, exists, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.facilities.domain.placements import QUEUE_PRIORITY
from services.facilities.models import BedOccupancy, Facility, Placement, PlacementRequest
from services.facilities.repository.reach import Reach, within
from shared.db import Scope, in_scope

_RANK = case(QUEUE_PRIORITY, value=PlacementRequest.care_level, else_=len(QUEUE_PRIORITY))


async def request(
    session: AsyncSession, request_id: UUID, scope: Scope, *, for_update: bool = False
) -> PlacementRequest | None:
    query = select(PlacementRequest).where(
        PlacementRequest.id == request_id, in_scope(PlacementRequest.district_code, scope)
    )
    return await session.scalar(query.with_for_update() if for_update else query)


async def queue(
    session: AsyncSession, scope: Scope, *, district_code: str | None, limit: int, offset: int
) -> list[PlacementRequest]:
    """Queued requests, full care first, then half care, then self-caring, each by waiting time."""
    query = select(PlacementRequest).where(
        PlacementRequest.status == "queued", in_scope(PlacementRequest.district_code, scope)
    )
    if district_code is not None:
        query = query.where(PlacementRequest.district_code == district_code)
    query = query.order_by(
        _RANK, PlacementRequest.requested_on, PlacementRequest.requested_at, PlacementRequest.id
    )
    return list(await session.scalars(query.limit(limit).offset(offset)))


async def withdraw(
    session: AsyncSession,
    person_ids: Sequence[UUID],
    *,
    case_id: UUID,
    on: date,
    reason: str,
    requested_before: datetime | None = None,
) -> list[UUID]:
    """Close the queued requests of these people in the case; returns which were closed."""
    query = update(PlacementRequest).where(
        PlacementRequest.status == "queued",
        PlacementRequest.case_id == case_id,
        PlacementRequest.person_id.in_(person_ids),
    )
    if requested_before is not None:
        query = query.where(PlacementRequest.requested_at < requested_before)
    result = await session.execute(
        query.values(status="withdrawn", closed_on=on, closed_reason=reason).returning(PlacementRequest.id)
    )
    return list(result.scalars())


async def follow_care_level(session: AsyncSession, person_id: UUID, care_level: str) -> None:
    """A queued request takes the person's newest care level, which sets its place in the queue."""
    await session.execute(
        update(PlacementRequest)
        .where(PlacementRequest.person_id == person_id, PlacementRequest.status == "queued")
        .values(care_level=care_level)
    )


async def has_open_stay(session: AsyncSession, person_id: UUID) -> bool:
    return bool(
        await session.scalar(
            select(exists().where(Placement.person_id == person_id, Placement.discharged_on.is_(None)))
        )
    )


def _visible(reach: Reach) -> ColumnElement[bool]:
    """A stay is the business of the person's district and of the district of the facility holding it; a
    facility manager's only while it holds a bed in one of the manager's facilities."""
    if reach.facilities is not None:
        return (
            select(BedOccupancy.id)
            .join(Facility, Facility.id == BedOccupancy.facility_id)
            .where(
                BedOccupancy.placement_id == Placement.id,
                BedOccupancy.until_on.is_(None),
                within(reach, Facility.id, Facility.district_code),
            )
            .exists()
        )
    if reach.districts is None:
        return true()
    in_facility = (
        select(BedOccupancy.id)
        .join(Facility, Facility.id == BedOccupancy.facility_id)
        .where(BedOccupancy.placement_id == Placement.id, in_scope(Facility.district_code, reach.districts))
        .exists()
    )
    of_person = (
        select(PlacementRequest.id)
        .where(
            PlacementRequest.id == Placement.request_id,
            in_scope(PlacementRequest.district_code, reach.districts),
        )
        .exists()
    )
    return or_(in_facility, of_person)


async def placement(session: AsyncSession, placement_id: UUID, reach: Reach) -> Placement | None:
    return await session.scalar(
        select(Placement).where(Placement.id == placement_id, _visible(reach)).with_for_update()
    )


async def open_occupancy(session: AsyncSession, placement_id: UUID) -> BedOccupancy | None:
    return await session.scalar(
        select(BedOccupancy)
        .where(BedOccupancy.placement_id == placement_id, BedOccupancy.until_on.is_(None))
        .with_for_update()
    )


async def open_stays_of_case(
    session: AsyncSession, case_id: UUID, person_ids: Sequence[UUID]
) -> list[Placement]:
    return list(
        await session.scalars(
            select(Placement)
            .where(
                Placement.case_id == case_id,
                Placement.person_id.in_(person_ids),
                Placement.discharged_on.is_(None),
            )
            .with_for_update()
        )
    )


async def residents(
    session: AsyncSession,
    reach: Reach,
    *,
    facility_id: UUID | None,
    district_code: str | None,
    limit: int,
    offset: int,
) -> list[Row[Placement, BedOccupancy, Facility]]:
    """Open stays with the bed and facility holding them."""
    query = (
        select(Placement, BedOccupancy, Facility)
        .join(BedOccupancy, (BedOccupancy.placement_id == Placement.id) & BedOccupancy.until_on.is_(None))
        .join(Facility, Facility.id == BedOccupancy.facility_id)
        .where(Placement.discharged_on.is_(None), _visible(reach))
    )
    if facility_id is not None:
        query = query.where(Facility.id == facility_id)
    if district_code is not None:
        query = query.where(Facility.district_code == district_code)
    query = query.order_by(Facility.id, Placement.admitted_on, Placement.id).limit(limit).offset(offset)
    return list(await session.execute(query))
