"""Queries of the standards and of the set-based recalculation of cases."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import TypeAdapter
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.domain.standards import Standards
from services.eligibility.models import (
    Case,
    Household,
    Recalculation,
    ReviewFlag,
    Standard,
)
from shared.contracts.eligibility import CASE_TOPIC
from shared.db import Scope, in_scope

STANDARDS = TypeAdapter(Standards)


def standards_of(row: Standard) -> Standards:
    return STANDARDS.validate_python({**row.parameters, "effective_from": row.effective_from})


def parameters_of(standards: Standards) -> dict[str, Any]:
    dumped: dict[str, Any] = STANDARDS.dump_python(standards, mode="json")
    dumped.pop("effective_from")
    return dumped


async def city_standards(session: AsyncSession) -> list[Standard]:
    rows = await session.scalars(
        select(Standard).where(Standard.district_code.is_(None)).order_by(Standard.effective_from)
    )
    return list(rows)


async def standard_in_force(session: AsyncSession, day: date) -> Standard | None:
    return await session.scalar(
        select(Standard)
        .where(Standard.district_code.is_(None), Standard.effective_from <= day)
        .order_by(Standard.effective_from.desc())
        .limit(1)
    )


async def city_standards_in_force_between(session: AsyncSession, first: date, last: date) -> list[Standard]:
    """The city-wide standards in force on some day from `first` to `last`, oldest first, in one statement:
    the one in force on `first` (if any) and every one taking effect after it, up to `last`."""
    in_force_on_first = (
        select(func.max(Standard.effective_from))
        .where(Standard.district_code.is_(None), Standard.effective_from <= first)
        .scalar_subquery()
    )
    rows = await session.scalars(
        select(Standard)
        .where(
            Standard.district_code.is_(None),
            Standard.effective_from <= last,
            Standard.effective_from >= func.coalesce(in_force_on_first, first),
        )
        .order_by(Standard.effective_from)
    )
    return list(rows)


async def district_override_in_force(session: AsyncSession, day: date, district_code: str) -> Standard | None:
    return await session.scalar(
        select(Standard)
        .where(Standard.district_code == district_code, Standard.effective_from <= day)
        .order_by(Standard.effective_from.desc())
        .limit(1)
    )


async def count_cases_to_recalculate(session: AsyncSession, effective_from: date) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Case)
            .join(Standard, Standard.id == Case.standard_id)
            .where(Case.status == "active", Standard.effective_from < effective_from)
        )
        or 0
    )


async def unfinished_recalculations(session: AsyncSession) -> list[UUID]:
    return list(
        await session.scalars(select(Recalculation.standard_id).where(Recalculation.status != "done"))
    )


async def recalculation_for(session: AsyncSession, standard_id: UUID) -> Recalculation | None:
    return await session.scalar(
        select(Recalculation).where(Recalculation.standard_id == standard_id).with_for_update()
    )


# One batch of the recalculation after a standard change, in one statement: new components per
# beneficiary, new case totals, and a CaseAmountChanged in the outbox for every case that changed.
# Cases already computed at this standard (or a later one) are not selected, so a second run is a
# no-op; the keyset cursor makes a crashed run resume where it stopped.
#
# The dibao amount is the domain's formula (services/eligibility/domain/dibao.py), in integers: the
# household's base `(line − counted / (12 × members)) × covered` is evaluated exactly and rounded
# once, half up, as floor((2p + q) / 2q) with p = (12 × line × members − counted) × covered and
# q = 12 × members (all non-negative, so integer division is floor); it is split so that the lines add
# up to it, the first `base % covered` beneficiaries by person id getting one fen more, and a minimum
# payment tops up the first of them, as the domain does in the order the service gives it.
RECALCULATE_BATCH = text(
    """
