"""Queries of facilities and their beds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from sqlalchemy import Row, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.facilities.models import Bed, BedOccupancy, Facility, SafetyItem
from services.facilities.repository.reach import Reach, within
from services.facilities.repository.safety import blocking

Lock = Literal["share", "update"] | None


async def facility(
    session: AsyncSession, facility_id: UUID, reach: Reach, *, lock: Lock = None
) -> Facility | None:
    """One facility within the caller's reach; `share` lets admissions run side by side while a status
    change or a new critical item (`update`) waits for them, and they for it."""
    query = select(Facility).where(
        Facility.id == facility_id, within(reach, Facility.id, Facility.district_code)
    )
    if lock == "share":
        query = query.with_for_update(read=True)
    elif lock == "update":
        query = query.with_for_update()
    return await session.scalar(query)


async def facilities(
    session: AsyncSession,
    reach: Reach,
    *,
    district_code: str | None,
    status: str | None,
    cares_for_disabled: bool | None,
    limit: int,
    offset: int,
) -> list[Facility]:
    query = select(Facility).where(within(reach, Facility.id, Facility.district_code))
    if district_code is not None:
        query = query.where(Facility.district_code == district_code)
    if status is not None:
        query = query.where(Facility.status == status)
    if cares_for_disabled is not None:
        query = query.where(Facility.cares_for_disabled == cares_for_disabled)
    query = query.order_by(Facility.district_code, Facility.name, Facility.id).limit(limit).offset(offset)
    return list(await session.scalars(query))


@dataclass(frozen=True, slots=True)
class BedCounts:
    total: int
    in_service: int
    disabled_suitable: int
    occupied: int


async def bed_counts(session: AsyncSession, facility_ids: Sequence[UUID]) -> dict[UUID, BedCounts]:
    """Beds of each facility: all, in service, disabled-suitable in service, and held by an open stay."""
    occupied = select(BedOccupancy.bed_id).where(BedOccupancy.until_on.is_(None)).subquery()
    rows = await session.execute(
        select(
            Bed.facility_id,
            func.count(),
            func.count().filter(Bed.in_service),
            func.count().filter(and_(Bed.in_service, Bed.disabled_suitable)),
            func.count(occupied.c.bed_id),
        )
        .outerjoin(occupied, occupied.c.bed_id == Bed.id)
        .where(Bed.facility_id.in_(facility_ids))
        .group_by(Bed.facility_id)
    )
    counts = {row[0]: BedCounts(*row[1:]) for row in rows}
    return {f: counts.get(f, BedCounts(0, 0, 0, 0)) for f in facility_ids}


async def beds_of(session: AsyncSession, facility_id: UUID) -> list[Row[Bed, bool]]:
    """The facility's beds, each with whether an open stay holds it."""
    held = (
        select(BedOccupancy.id).where(BedOccupancy.bed_id == Bed.id, BedOccupancy.until_on.is_(None)).exists()
    )
    return list(
        await session.execute(select(Bed, held).where(Bed.facility_id == facility_id).order_by(Bed.label))
    )


async def bed(session: AsyncSession, facility_id: UUID, bed_id: UUID) -> Bed | None:
    return await session.scalar(
        select(Bed).where(Bed.id == bed_id, Bed.facility_id == facility_id).with_for_update()
    )


async def bed_is_held(session: AsyncSession, bed_id: UUID) -> bool:
    held = await session.scalar(
        select(BedOccupancy.id).where(BedOccupancy.bed_id == bed_id, BedOccupancy.until_on.is_(None))
    )
    return held is not None


async def free_bed(
    session: AsyncSession, facility_id: UUID, *, bed_id: UUID | None, disabled: bool
) -> Bed | None:
    """A free bed in service, locked for this transaction; one another admission has locked is skipped.

    With `bed_id`, that bed if it is free (suitability is the caller's rule to check). Otherwise a
    disabled person gets a disabled-suitable bed, and anyone else preferably one that is not, so the
    suitable beds stay for those who need them.
    """
    free = (
        ~select(BedOccupancy.id)
        .where(BedOccupancy.bed_id == Bed.id, BedOccupancy.until_on.is_(None))
        .exists()
    )
    query = select(Bed).where(Bed.facility_id == facility_id, Bed.in_service, free)
    if bed_id is not None:
        return await session.scalar(query.where(Bed.id == bed_id).with_for_update())
    if disabled:
        query = query.where(Bed.disabled_suitable)
    query = query.order_by(case((Bed.disabled_suitable, 1), else_=0), Bed.label).limit(1)
    return await session.scalar(query.with_for_update(skip_locked=True))


async def free_beds_elsewhere(
    session: AsyncSession, facility_id: UUID
) -> list[Row[UUID, UUID, str, bool, bool]]:
    """Free beds in service in every other open facility that may admit (no open critical fire item)."""
    free = (
        ~select(BedOccupancy.id)
        .where(BedOccupancy.bed_id == Bed.id, BedOccupancy.until_on.is_(None))
        .exists()
    )
    blocked = select(SafetyItem.id).where(SafetyItem.facility_id == Facility.id, blocking()).exists()
    return list(
        await session.execute(
            select(
                Bed.id,
                Bed.facility_id,
                Facility.district_code,
                Bed.disabled_suitable,
                Facility.cares_for_disabled,
            )
            .join(Facility, Facility.id == Bed.facility_id)
            .where(Facility.id != facility_id, Facility.status == "open", Bed.in_service, free, ~blocked)
        )
    )
