"""Queries of purchased services: providers, contracts, tasks and evaluations, always within the caller's
districts; the figures a contract's evaluation is computed from."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Date, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.oversight.models import (
    Problem,
    ServiceContract,
    ServiceProvider,
    ServiceTask,
)
from shared.db import Scope, in_scope


async def get_provider(session: AsyncSession, scope: Scope, provider_id: UUID) -> ServiceProvider | None:
    return await session.scalar(
        select(ServiceProvider).where(
            ServiceProvider.id == provider_id, in_scope(ServiceProvider.district_code, scope)
        )
    )


async def provider_by_code(
    session: AsyncSession, district_code: str, credit_code: str
) -> ServiceProvider | None:
    return await session.scalar(
        select(ServiceProvider).where(
            ServiceProvider.district_code == district_code, ServiceProvider.credit_code == credit_code
        )
    )


async def get_contract(
    session: AsyncSession, scope: Scope, contract_id: UUID, *, lock: bool = False
) -> ServiceContract | None:
    chosen = select(ServiceContract).where(
        ServiceContract.id == contract_id, in_scope(ServiceContract.district_code, scope)
    )
    return await session.scalar(chosen.with_for_update() if lock else chosen)


async def get_task(
    session: AsyncSession, scope: Scope, task_id: UUID, *, lock: bool = False
) -> ServiceTask | None:
    chosen = select(ServiceTask).where(ServiceTask.id == task_id, in_scope(ServiceTask.district_code, scope))
    return await session.scalar(chosen.with_for_update() if lock else chosen)


async def page(
    session: AsyncSession,
    model: Any,
    scope: Scope,
    *filters: Any,
    order: tuple[Any, ...],
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """A page of providers, contracts, tasks or evaluations (`model`) in the caller's districts."""
    chosen = select(model).where(in_scope(model.district_code, scope), *filters)
    total = await session.scalar(select(func.count()).select_from(chosen.subquery()))
    rows = await session.scalars(chosen.order_by(*order).limit(limit).offset(offset))
    return list(rows), int(total or 0)


async def performance_figures(session: AsyncSession, contract_id: UUID, as_of: date) -> dict[str, int]:
    """What a contract's evaluation as of a day counts: tasks due (or done) by then and those done by their
    due date; problems opened by then from spot checks of its provider's tasks, and complaints about it."""
    counted = and_(
        ServiceTask.contract_id == contract_id,
        (ServiceTask.due_on <= as_of) | (ServiceTask.completed_on <= as_of),
    )
    on_time = and_(ServiceTask.completed_on <= ServiceTask.due_on, ServiceTask.completed_on <= as_of)
    tasks = (
        await session.execute(
            select(func.count(), func.count().filter(on_time)).select_from(ServiceTask).where(counted)
        )
    ).one()
    opened_by_then = cast(func.timezone("Asia/Shanghai", Problem.opened_at), Date) <= as_of
    problems = (
        await session.execute(
            select(
                func.count().filter(Problem.source == "supervision"),
                func.count().filter(Problem.source == "complaint"),
            ).where(Problem.contract_id == contract_id, opened_by_then)
        )
    ).one()
    return {
        "tasks_due": int(tasks[0]),
        "tasks_on_time": int(tasks[1]),
        "quality_problems": int(problems[0]),
        "complaints": int(problems[1]),
    }
