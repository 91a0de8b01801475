"""Queries of the working-day calendar the bureau loaded and of the deadline recomputations it starts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.models import Application, CalendarYearRow, DeadlineRecomputation
from shared.workdays import CalendarYear, WorkingDayCalendar


async def loaded_years(session: AsyncSession) -> list[CalendarYearRow]:
    return list(await session.scalars(select(CalendarYearRow).order_by(CalendarYearRow.year)))


async def working_days(session: AsyncSession) -> WorkingDayCalendar:
    """The calendar as it stands in this transaction: the package's years under the loaded ones.

    Read on every use: a year loaded by any process counts from the next request, without a restart.
    """
    rows = await session.execute(
        select(CalendarYearRow.year, CalendarYearRow.holidays, CalendarYearRow.shifted_working_days)
    )
    return calendar_of(rows)


def calendar_of(rows: Iterable[Any]) -> WorkingDayCalendar:
    """A calendar from loaded `calendar_years` rows (whole rows, or their year and two date lists)."""
    return WorkingDayCalendar(
        CalendarYear(row.year, frozenset(row.holidays), frozenset(row.shifted_working_days), source="loaded")
        for row in rows
    )


async def year_for_update(session: AsyncSession, year: int) -> CalendarYearRow | None:
    return await session.get(CalendarYearRow, year, with_for_update=True)


# Open applications whose stored decision deadline is still provisional (a partial index covers it).
OPEN_PROVISIONAL = and_(Application.decision_due_provisional, Application.decision.is_(None))


async def count_open_provisional(session: AsyncSession) -> int:
    query = select(func.count()).select_from(Application).where(OPEN_PROVISIONAL)
    return int(await session.scalar(query) or 0)


async def open_provisional_after(session: AsyncSession, cursor: UUID | None, limit: int) -> list[Application]:
    """Open applications whose decision deadline is still provisional, in id order after `cursor`."""
    query = select(Application).where(OPEN_PROVISIONAL)
    if cursor is not None:
        query = query.where(Application.id > cursor)
    return list(await session.scalars(query.order_by(Application.id).limit(limit).with_for_update()))


async def recomputation(
    session: AsyncSession, recomputation_id: UUID, *, for_update: bool = False
) -> DeadlineRecomputation | None:
    return await session.get(DeadlineRecomputation, recomputation_id, with_for_update=for_update)


async def unfinished_recomputations(session: AsyncSession) -> list[UUID]:
    query = select(DeadlineRecomputation.id).where(DeadlineRecomputation.status == "running")
    return list(await session.scalars(query.order_by(DeadlineRecomputation.started_at)))


async def latest_recomputation(session: AsyncSession, year: int) -> DeadlineRecomputation | None:
    query = (
        select(DeadlineRecomputation)
        .where(DeadlineRecomputation.year == year)
        .order_by(DeadlineRecomputation.revision.desc())
        .limit(1)
    )
    return await session.scalar(query)
