"""Queries of insurers, policy terms and their covers."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.insurance.models import Cover, Insurer, PolicyTerm


async def insurer(session: AsyncSession, insurer_id: UUID) -> Insurer | None:
    return await session.get(Insurer, insurer_id)


async def term(session: AsyncSession, year: int) -> PolicyTerm | None:
    return await session.get(PolicyTerm, year)


async def terms(session: AsyncSession, insurer_id: UUID | None = None) -> list[PolicyTerm]:
    query = select(PolicyTerm).order_by(PolicyTerm.year)
    if insurer_id is not None:
        query = query.where(PolicyTerm.insurer_id == insurer_id)
    return list(await session.scalars(query))


async def covers(session: AsyncSession, years: Sequence[int]) -> list[Cover]:
    return list(
        await session.scalars(
            select(Cover).where(Cover.policy_year.in_(years)).order_by(Cover.policy_year, Cover.cover_type)
        )
    )


async def cover(session: AsyncSession, year: int, cover_type: str) -> Cover | None:
    return await session.get(Cover, (year, cover_type))
