"""The KPI queries: each KPI's numerator and denominator per district in one set-based statement over the read
models, findings and problems; and the targets an admin set (docs/oversight.md, KPIs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.oversight.domain.kpis import ACCIDENT_REPORT_DAYS, PAYMENT_DAY, KpiName, Period
from services.oversight.models import KpiTarget
from shared.db import Scope

PerDistrict = dict[str, tuple[float, float | None]]
"""district → (numerator, denominator); the denominator is None for a count."""

IN_SCOPE = "(CAST(:districts AS text[]) IS NULL OR {column} = ANY(CAST(:districts AS text[])))"
"""`{column}` within the caller's districts (`:districts` NULL: every district)."""

COVERED = "b.covered_from <= :m AND (b.ended_from IS NULL OR b.ended_from > :m)"
"""A beneficiary `b` covered in the month `:m`, the month of `as_of` (months are stored as their first day)."""

LOCAL_DAY = "CAST(({column} AT TIME ZONE 'Asia/Shanghai') AS date)"
"""The bureau's business day of a moment `{column}` (shared.clock.BUSINESS_ZONE)."""

# Only the constant fragments above are formatted in; every value is a bound parameter.
_QUERIES: dict[KpiName, str] = {
    "coverage": f"""
    WITH covered AS (
        SELECT c.district_code, count(DISTINCT b.person_id) AS n
        FROM beneficiaries b JOIN cases c ON c.case_id = b.case_id
        WHERE {COVERED} AND {IN_SCOPE.format(column="c.district_code")}
        GROUP BY c.district_code
    ), covered_keys AS (
        SELECT DISTINCT hm.match_key
        FROM beneficiaries b JOIN cases c ON c.case_id = b.case_id
        JOIN household_members hm ON hm.household_id = c.household_id AND hm.person_id = b.person_id
        WHERE {COVERED}
    ), missed AS (
        SELECT f.district_code, count(*) AS n
        FROM findings f
        LEFT JOIN covered_keys k ON k.match_key = decode(substr(f.subject, 7), 'hex')
        WHERE f.rule = 'missed' AND f.first_found_on <= :as_of AND k.match_key IS NULL
          AND {IN_SCOPE.format(column="f.district_code")}
        GROUP BY f.district_code
    )
    SELECT district_code, coalesce(covered.n, 0), coalesce(covered.n, 0) + coalesce(missed.n, 0)
    FROM covered FULL JOIN missed USING (district_code)
    """,  # noqa: S608
    "decision_timeliness": f"""
    SELECT c.district_code, count(*) FILTER (WHERE c.decided_on <= c.decision_due), count(*)
    FROM cases c
    WHERE c.decided_on BETWEEN :first AND :as_of AND c.decision_due IS NOT NULL
      AND {IN_SCOPE.format(column="c.district_code")}
    GROUP BY c.district_code
    """,  # noqa: S608
    "temporary_response_days": f"""
    SELECT g.district_code, sum(g.granted_on - g.applied_on), count(*)
    FROM temporary_grants g
    WHERE g.granted_on BETWEEN :first AND :as_of AND g.applied_on IS NOT NULL
      AND {IN_SCOPE.format(column="g.district_code")}
    GROUP BY g.district_code
    """,  # noqa: S608
    "payment_timeliness": f"""
    SELECT c.district_code, count(*) FILTER (WHERE due.on_time), count(*)
    FROM (
        SELECT p.case_id, p.person_id, p.benefit, p.month,
               bool_or(p.status = 'disbursed' AND p.reported_on <= p.month + {PAYMENT_DAY - 1}) AS on_time
        FROM payments p
        WHERE p.benefit IN ('dibao', 'tekun') AND p.month BETWEEN :first AND :last
          AND p.month + {PAYMENT_DAY - 1} <= :as_of
        GROUP BY p.case_id, p.person_id, p.benefit, p.month
    ) due
    JOIN cases c ON c.case_id = due.case_id
    WHERE {IN_SCOPE.format(column="c.district_code")}
    GROUP BY c.district_code
    """,  # noqa: S608
    "care_rate": f"""
    WITH disabled AS (
        SELECT DISTINCT c.district_code, b.person_id
        FROM beneficiaries b JOIN cases c ON c.case_id = b.case_id
        JOIN LATERAL (
            SELECT cl.care_level FROM care_levels cl
            WHERE cl.case_id = b.case_id AND cl.person_id = b.person_id AND cl.assessed_on <= :as_of
            ORDER BY cl.assessed_on DESC LIMIT 1
        ) level ON level.care_level IN ('half_care', 'full_care')
        WHERE c.program = 'tekun' AND {COVERED} AND {IN_SCOPE.format(column="c.district_code")}
    )
    SELECT d.district_code,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM placements pl
               WHERE pl.person_id = d.person_id AND pl.admitted_on <= :as_of
                 AND (pl.left_on IS NULL OR pl.left_on > :as_of))),
           count(*)
    FROM disabled d
    GROUP BY d.district_code
    """,  # noqa: S608
    "insurance_timeliness": f"""
    SELECT r.district_code,
           count(*) FILTER (WHERE cl.reported_on - cl.incident_date <= {ACCIDENT_REPORT_DAYS}), count(*)
    FROM claims cl JOIN roster_entries r ON r.roster_entry_id = cl.roster_entry_id
    WHERE cl.cover_type = 'accident' AND cl.reported_on BETWEEN :first AND :as_of
      AND {IN_SCOPE.format(column="r.district_code")}
    GROUP BY r.district_code
    """,  # noqa: S608
    "claim_rate": f"""
    WITH exposure AS (
        SELECT r.district_code,
               sum(greatest(0, least(coalesce(r.cover_until, make_date(r.policy_year, 12, 31)), :as_of)
                               - greatest(r.cover_from, :first) + 1)
                   / CAST(make_date(r.policy_year, 12, 31) - make_date(r.policy_year, 1, 1) + 1 AS numeric))
                   AS person_years
        FROM roster_entries r
        WHERE r.cover_from IS NOT NULL AND {IN_SCOPE.format(column="r.district_code")}
        GROUP BY r.district_code
    ), reported AS (
        SELECT r.district_code, count(*) AS n
        FROM claims cl JOIN roster_entries r ON r.roster_entry_id = cl.roster_entry_id
        WHERE cl.reported_on BETWEEN :first AND :as_of AND {IN_SCOPE.format(column="r.district_code")}
        GROUP BY r.district_code
    )
    SELECT district_code, coalesce(reported.n, 0), coalesce(exposure.person_years, 0)
    FROM exposure FULL JOIN reported USING (district_code)
    """,  # noqa: S608
    "open_problems": f"""
    SELECT district_code, count(*), NULL
    FROM problems
    WHERE {LOCAL_DAY.format(column="opened_at")} <= :as_of
      AND (closed_at IS NULL OR {LOCAL_DAY.format(column="closed_at")} > :as_of)
      AND {IN_SCOPE.format(column="district_code")}
    GROUP BY district_code
    """,  # noqa: S608
    "overdue_problems": f"""
    SELECT district_code, count(*), NULL
    FROM problems
    WHERE deadline < :as_of AND {LOCAL_DAY.format(column="rectification_at")} <= :as_of
      AND (closed_at IS NULL OR {LOCAL_DAY.format(column="closed_at")} > :as_of)
      AND {IN_SCOPE.format(column="district_code")}
    GROUP BY district_code
    """,  # noqa: S608
    "findings_per_1000_cases": f"""
    WITH active AS (
        SELECT c.district_code, count(DISTINCT c.case_id) AS n
        FROM cases c JOIN beneficiaries b ON b.case_id = c.case_id
        WHERE {COVERED} AND {IN_SCOPE.format(column="c.district_code")}
        GROUP BY c.district_code
    ), found AS (
        SELECT district_code, count(*) AS n
        FROM findings
        WHERE first_found_on BETWEEN :first AND :as_of AND {IN_SCOPE.format(column="district_code")}
        GROUP BY district_code
    )
    SELECT district_code, coalesce(found.n, 0), coalesce(active.n, 0)
    FROM active FULL JOIN found USING (district_code)
    """,  # noqa: S608
}