WITH batch AS (
    SELECT c.id, c.program, c.counted_income_twelfths, c.income_members, c.start_month,
           CASE c.area WHEN 'urban' THEN CAST(:dibao_urban_fen AS bigint)
                       ELSE CAST(:dibao_rural_fen AS bigint) END AS line
    FROM cases c JOIN standards s ON s.id = c.standard_id
    WHERE c.status = 'active' AND s.effective_from < CAST(:effective_from AS date)
      AND (CAST(:cursor AS uuid) IS NULL OR c.id > CAST(:cursor AS uuid))
    ORDER BY c.id
    LIMIT :batch_size
    FOR UPDATE OF c
), covered AS (
    SELECT cb.case_id, cb.person_id, b.program,
           cb.base_fen AS old_base, cb.add_on_fen AS old_add_on, cb.care_subsidy_fen AS old_care,
           ROW_NUMBER() OVER (PARTITION BY cb.case_id ORDER BY cb.person_id) AS share_rank,
           COUNT(*) OVER (PARTITION BY cb.case_id) AS covered,
           (2 * GREATEST(12 * b.line * b.income_members - b.counted_income_twelfths, 0)
              * COUNT(*) OVER (PARTITION BY cb.case_id) + 12 * b.income_members)
             / (24 * b.income_members) AS household_base,
           CASE WHEN b.program = 'dibao' THEN
                 (CASE WHEN 'disabled' = ANY(cb.add_on_kinds) THEN CAST(:add_on_disabled_fen AS bigint) ELSE 0 END)
               + (CASE WHEN 'severe' = ANY(cb.add_on_kinds) THEN CAST(:add_on_severe_fen AS bigint) ELSE 0 END)
               + (CASE WHEN 'child_student' = ANY(cb.add_on_kinds) THEN CAST(:add_on_child_student_fen AS bigint) ELSE 0 END)
           ELSE 0 END AS add_on_fen,
           CASE cb.care_level
               WHEN 'full_care' THEN CAST(:care_subsidy_full_fen AS bigint)
               WHEN 'half_care' THEN CAST(:care_subsidy_half_fen AS bigint)
               WHEN 'self_caring' THEN CAST(:care_subsidy_self_fen AS bigint)
               ELSE 0
           END AS care_subsidy_fen
    FROM case_beneficiaries cb JOIN batch b ON b.id = cb.case_id
    WHERE cb.active
), shares AS (
    SELECT x.*,
           x.household_base / x.covered
             + CASE WHEN x.share_rank <= x.household_base % x.covered THEN 1 ELSE 0 END AS base_share,
           GREATEST(CAST(:minimum_payment_fen AS bigint)
                    - x.household_base - SUM(x.add_on_fen) OVER (PARTITION BY x.case_id), 0) AS top_up
    FROM covered x
), computed AS (
    SELECT case_id, person_id, old_base, old_add_on, old_care, add_on_fen, care_subsidy_fen,
           CASE program
               WHEN 'dibao' THEN base_share + CASE WHEN share_rank = 1 THEN top_up ELSE 0 END
               ELSE CAST(:tekun_basic_fen AS bigint)
           END AS base_fen
    FROM shares
), updated AS (
    UPDATE case_beneficiaries cb
    SET base_fen = x.base_fen, add_on_fen = x.add_on_fen, care_subsidy_fen = x.care_subsidy_fen
    FROM computed x
    WHERE cb.case_id = x.case_id AND cb.person_id = x.person_id
      AND (x.base_fen, x.add_on_fen, x.care_subsidy_fen) IS DISTINCT FROM (x.old_base, x.old_add_on, x.old_care)
), totals AS (
    SELECT case_id,
           SUM(base_fen + add_on_fen + care_subsidy_fen) AS total,
           BOOL_OR((base_fen, add_on_fen, care_subsidy_fen) IS DISTINCT FROM (old_base, old_add_on, old_care)) AS changed,
           JSONB_AGG(JSONB_BUILD_OBJECT(
               'person_id', person_id, 'base_fen', base_fen, 'add_on_fen', add_on_fen,
               'care_subsidy_fen', care_subsidy_fen, 'total_fen', base_fen + add_on_fen + care_subsidy_fen
           ) ORDER BY person_id) AS beneficiaries
    FROM computed GROUP BY case_id
), cases_updated AS (
    UPDATE cases c SET monthly_amount_fen = COALESCE(t.total, 0), standard_id = CAST(:standard_id AS uuid)
    FROM batch b LEFT JOIN totals t ON t.case_id = b.id
    WHERE c.id = b.id
), events AS (
    INSERT INTO outbox (event_id, topic, key, type, source, subject, occurred_at, payload, correlation_id)
    SELECT gen_random_uuid(), :topic, b.id::text, 'CaseAmountChanged', :source, b.id::text, now(),
           JSONB_BUILD_OBJECT(
               'case_id', b.id,
               'type', 'CaseAmountChanged',
               'from_month', TO_CHAR(GREATEST(CAST(:from_month AS date), b.start_month), 'YYYY-MM'),
               'beneficiaries', t.beneficiaries,
               'monthly_amount_fen', t.total,
               'back_pay_months', COALESCE((
                   SELECT JSONB_AGG(TO_CHAR(month, 'YYYY-MM') ORDER BY month)
                   FROM GENERATE_SERIES(GREATEST(CAST(:from_month AS date), b.start_month),
                                        CAST(:decided_month AS date), INTERVAL '1 month') AS month
               ), '[]'::jsonb),
               'reason', 'standard_change',
               'standard_id', CAST(:standard_id AS uuid),
               'decided_on', CAST(:decided_on AS date)
           ),
           :correlation_id
    FROM batch b JOIN totals t ON t.case_id = b.id
    WHERE t.changed
    RETURNING 1
)
SELECT (SELECT id FROM batch ORDER BY id DESC LIMIT 1) AS last_id,
       (SELECT COUNT(*) FROM batch) AS cases,
       (SELECT COUNT(*) FROM events) AS changed
