"""Queries of the roster: entries per person and term, the set-based January build, reconciliation
against the read model, and the roster grouped for the KPIs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Row, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.insurance.domain.roster import Gap
from services.insurance.models import CoverGap, RosterBuild, RosterEntry
from services.insurance.repository.visibility import Visibility
from shared.contracts.insurance import InsuredEnrolled, InsuredRemoved
from shared.messaging import bulk

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


async def gaps_of(session: AsyncSession, entry_ids: Sequence[UUID]) -> dict[UUID, tuple[Gap, ...]]:
    """The cover gaps of these entries, in order."""
    if not entry_ids:
        return {}
    found: dict[UUID, tuple[Gap, ...]] = {}
    rows = await session.execute(
        select(CoverGap.roster_entry_id, CoverGap.gap_from, CoverGap.gap_until)
        .where(CoverGap.roster_entry_id.in_(entry_ids))
        .order_by(CoverGap.roster_entry_id, CoverGap.gap_from)
    )
    for entry_id, first, last in rows:
        found[entry_id] = (*found.get(entry_id, ()), (first, last))
    return found


async def replace_gaps(session: AsyncSession, entry_id: UUID, gaps: Sequence[Gap]) -> None:
    await session.execute(delete(CoverGap).where(CoverGap.roster_entry_id == entry_id))
    if gaps:
        await session.execute(
            insert(CoverGap),
            [{"roster_entry_id": entry_id, "gap_from": first, "gap_until": last} for first, last in gaps],
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


ENTRY_COLUMNS = tuple(
    getattr(RosterEntry, name)
    for name in (
        "id",
        "person_id",
        "policy_year",
        "insurer_id",
        "district_code",
        "categories",
        "cover_from",
        "cover_until",
        "removal_reason",
        "premium_fen",
    )
)
"""What a reader of the roster gets of an entry: read as plain rows, not ORM objects."""


async def roster(
    session: AsyncSession,
    seen: Visibility,
    *,
    year: int,
    person_id: UUID | None,
    after: UUID | None,
    limit: int,
) -> list[Row[Any]]:
    query = select(*ENTRY_COLUMNS).where(
        RosterEntry.policy_year == year, seen.where(RosterEntry.district_code, RosterEntry.insurer_id)
    )
    if person_id is not None:
        query = query.where(RosterEntry.person_id == person_id)
    if after is not None:
        query = query.where(RosterEntry.id > after)
    return list(await session.execute(query.order_by(RosterEntry.id).limit(limit)))


async def roster_changes(
    session: AsyncSession,
    seen: Visibility,
    *,
    year: int,
    month: date,
    next_month: date,
    removals: bool,
    chunk: int,
) -> AsyncIterator[Sequence[Row[Any]]]:
    """A month's additions (cover from `month`, or back from it after a gap) or removals (off the roster
    from `month`, for good or for a gap), voided entries aside, by district and person, `chunk` rows at a time from a server-side cursor: memory stays flat
    however large the month (January's additions are the whole January roster)."""
    query = select(*ENTRY_COLUMNS).where(
        RosterEntry.policy_year == year,
        seen.where(RosterEntry.district_code, RosterEntry.insurer_id),
        RosterEntry.cover_until.is_(None) | (RosterEntry.cover_until >= RosterEntry.cover_from),
    )
    # A removal and a re-enrolment within the term are a gap's first day and the day after its last.
    gap = select(CoverGap.roster_entry_id).where(CoverGap.roster_entry_id == RosterEntry.id)
    if removals:
        query = query.where(
            (
                RosterEntry.cover_until.is_not(None)
                & (RosterEntry.cover_until + 1 >= month)
                & (RosterEntry.cover_until + 1 < next_month)
            )
            | gap.where(CoverGap.gap_from >= month, CoverGap.gap_from < next_month).exists()
        )
    else:
        query = query.where(
            ((RosterEntry.cover_from >= month) & (RosterEntry.cover_from < next_month))
            | gap.where(CoverGap.gap_until + 1 >= month, CoverGap.gap_until + 1 < next_month).exists()
        )
    result = await session.stream(
        query.order_by(RosterEntry.district_code, RosterEntry.person_id).execution_options(yield_per=chunk)
    )
    async for rows in result.partitions(chunk):
        yield rows


# The January roster of a term (or what a late build still finds), for the people in one range of ids:
# everyone whose cover windows overlap the term and who has no entry in it gets one, by the same rule as
# domain.roster.desired_entry (gaps between a removal and a re-enrolment included), and its events go to
# the outbox in the same statement. People with an entry are left out before anything is computed, so a
# repeated or resumed build costs about what finding nobody costs; ON CONFLICT covers a racing consumer.
_BUILD_BATCH = """
WITH windows AS (
    SELECT b.person_id, b.cover_start, b.cover_end, b.categories, b.end_reason, c.district_code
    FROM beneficiaries b JOIN beneficiary_cases c ON c.case_id = b.case_id
    WHERE b.person_id >= CAST(:start AS uuid) AND b.person_id <= CAST(:upto AS uuid)
      AND (b.cover_end IS NULL OR b.cover_end >= b.cover_start)
      AND b.cover_start <= CAST(:ends_on AS date)
      AND (b.cover_end IS NULL OR b.cover_end >= CAST(:starts_on AS date))
      AND NOT EXISTS (SELECT FROM roster_entries e
                      WHERE e.person_id = b.person_id AND e.policy_year = CAST(:year AS integer))
), spans AS (
    SELECT person_id, GREATEST(cover_start, CAST(:starts_on AS date)) AS first_day,
           MAX(LEAST(COALESCE(cover_end, CAST(:ends_on AS date)), CAST(:ends_on AS date))) OVER (
               PARTITION BY person_id
               ORDER BY GREATEST(cover_start, CAST(:starts_on AS date)), cover_end NULLS LAST
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
    FROM windows
    WHERE person_id IN (SELECT person_id FROM windows GROUP BY person_id HAVING COUNT(*) > 1)
), gaps AS (
    SELECT person_id, reach + 1 AS gap_from, first_day - 1 AS gap_until FROM spans WHERE first_day > reach + 1
), gap_months AS (
    SELECT person_id, SUM((EXTRACT(YEAR FROM gap_until) - EXTRACT(YEAR FROM gap_from)) * 12
                          + EXTRACT(MONTH FROM gap_until) - EXTRACT(MONTH FROM gap_from) + 1)::int AS months
    FROM gaps GROUP BY person_id
), categories AS (
    SELECT person_id, array_agg(DISTINCT category ORDER BY category) AS categories
    FROM windows, unnest(windows.categories) AS category GROUP BY person_id
), desired AS (
    SELECT person_id,
           GREATEST(CAST(:starts_on AS date), MIN(cover_start)) AS cover_from,
           CASE WHEN bool_or(cover_end IS NULL) OR MAX(cover_end) >= CAST(:ends_on AS date) THEN NULL
                ELSE MAX(cover_end) END AS cover_until,
           (array_agg(end_reason ORDER BY cover_end DESC NULLS FIRST))[1] AS end_reason,
           (array_agg(district_code ORDER BY cover_start DESC))[1] AS district_code
    FROM windows GROUP BY person_id
), added AS (
    INSERT INTO roster_entries (id, person_id, policy_year, insurer_id, district_code, categories, cover_from,
                                cover_until, removal_reason, premium_fen)
    SELECT gen_random_uuid(), d.person_id, CAST(:year AS integer), CAST(:insurer_id AS uuid), d.district_code,
           COALESCE(c.categories, '{}'), d.cover_from, d.cover_until,
           CASE WHEN d.cover_until IS NULL THEN NULL ELSE COALESCE(d.end_reason, 'case_ended') END,
           CAST(:premium_fen AS bigint)
           * (EXTRACT(MONTH FROM COALESCE(d.cover_until, CAST(:ends_on AS date)))::int
              - EXTRACT(MONTH FROM d.cover_from)::int + 1 - COALESCE(g.months, 0)) / 12
    FROM desired d
    LEFT JOIN categories c ON c.person_id = d.person_id
    LEFT JOIN gap_months g ON g.person_id = d.person_id
    WHERE CAST(:districts AS text[]) IS NULL OR d.district_code = ANY(CAST(:districts AS text[]))
    ON CONFLICT (person_id, policy_year) DO NOTHING
    RETURNING id, person_id, district_code, categories, cover_from, cover_until, removal_reason, premium_fen
), gapped AS (
    INSERT INTO cover_gaps (roster_entry_id, gap_from, gap_until)
    SELECT a.id, g.gap_from, g.gap_until FROM added a JOIN gaps g ON g.person_id = a.person_id
), events AS (
    -- the bodies of services.insurance.service.enrolment.enrolled and .removed, field for field
    SELECT a.person_id, 0 AS step, CAST(:enrolled_topic AS text) AS topic, CAST(:enrolled_type AS text) AS type,
           CAST(a.person_id AS text) AS key, CAST(a.person_id AS text) AS subject,
           jsonb_build_object('roster_entry_id', a.id, 'person_id', a.person_id,
                              'policy_year', CAST(:year AS integer), 'insurer_id', CAST(:insurer_id AS uuid),
                              'district_code', a.district_code, 'type', CAST(:enrolled_type AS text),
                              'categories', to_jsonb(a.categories), 'cover_from', a.cover_from,
                              'premium_fen', a.premium_fen) AS payload
    FROM added a
    UNION ALL
    SELECT a.person_id, 1, CAST(:removed_topic AS text), CAST(:removed_type AS text),
           CAST(a.person_id AS text), CAST(a.person_id AS text),
           jsonb_build_object('roster_entry_id', a.id, 'person_id', a.person_id,
                              'policy_year', CAST(:year AS integer), 'insurer_id', CAST(:insurer_id AS uuid),
                              'district_code', a.district_code, 'type', CAST(:removed_type AS text),
                              'cover_until', GREATEST(a.cover_until, a.cover_from),
                              'reason', COALESCE(a.removal_reason, 'case_ended'))
    FROM added a WHERE a.cover_until IS NOT NULL
), sent AS (
    {insert_events} RETURNING 1
)
SELECT (SELECT COUNT(*) FROM added) AS added, (SELECT COUNT(*) FROM sent) AS events
"""
BUILD_BATCH = text(
    _BUILD_BATCH.replace("{insert_events}", bulk.insert_events("events", order="person_id, step"))
)

NO_PERSON = UUID(int=0)
"""Below every person id: where a build starts."""


async def build_batch(session: AsyncSession, parameters: dict[str, object]) -> tuple[int, int]:
    """(entries added, events written) for the people in [`start`, `upto`]."""
    row = (
        await session.execute(
            BUILD_BATCH,
            {
                **parameters,
                **bulk.contract(InsuredEnrolled, "enrolled"),
                **bulk.contract(InsuredRemoved, "removed"),
            },
        )
    ).one()
    return int(row.added), int(row.events)


async def next_unrostered(
    session: AsyncSession, *, after: UUID, year: int, starts_on: date, ends_on: date
) -> UUID | None:
    """The first person after `after` whom a window covers during the term and who has no entry in it: where
    the next batch starts. None: nobody is left, so a repeated build stops after one pass over the windows."""
    first: UUID | None = await session.scalar(
        text(
            """
SELECT b.person_id FROM beneficiaries b
WHERE b.person_id > :after AND b.cover_start <= :ends_on AND (b.cover_end IS NULL OR b.cover_end >= :starts_on)
  AND (b.cover_end IS NULL OR b.cover_end >= b.cover_start)
  AND NOT EXISTS (SELECT FROM roster_entries e WHERE e.person_id = b.person_id AND e.policy_year = :year)
ORDER BY b.person_id LIMIT 1
"""
        ),
        {"after": after, "year": year, "starts_on": starts_on, "ends_on": ends_on},
    )
    return first


async def batch_end(session: AsyncSession, *, start: UUID, size: int) -> UUID:
    """The last person id of the `size` people from `start` on who have a cover window."""
    last: UUID = await session.scalar(
        text(
            "SELECT person_id FROM (SELECT DISTINCT person_id FROM beneficiaries "
            "WHERE person_id >= :start ORDER BY person_id LIMIT :size) AS batch ORDER BY person_id DESC LIMIT 1"
        ),
        {"start": start, "size": size},
    )
    return last


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


async def gap_groups(session: AsyncSession, seen: Visibility, year: int) -> list[Any]:
    """The term's cover gaps grouped by district and dates, beside `exposure_groups`."""
    return list(
        await session.execute(
            select(
                RosterEntry.district_code,
                CoverGap.gap_from,
                CoverGap.gap_until,
                func.count().label("entries"),
            )
            .join(CoverGap, CoverGap.roster_entry_id == RosterEntry.id)
            .where(
                RosterEntry.policy_year == year,
                seen.where(RosterEntry.district_code, RosterEntry.insurer_id),
            )
            .group_by(RosterEntry.district_code, CoverGap.gap_from, CoverGap.gap_until)
        )
    )
