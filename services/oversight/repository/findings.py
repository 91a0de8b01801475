"""Queries of check runs' findings, always within the caller's districts."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.oversight.models import Finding
from shared.db import Scope, in_scope


async def page(
    session: AsyncSession,
    scope: Scope,
    *,
    district_code: str | None,
    rule: str | None,
    case_id: UUID | None,
    limit: int,
    offset: int,
) -> tuple[list[Finding], int]:
    chosen = select(Finding).where(in_scope(Finding.district_code, scope))
    if district_code is not None:
        chosen = chosen.where(Finding.district_code == district_code)
    if rule is not None:
        chosen = chosen.where(Finding.rule == rule)
    if case_id is not None:
        chosen = chosen.where(Finding.case_id == case_id)
    total = await session.scalar(select(func.count()).select_from(chosen.subquery()))
    rows = await session.scalars(
        chosen.order_by(Finding.last_found_on.desc(), Finding.rule, Finding.id).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


async def get(session: AsyncSession, scope: Scope, finding_id: UUID) -> Finding | None:
    return await session.scalar(
        select(Finding).where(Finding.id == finding_id, in_scope(Finding.district_code, scope))
    )
