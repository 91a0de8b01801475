"""Queries of the support-mode choices of a case's 特困 beneficiaries."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.models import SupportModeChoice


async def choices_of(
    session: AsyncSession, case_id: UUID, person_id: UUID | None = None
) -> list[SupportModeChoice]:
    """The case's choices (one person's, if given), by person, oldest first: the last of a person's is in force."""
    query = select(SupportModeChoice).where(SupportModeChoice.case_id == case_id)
    if person_id is not None:
        query = query.where(SupportModeChoice.person_id == person_id)
    return list(await session.scalars(query.order_by(SupportModeChoice.person_id, SupportModeChoice.seq)))


async def add_choice(session: AsyncSession, choice: SupportModeChoice) -> None:
    """Insert the choice and load the time the database recorded it."""
    session.add(choice)
    await session.flush()
    await session.refresh(choice, ["recorded_at"])
