"""Queries of safety and fire-safety rectification items."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.facilities.models import SafetyItem
from services.facilities.repository.reach import Reach, within


def blocking() -> ColumnElement[bool]:
    """The items that stop admissions (`domain.safety.blocks_admissions`), as SQL."""
    return (SafetyItem.status == "open") & (SafetyItem.kind == "fire") & (SafetyItem.severity == "critical")


async def blocking_count(session: AsyncSession, facility_id: UUID) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(SafetyItem)
            .where(SafetyItem.facility_id == facility_id, blocking())
        )
        or 0
    )


async def item(session: AsyncSession, item_id: UUID, reach: Reach) -> SafetyItem | None:
    return await session.scalar(
        select(SafetyItem)
        .where(SafetyItem.id == item_id, within(reach, SafetyItem.facility_id, SafetyItem.district_code))
        .with_for_update()
    )


async def items(
    session: AsyncSession,
    reach: Reach,
    *,
    facility_id: UUID | None,
    district_code: str | None,
    status: str | None,
    overdue_on: date | None,
    limit: int,
    offset: int,
) -> list[SafetyItem]:
    """Items within reach; `overdue_on` keeps the open ones whose deadline passed before that day."""
    query = select(SafetyItem).where(within(reach, SafetyItem.facility_id, SafetyItem.district_code))
    if facility_id is not None:
        query = query.where(SafetyItem.facility_id == facility_id)
    if district_code is not None:
        query = query.where(SafetyItem.district_code == district_code)
    if status is not None:
        query = query.where(SafetyItem.status == status)
    if overdue_on is not None:
        query = query.where(SafetyItem.status == "open", SafetyItem.deadline < overdue_on)
    query = query.order_by(SafetyItem.deadline, SafetyItem.id).limit(limit).offset(offset)
    return list(await session.scalars(query))