def bind(period: Period, scope: Scope) -> dict[str, Any]:
    return {
        "first": period.first,
        "last": period.last,
        "as_of": period.as_of,
        "m": period.as_of_month,
        "districts": None if scope is None else sorted(scope),
    }


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


async def counts(session: AsyncSession, kpi: KpiName, period: Period, scope: Scope) -> PerDistrict:
    """The KPI's numerator and denominator per district of `scope` (None: every district)."""
    rows = await session.execute(text(_QUERIES[kpi]), bind(period, scope))
    return {district: (float(n), _number(d)) for district, n, d in rows}


async def targets(session: AsyncSession, on: date) -> dict[tuple[str, str], float]:
    """(kpi, scope) → the target set for it that holds on `on` (the latest from on or before it)."""
    rows = await session.execute(
        select(KpiTarget.kpi, KpiTarget.scope, KpiTarget.target)
        .where(KpiTarget.effective_from <= on)
        .order_by(KpiTarget.effective_from)
    )
    return {(kpi, scope): float(target) for kpi, scope, target in rows}  # in date order: the latest wins


async def set_target(
    session: AsyncSession, *, kpi: str, scope: str, effective_from: date, target: float, by: str, at: datetime
) -> None:
    """A target from a day on; setting the same KPI, scope and day again replaces it."""
    values = {"kpi": kpi, "scope": scope, "effective_from": effective_from, "target": target}
    statement = insert(KpiTarget).values(**values, set_by=by, set_at=at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[KpiTarget.kpi, KpiTarget.scope, KpiTarget.effective_from],
            set_={
                "target": statement.excluded.target,
                "set_by": statement.excluded.set_by,
                "set_at": statement.excluded.set_at,
            },
        )
    )
