"""Queries of applications, their steps, and the staff-relatives register."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.models import (
    Application,
    ApplicationStep,
    StaffRelative,
)
from shared.db import Scope, in_scope


async def application(
    session: AsyncSession, application_id: UUID, scope: Scope, *, for_update: bool = False
) -> Application | None:
    query = select(Application).where(
        Application.id == application_id, in_scope(Application.district_code, scope)
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def steps_of(session: AsyncSession, application_id: UUID) -> list[ApplicationStep]:
    return list(
        await session.scalars(
            select(ApplicationStep)
            .where(ApplicationStep.application_id == application_id)
            .order_by(ApplicationStep.seq)
        )
    )


async def applications_page(
    session: AsyncSession,
    scope: Scope,
    *,
    district_code: str | None,
    state: str | None,
    offset: int,
    limit: int,
) -> tuple[list[Application], int]:
    conditions = [in_scope(Application.district_code, scope)]
    if district_code is not None:
        conditions.append(Application.district_code == district_code)
    if state is not None:
        conditions.append(Application.state == state)
    total = await session.scalar(select(func.count()).select_from(Application).where(*conditions))
    rows = await session.scalars(
        select(Application)
        .where(*conditions)
        .order_by(Application.created_at.desc(), Application.id)
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total or 0)


OPEN_STATES = (
    "applied",
    "accepted",
    "investigating",
    "appraised",
    "township_reviewed",
    "public_notice",
    "refused",
    "rejected",
    "help_first_paid",
)


async def open_applications(
    session: AsyncSession, scope: Scope, district_code: str | None
) -> list[Application]:
    """Applications that may still owe a deadline (a refusal still owes its written notice)."""
    conditions = [in_scope(Application.district_code, scope), Application.state.in_(OPEN_STATES)]
    if district_code is not None:
        conditions.append(Application.district_code == district_code)
    return list(
        await session.scalars(select(Application).where(*conditions).order_by(Application.created_at))
    )


async def steps_of_many(
    session: AsyncSession, application_ids: list[UUID]
) -> dict[UUID, list[ApplicationStep]]:
    steps: dict[UUID, list[ApplicationStep]] = {application_id: [] for application_id in application_ids}
    for step in await session.scalars(
        select(ApplicationStep)
        .where(ApplicationStep.application_id.in_(application_ids))
        .order_by(ApplicationStep.seq)
    ):
        steps[step.application_id].append(step)
    return steps


async def registered_relatives(session: AsyncSession, person_indexes: list[bytes]) -> bool:
    return bool(
        await session.scalar(
            select(func.count())
            .select_from(StaffRelative)
            .where(StaffRelative.person_index.in_(person_indexes))
        )
    )


async def relatives_page(session: AsyncSession, scope: Scope) -> list[StaffRelative]:
    query = select(StaffRelative).order_by(StaffRelative.filed_at.desc())
    query = query.where(in_scope(StaffRelative.district_code, scope))
    return list(await session.scalars(query))
