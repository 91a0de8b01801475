"""Queries of the problem lists, always within the caller's districts."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.oversight.models import Problem, ProblemEvidence
from shared.db import Scope, in_scope


async def get(session: AsyncSession, scope: Scope, problem_id: UUID, *, lock: bool = False) -> Problem | None:
    chosen = select(Problem).where(Problem.id == problem_id, in_scope(Problem.district_code, scope))
    return await session.scalar(chosen.with_for_update() if lock else chosen)


async def of_finding(session: AsyncSession, finding_id: UUID) -> Problem | None:
    return await session.scalar(select(Problem).where(Problem.finding_id == finding_id))


async def page(
    session: AsyncSession,
    scope: Scope,
    *,
    district_code: str | None,
    status: str | None,
    source: str | None,
    overdue_on: date | None,
    limit: int,
    offset: int,
) -> tuple[list[Problem], int]:
    """Problems newest first; `overdue_on`: only those past their deadline on that day and not closed."""
    chosen = select(Problem).where(in_scope(Problem.district_code, scope))
    if district_code is not None:
        chosen = chosen.where(Problem.district_code == district_code)
    if status is not None:
        chosen = chosen.where(Problem.status == status)
    if source is not None:
        chosen = chosen.where(Problem.source == source)
    if overdue_on is not None:
        chosen = chosen.where(Problem.status != "closed", Problem.deadline < overdue_on)
    total = await session.scalar(select(func.count()).select_from(chosen.subquery()))
    order = (
        (Problem.deadline, Problem.id) if overdue_on is not None else (Problem.opened_at.desc(), Problem.id)
    )
    rows = await session.scalars(chosen.order_by(*order).limit(limit).offset(offset))
    return list(rows), int(total or 0)


async def evidence(session: AsyncSession, problem_id: UUID) -> list[ProblemEvidence]:
    rows = await session.scalars(
        select(ProblemEvidence)
        .where(ProblemEvidence.problem_id == problem_id)
        .order_by(ProblemEvidence.added_at, ProblemEvidence.id)
    )
    return list(rows)


async def evidence_count(session: AsyncSession, problem_id: UUID) -> int:
    counted = await session.scalar(
        select(func.count()).select_from(ProblemEvidence).where(ProblemEvidence.problem_id == problem_id)
    )
    return int(counted or 0)


async def escalate_overdue(session: AsyncSession, scope: Scope, today: date) -> list[tuple[UUID, str, date]]:
    """Mark every problem overdue on `today` and not yet escalated; (id, district, deadline) of each."""
    marked = await session.execute(
        update(Problem)
        .where(
            in_scope(Problem.district_code, scope),
            Problem.status != "closed",
            Problem.deadline < today,
            Problem.escalated_on.is_(None),
        )
        .values(escalated_on=today)
        .returning(Problem.id, Problem.district_code, Problem.deadline)
    )
    return sorted((row.id, row.district_code, row.deadline) for row in marked)
