"""Queries of the roster: entries per person and term, the set-based January build, reconciliation
against the read model, and the roster grouped for the KPIs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.insurance.models import RosterBuild, RosterEntry
from services.insurance.repository.visibility import Visibility

CITY_WIDE_BUILD = "*"
"""`roster_builds.district_code` of a build that covered every district."""


async def builds(session: AsyncSession) -> set[tuple[int, str]]:
    rows = await session.execute(select(RosterBuild.policy_year, RosterBuild.district_code))
    return {(year, district) for year, district in rows}


async def entries_of(session: AsyncSession, person_ids: Sequence[UUID]) -> list[RosterEntry]:
    """These people's entries in every term, locked: their cover is about to be brought up to date."""
    return list(
        await session.scalars(
            select(RosterEntry)
            .where(RosterEntry.person_id.in_(person_ids))
            .order_by(RosterEntry.person_id, RosterEntry.policy_year)
            .with_for_update()
        )
    )


async def entries_of_person(session: AsyncSession, person_id: UUID, seen: Visibility) -> list[RosterEntry]:
    return list(
        await session.scalars(
            select(RosterEntry)
            .where(
                RosterEntry.person_id == person_id,
                seen.where(RosterEntry.district_code, RosterEntry.insurer_id),
            )
            .order_by(RosterEntry.policy_year)
        )
    )


async def roster(
    session: AsyncSession,
    seen: Visibility,
    *,
    year: int,
    district_code: str | None,
    person_id: UUID | None,
    after: UUID | None,
    limit: int,
) -> list[RosterEntry]:
    query = select(RosterEntry).where(
        RosterEntry.policy_year == year, seen.where(RosterEntry.district_code, RosterEntry.insurer_id)
    )
    if district_code is not None:
        query = query.where(RosterEntry.district_code == district_code)
    if person_id is not None:
        query = query.where(RosterEntry.person_id == person_id)
    if after is not None:
        query = query.where(RosterEntry.id > after)
    return list(await session.scalars(query.order_by(RosterEntry.id).limit(limit)))


async def roster_changes(
    session: AsyncSession,
    seen: Visibility,
    *,
    year: int,
    month: date,
    next_month: date,
    district_code: str | None,
) -> tuple[list[RosterEntry], list[RosterEntry]]:
    """Additions (cover from `month`) and removals (off the roster from `month`), voided entries aside."""
    base = select(RosterEntry).where(
        RosterEntry.policy_year == year,
        seen.where(RosterEntry.district_code, RosterEntry.insurer_id),
        RosterEntry.cover_until.is_(None) | (RosterEntry.cover_until >= RosterEntry.cover_from),
    )
    if district_code is not None:
        base = base.where(RosterEntry.district_code == district_code)
    added = base.where(RosterEntry.cover_from >= month, RosterEntry.cover_from < next_month)
    removed = base.where(
        RosterEntry.cover_until.is_not(None),
        RosterEntry.cover_until + 1 >= month,
        RosterEntry.cover_until + 1 < next_month,
    )
    order = (RosterEntry.district_code, RosterEntry.person_id)
    return (
        list(await session.scalars(added.order_by(*order))),
        list(await session.scalars(removed.order_by(*order))),
    )


# The January roster of a term (or what a late build still finds): everyone whose cover windows overlap
# the term gets one entry, by the same rule as domain.roster.desired_entry. Only people without an entry are
# added (ON CONFLICT DO NOTHING), so a repeated or resumed build adds nothing twice.
BUILD_BATCH = text(
    """
WITH windows AS (
    SELECT b.person_id, b.cover_start, b.cover_end, b.categories, b.end_reason, c.district_code
    FROM beneficiaries b JOIN beneficiary_cases c ON c.case_id = b.case_id
    WHERE b.person_id = ANY(CAST(:person_ids AS uuid[]))
      AND (b.cover_end IS NULL OR b.cover_end >= b.cover_start)
      AND b.cover_start <= CAST(:ends_on AS date)
      AND (b.cover_end IS NULL OR b.cover_end >= CAST(:starts_on AS date))
), desired AS (
    SELECT person_id,
           GREATEST(CAST(:starts_on AS date), MIN(cover_start)) AS cover_from,
           CASE WHEN bool_or(cover_end IS NULL) OR MAX(cover_end) >= CAST(:ends_on AS date) THEN NULL
                ELSE MAX(cover_end) END AS cover_until,
           (array_agg(end_reason ORDER BY cover_end DESC NULLS FIRST))[1] AS end_reason,
           (array_agg(district_code ORDER BY cover_start DESC))[1] AS district_code
    FROM windows GROUP BY person_id
)
INSERT INTO roster_entries (id, person_id, policy_year, insurer_id, district_code, categories, cover_from,
                            cover_until, removal_reason, premium_fen)
SELECT gen_random_uuid(), d.person_id, CAST(:year AS integer), CAST(:insurer_id AS uuid), d.district_code,
       ARRAY(SELECT DISTINCT category FROM windows w, unnest(w.categories) AS category
             WHERE w.person_id = d.person_id ORDER BY category),
       d.cover_from, d.cover_until,
       CASE WHEN d.cover_until IS NULL THEN NULL ELSE COALESCE(d.end_reason, 'case_ended') END,
       CAST(:premium_fen AS bigint) * (13 - CAST(EXTRACT(MONTH FROM d.cover_from) AS integer)) / 12
FROM desired d
WHERE CAST(:districts AS text[]) IS NULL OR d.district_code = ANY(CAST(:districts AS text[]))
ON CONFLICT (person_id, policy_year) DO NOTHING
RETURNING id, person_id, district_code, categories, cover_from, cover_until, removal_reason, premium_fen
"""
)


