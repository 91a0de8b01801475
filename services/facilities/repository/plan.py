"""Queries of the 5-year plan's actions."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.facilities.models import PlanAction
from shared.db import Scope, in_scope


async def action(session: AsyncSession, action_id: UUID, scope: Scope) -> PlanAction | None:
    return await session.scalar(
        select(PlanAction)
        .where(PlanAction.id == action_id, in_scope(PlanAction.district_code, scope))
        .with_for_update()
    )


async def actions(
    session: AsyncSession,
    scope: Scope,
    *,
    district_code: str | None,
    plan_start_year: int | None,
    limit: int,
    offset: int,
) -> list[PlanAction]:
    query = select(PlanAction).where(in_scope(PlanAction.district_code, scope))
    if district_code is not None:
        query = query.where(PlanAction.district_code == district_code)
    if plan_start_year is not None:
        query = query.where(PlanAction.plan_start_year == plan_start_year)
    query = query.order_by(PlanAction.district_code, PlanAction.target_end, PlanAction.id)
    return list(await session.scalars(query.limit(limit).offset(offset)))
