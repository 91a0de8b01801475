"""Queries of claims."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import case, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from services.insurance.models import Claim, ClaimStatusChange
from services.insurance.repository.visibility import Visibility

# Several steps can fall on one day: the later step in the lifecycle is the status that day ends with.
_LIFECYCLE_ORDER = case(
    {"reported": 0, "documents_complete": 1, "assessed": 2, "settled": 3, "rejected": 3},
    value=ClaimStatusChange.status,
)


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


def record_status(session: AsyncSession, claim: Claim, *, on: date, by: str) -> None:
    """The claim's new status joins its history (flushed with the claim)."""
    session.add(ClaimStatusChange(claim_id=claim.id, status=claim.status, changed_on=on, changed_by=by))


async def statuses_on(session: AsyncSession, claim_ids: list[UUID], day: date) -> dict[UUID, str]:
    """Each claim's status at the end of `day`: the last one it took by then (none: reported later)."""
    if not claim_ids:
        return {}
    rows = await session.execute(
        select(ClaimStatusChange.claim_id, ClaimStatusChange.status)
        .ext(distinct_on(ClaimStatusChange.claim_id))
        .where(ClaimStatusChange.claim_id.in_(claim_ids), ClaimStatusChange.changed_on <= day)
        .order_by(ClaimStatusChange.claim_id, ClaimStatusChange.changed_on.desc(), _LIFECYCLE_ORDER.desc())
    )
    return {claim_id: status for claim_id, status in rows}
