"""Queries of imports and their accepted rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.oversight.models import ExternalRecord, Import

_BATCH = 2_000  # 13 values a row: under PostgreSQL's 32,767 parameters a statement


async def add_records(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """The accepted rows in batches (a file of 200,000 rows is a hundred statements); a fact already kept is
    skipped. Returns how many were new."""
    added = 0
    for start in range(0, len(rows), _BATCH):
        statement = insert(ExternalRecord).values(list(rows[start : start + _BATCH]))
        result = await session.execute(statement.on_conflict_do_nothing().returning(ExternalRecord.id))
        added += len(result.all())
    return added


async def page(
    session: AsyncSession, source: str | None, limit: int, offset: int
) -> tuple[list[Import], int]:
    chosen = select(Import).where(Import.source == source) if source is not None else select(Import)
    total = await session.scalar(select(func.count()).select_from(chosen.subquery()))
    rows = await session.scalars(
        chosen.order_by(Import.imported_at.desc(), Import.id).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


async def get(session: AsyncSession, import_id: UUID) -> Import | None:
    return await session.get(Import, import_id)
