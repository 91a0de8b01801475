"""Queries of the 5-year plan's actions."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.facilities.models import PlanAction
from services.facilities.repository.reach import Reach, within


async def action(session: AsyncSession, action_id: UUID, reach: Reach) -> PlanAction | None:
    return await session.scalar(
        select(PlanAction)
        .where(PlanAction.id == action_id, within(reach, PlanAction.facility_id, PlanAction.district_code))
        .with_for_update()
    )


async def actions(
    session: AsyncSession,
    reach: Reach,
    *,
    district_code: str | None,
    plan_start_year: int | None,
    limit: int,
    offset: int,
) -> list[PlanAction]:
    # A new build has no facility, so a facility manager never sees one (NULL IN … is not true).
    query = select(PlanAction).where(within(reach, PlanAction.facility_id, PlanAction.district_code))
    if district_code is not None:
        query = query.where(PlanAction.district_code == district_code)
    if plan_start_year is not None:
        query = query.where(PlanAction.plan_start_year == plan_start_year)
    query = query.order_by(PlanAction.district_code, PlanAction.target_end, PlanAction.id)
    return list(await session.scalars(query.limit(limit).offset(offset)))
