"""The KPI queries: the care rate at any days and bed occupancy, each one set-based statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Date, Text, Uuid

from services.facilities.domain.placements import DISABLED_LEVELS
from services.facilities.models import CareRateTarget
from services.facilities.repository.reach import Reach
from shared.db import Scope

# Whole tables joined by person (hash joins), not a lookup per person and day: each member's supported
# days meet each disabled care-level fact's days (a fact holds from its day to the next fact's) in one
# range; a person's stays are one multirange. Each day then only tests containment. Eligibility keeps one
# active 特困 case per person, so a person counts once a day.
_CARE_RATE = text(
    """
WITH days AS (SELECT unnest(:days) AS day),
levels AS (
    SELECT person_id, care_level,
           daterange(assessed_on, lead(assessed_on) OVER (PARTITION BY person_id ORDER BY assessed_on)) AS held
    FROM care_levels
),
stays AS (
    SELECT person_id, range_agg(daterange(admitted_on, discharged_on)) AS stayed
    FROM placements
    GROUP BY person_id
),
disabled AS (
    SELECT m.district_code, daterange(m.active_from, m.active_until, '[]') * l.held AS counted, s.stayed
    FROM tekun_members m
    JOIN levels l ON l.person_id = m.person_id
    LEFT JOIN stays s ON s.person_id = m.person_id
    WHERE l.care_level = ANY(:disabled_levels)
      AND daterange(m.active_from, m.active_until, '[]') && l.held
      AND (:every_district OR m.district_code = ANY(:districts))
)
SELECT d.day, x.district_code, count(*) AS disabled,
       count(*) FILTER (WHERE x.stayed @> d.day) AS in_facilities
FROM disabled x
JOIN days d ON x.counted @> d.day
GROUP BY d.day, x.district_code
ORDER BY d.day, x.district_code
"""
).bindparams(
    bindparam("days", type_=ARRAY(Date())),
    bindparam("districts", type_=ARRAY(Text())),
    bindparam("disabled_levels", type_=ARRAY(Text())),
)

_OCCUPANCY = text(
    """
SELECT f.id, f.name, f.district_code, f.status,
       count(b.id) AS beds,
       count(b.id) FILTER (WHERE b.in_service) AS available,
       count(o.id) AS occupied
FROM facilities f
LEFT JOIN beds b ON b.facility_id = f.id
LEFT JOIN bed_occupancies o
  ON o.bed_id = b.id AND o.from_on <= :on AND (o.until_on IS NULL OR o.until_on > :on)
WHERE (:every_district OR f.district_code = ANY(:districts))
  AND (:every_facility OR f.id = ANY(:facility_ids))
GROUP BY f.id
ORDER BY f.district_code, f.name, f.id
"""
).bindparams(
    bindparam("on", type_=Date()),
    bindparam("districts", type_=ARRAY(Text())),
    bindparam("facility_ids", type_=ARRAY(Uuid())),
)


def _districts(scope: Scope, district_code: str | None) -> dict[str, Any]:
    if district_code is not None:
        return {"every_district": False, "districts": [district_code]}
    return {"every_district": scope is None, "districts": sorted(scope or ())}


async def care_rate_counts(
    session: AsyncSession, days: Sequence[date], scope: Scope, *, district_code: str | None
) -> list[Any]:
    """Per day and district: disabled 特困 persons, and how many of them lived in a facility."""
    return list(
        await session.execute(
            _CARE_RATE,
            {
                "days": list(days),
                "disabled_levels": sorted(DISABLED_LEVELS),
                **_districts(scope, district_code),
            },
        )
    )


async def occupancy(session: AsyncSession, on: date, reach: Reach, *, district_code: str | None) -> list[Any]:
    """Per facility within reach: beds, beds in service, and beds held by a stay on `on`."""
    facilities = {"every_facility": reach.facilities is None, "facility_ids": sorted(reach.facilities or ())}
    return list(
        await session.execute(
            _OCCUPANCY, {"on": on, **_districts(reach.districts, district_code), **facilities}
        )
    )


async def targets(session: AsyncSession) -> list[CareRateTarget]:
    return list(await session.scalars(select(CareRateTarget).order_by(CareRateTarget.due_on)))
