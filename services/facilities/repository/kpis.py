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

# Only the facts that can hold on a day asked for: care levels assessed by the last day whose next fact
# comes after the first, members supported in between, stays overlapping them (each person's stays
# aggregated in order, so by a sort: a hash aggregate of multiranges spills at the default work_mem).
# Each member's supported days meet each disabled care level's days (a fact holds from its day to the
# next fact's) in one span, and the days of that span spent in a facility (a person's stays are one
# multirange) in pieces. A span adds 1 from the first day asked on or after its start and takes it away
# again from the first day on or after its end (`width_bucket` over the sorted days): the counts are
# running sums over the days, so the cost grows with the spans, not with spans times days. Eligibility
# keeps one active 特困 case per person, so a person counts once a day.
_CARE_RATE = text(
    """
WITH levels AS (
    SELECT person_id, care_level, assessed_on,
           lead(assessed_on) OVER (PARTITION BY person_id ORDER BY assessed_on) AS next_on
    FROM care_levels
    WHERE assessed_on <= :last
),
counted AS (
    SELECT m.person_id, m.district_code,
           daterange(m.active_from, m.active_until, '[]') * daterange(l.assessed_on, l.next_on) AS span
    FROM levels l
    JOIN tekun_members m ON m.person_id = l.person_id
    WHERE l.care_level = ANY(:disabled_levels)
      AND (l.next_on IS NULL OR l.next_on > :first)
      AND m.active_from <= :last AND (m.active_until IS NULL OR m.active_until >= :first)
      AND (:every_district OR m.district_code = ANY(:districts))
),
stays AS (
    SELECT person_id, range_agg(daterange(admitted_on, discharged_on) ORDER BY admitted_on) AS stayed
    FROM placements
    WHERE admitted_on <= :last AND (discharged_on IS NULL OR discharged_on > :first)
    GROUP BY person_id
),
spans AS (
    SELECT district_code, span, 1 AS disabled, 0 AS placed FROM counted
    UNION ALL
    SELECT c.district_code, piece, 0, 1
    FROM counted c
    JOIN stays s ON s.person_id = c.person_id
    CROSS JOIN LATERAL unnest(datemultirange(c.span) * s.stayed) AS piece
),
changes AS (
    SELECT district_code, day_index, sum(disabled) AS disabled, sum(placed) AS placed
    FROM (
        SELECT district_code, width_bucket(lower(span) - 1, :days) + 1 AS day_index, disabled, placed
        FROM spans WHERE NOT isempty(span)
        UNION ALL
        SELECT district_code, width_bucket(upper(span) - 1, :days) + 1, -disabled, -placed
        FROM spans WHERE upper(span) IS NOT NULL
    ) AS edges
    GROUP BY district_code, day_index
),
running AS (
    SELECT g.day_index, d.district_code,
           sum(coalesce(x.disabled, 0)) OVER w AS disabled,
           sum(coalesce(x.placed, 0)) OVER w AS in_facilities
    FROM (SELECT DISTINCT district_code FROM changes) AS d
    CROSS JOIN generate_series(1, cardinality(:days)) AS g(day_index)
    LEFT JOIN changes x ON x.district_code = d.district_code AND x.day_index = g.day_index
    WINDOW w AS (PARTITION BY d.district_code ORDER BY g.day_index)
)
SELECT (:days)[day_index] AS day, district_code, disabled::bigint AS disabled,
       in_facilities::bigint AS in_facilities
FROM running
WHERE disabled > 0
ORDER BY day, district_code
"""
).bindparams(
    bindparam("days", type_=ARRAY(Date())),
    bindparam("first", type_=Date()),
    bindparam("last", type_=Date()),
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
    """Per day and district with anyone counted: disabled 特困 persons, and how many lived in a facility."""
    ordered = sorted(set(days))
    if not ordered:
        return []
    return list(
        await session.execute(
            _CARE_RATE,
            {
                "days": ordered,
                "first": ordered[0],
                "last": ordered[-1],
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