"""
)


async def recalculate_batch(
    session: AsyncSession, parameters: dict[str, Any]
) -> tuple[UUID | None, int, int]:
    """Run one batch; returns (last case id, cases recalculated, cases whose amounts changed)."""
    # A batch touches a few thousand beneficiaries out of millions: with the default page costs the
    # planner scans the whole table twice per batch (bench/RESULTS.md); index lookups are 3x faster.
    await session.execute(text("SET LOCAL random_page_cost = 1.1"))
    row = (await session.execute(RECALCULATE_BATCH, {"topic": CASE_TOPIC, **parameters})).one()
    return row.last_id, int(row.cases), int(row.changed)


# Near-line households (漏保 risk): per-capita income at or above the old standard but below the new
# one, and no active dibao case. The flag asks a caseworker to re-assess; it decides nothing.
# Compared exactly, in integers (income against line × members); the stored per-capita income is
# floored, for display only.
FLAG_NEWLY_QUALIFYING = text(
    """
WITH sizes AS (
    SELECT household_id, COUNT(*) AS members FROM household_members GROUP BY household_id
), candidates AS (
    SELECT h.id, h.monthly_income_fen AS income, s.members,
           CASE h.area WHEN 'urban' THEN CAST(:new_urban AS bigint) ELSE CAST(:new_rural AS bigint) END AS new_line,
           CASE h.area WHEN 'urban' THEN CAST(:old_urban AS bigint) ELSE CAST(:old_rural AS bigint) END AS old_line
    FROM households h JOIN sizes s ON s.household_id = h.id
    WHERE NOT EXISTS (
        SELECT 1 FROM cases c WHERE c.household_id = h.id AND c.program = 'dibao' AND c.status = 'active'
    )
), flagged AS (
    INSERT INTO review_flags (household_id, standard_id, reason, per_capita_income_fen)
    SELECT id, CAST(:standard_id AS uuid), 'newly_qualifies', income / members
    FROM candidates WHERE income < new_line * members AND income >= old_line * members
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT COUNT(*) FROM flagged
"""
)


async def flag_newly_qualifying(session: AsyncSession, parameters: dict[str, Any]) -> int:
    return int(await session.scalar(FLAG_NEWLY_QUALIFYING, parameters) or 0)


async def review_flags(
    session: AsyncSession, standard_id: UUID, scope: Scope
) -> list[tuple[ReviewFlag, str]]:
    query = (
        select(ReviewFlag, Household.district_code)
        .join(Household, Household.id == ReviewFlag.household_id)
        .where(ReviewFlag.standard_id == standard_id)
        .order_by(Household.district_code, ReviewFlag.per_capita_income_fen)
    )
    query = query.where(in_scope(Household.district_code, scope))
    return [(flag, district) for flag, district in await session.execute(query)]


async def standard_before(session: AsyncSession, day: date) -> Standard | None:
    return await session.scalar(
        select(Standard)
        .where(Standard.district_code.is_(None), Standard.effective_from < day)
        .order_by(Standard.effective_from.desc())
        .limit(1)
    )