async def build_batch(session: AsyncSession, parameters: dict[str, object]) -> list[Any]:
    return list(await session.execute(BUILD_BATCH, parameters))


async def mark_built(session: AsyncSession, year: int, districts: Sequence[str], built_by: str) -> None:
    await session.execute(
        insert(RosterBuild)
        .values([{"policy_year": year, "district_code": d, "built_by": built_by} for d in districts])
        .on_conflict_do_nothing()
    )


# Roster against the read model on one day: people covered by a case but not insured, people insured
# without a case, and people on another district's roster than their case's.
RECONCILIATION = text(
    """
WITH active AS (
    SELECT DISTINCT ON (b.person_id) b.person_id, c.district_code
    FROM beneficiaries b JOIN beneficiary_cases c ON c.case_id = b.case_id
    WHERE b.cover_start <= CAST(:as_of AS date) AND (b.cover_end IS NULL OR b.cover_end >= CAST(:as_of AS date))
    ORDER BY b.person_id, b.cover_start DESC
), insured AS (
    SELECT id, person_id, district_code FROM roster_entries
    WHERE policy_year = CAST(:year AS integer) AND cover_from <= CAST(:as_of AS date)
      AND (cover_until IS NULL OR cover_until >= CAST(:as_of AS date))
), differences AS (
    SELECT COALESCE(a.person_id, i.person_id) AS person_id, i.id AS roster_entry_id,
           a.district_code AS case_district, i.district_code AS roster_district,
           CASE WHEN i.person_id IS NULL THEN 'not_insured'
                WHEN a.person_id IS NULL THEN 'not_a_beneficiary'
                ELSE 'district_differs' END AS difference
    FROM active a FULL JOIN insured i ON i.person_id = a.person_id
    WHERE (i.person_id IS NULL OR a.person_id IS NULL OR a.district_code <> i.district_code)
      AND (CAST(:districts AS text[]) IS NULL
           OR i.district_code = ANY(CAST(:districts AS text[]))
           OR a.district_code = ANY(CAST(:districts AS text[])))
)
SELECT (SELECT COALESCE(jsonb_object_agg(difference, n), '{}')
        FROM (SELECT difference, COUNT(*) AS n FROM differences GROUP BY difference) counted) AS counts,
       (SELECT COALESCE(jsonb_agg(to_jsonb(first) ORDER BY first.difference, first.person_id), '[]')
        FROM (SELECT * FROM differences ORDER BY difference, person_id LIMIT :limit) first) AS differences
"""
)


async def reconciliation(
    session: AsyncSession, parameters: dict[str, object], *, limit: int
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """(count per kind of difference, the first `limit` differences)."""
    row = (await session.execute(RECONCILIATION, {**parameters, "limit": limit})).one()
    return dict(row.counts), list(row.differences)


async def exposure_groups(session: AsyncSession, seen: Visibility, year: int) -> list[Any]:
    """Entries of a term grouped by district and cover dates: all the KPIs need from a large roster."""
    return list(
        await session.execute(
            select(
                RosterEntry.district_code,
                RosterEntry.cover_from,
                RosterEntry.cover_until,
                func.count().label("entries"),
                func.sum(RosterEntry.premium_fen).label("premium_fen"),
            )
            .where(
                RosterEntry.policy_year == year,
                seen.where(RosterEntry.district_code, RosterEntry.insurer_id),
            )
            .group_by(RosterEntry.district_code, RosterEntry.cover_from, RosterEntry.cover_until)
        )
    )
