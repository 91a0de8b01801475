"""Queries of facility stays: the months a care facility is paid a resident's 特困 amounts."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import exists, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import Entitlement, FacilityStay


async def has_tekun_entitlement(session: AsyncSession, case_id: UUID, person_id: UUID) -> bool:
    return bool(
        await session.scalar(
            select(
                exists().where(
                    Entitlement.case_id == case_id,
                    Entitlement.person_id == person_id,
                    Entitlement.benefit == "tekun",
                )
            )
        )
    )


async def open_stay(session: AsyncSession, person_id: UUID) -> FacilityStay | None:
    """The person's stay with no end yet (at most one), locked."""
    return await session.scalar(
        select(FacilityStay)
        .where(FacilityStay.person_id == person_id, FacilityStay.end_month.is_(None))
        .with_for_update()
    )


async def placement_known(session: AsyncSession, placement_id: UUID) -> bool:
    return bool(await session.scalar(select(exists().where(FacilityStay.placement_id == placement_id))))


# The one rule of who is paid a 特困 month: the facility of the latest stay begun by the month and not ended
# before it (a person has at most one), else the person. Both the monthly run and the re-pointing below
# use it, as a lateral subquery over `person` and `month` (SQL expressions of those statements: formatting
# this constant puts no input into SQL, hence the S608 exemptions).
PAYING_STAY = """
    SELECT f.facility_id FROM facility_stays f
    WHERE f.person_id = {person} AND f.start_month <= {month}
      AND (f.end_month IS NULL OR f.end_month > {month})
    ORDER BY f.start_month DESC LIMIT 1
"""

# The person's 特困 payments not sent yet follow the stays as they now stand. Sent, paid or failed payments
# keep their payee (money left for them).
REPOINT_UNSENT = text(
    """
UPDATE payments p SET facility_id = target.facility_id,
       payee_kind = CASE WHEN target.facility_id IS NULL THEN 'person' ELSE 'facility' END
FROM (
    SELECT u.id, stay.facility_id
    FROM payments u
    LEFT JOIN LATERAL ("""  # noqa: S608
    + PAYING_STAY.format(person="u.person_id", month="u.month")
    + """) stay ON true
    WHERE u.person_id = CAST(:person_id AS uuid) AND u.grant_id IS NULL AND u.benefit = 'tekun'
      AND u.status = 'due'
) target
WHERE p.id = target.id AND p.status = 'due' AND p.facility_id IS DISTINCT FROM target.facility_id
"""
)


async def repoint_unsent(session: AsyncSession, person_id: UUID) -> None:
    await session.execute(REPOINT_UNSENT, {"person_id": person_id})
