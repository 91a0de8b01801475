"""Queries of claims."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.insurance.models import Claim
from services.insurance.repository.visibility import Visibility


async def claim(
    session: AsyncSession, claim_id: UUID, seen: Visibility, *, for_update: bool = False
) -> Claim | None:
    query = select(Claim).where(Claim.id == claim_id, seen.where(Claim.district_code, Claim.insurer_id))
    return await session.scalar(query.with_for_update() if for_update else query)


async def claim_for_incident(
    session: AsyncSession, entry_id: UUID, cover_type: str, incident: date
) -> Claim | None:
    return await session.scalar(
        select(Claim).where(
            Claim.roster_entry_id == entry_id, Claim.cover_type == cover_type, Claim.incident_date == incident
        )
    )


async def claims(
    session: AsyncSession,
    seen: Visibility,
    *,
    year: int | None,
    status: str | None,
    person_id: UUID | None,
    district_code: str | None,
    limit: int | None = None,
) -> list[Claim]:
    query = select(Claim).where(seen.where(Claim.district_code, Claim.insurer_id))
    if year is not None:
        query = query.where(Claim.policy_year == year)
    if status is not None:
        query = query.where(Claim.status == status)
    if person_id is not None:
        query = query.where(Claim.person_id == person_id)
    if district_code is not None:
        query = query.where(Claim.district_code == district_code)
    query = query.order_by(Claim.reported_on, Claim.id)
    return list(await session.scalars(query if limit is None else query.limit(limit)))
