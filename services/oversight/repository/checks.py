"""The checks as set-based SQL over the read models and imports: one INSERT … SELECT per rule, which turns
every hit into a finding, or refreshes the one an earlier run made (one per rule and subject).

The SQL is assembled from this module's constants only (no input reaches it: values are bound), hence the
S608 exemptions. Every rule's `hits` has the columns subject, district_code, case_id, person_id, evidence (JSON of ids, dates,
amounts and counts; import rows as "<import id>#<row>"). Shared sets:
- `ongoing`: beneficiaries not ended by the run's month, in every district (a duplicate may be elsewhere);
- `active`: those covered in the run's month, in the run's district; `active_cases` their cases;
- `members`: every member of an active case's household, with their match key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.oversight.models import CheckRun
from shared.contracts.oversight import Rule

# `p` is NOT MATERIALIZED: inlined, its bound values are constants the planner sees (a city-wide run's
# `district IS NULL` is true, the month is known) and it estimates each set's size from the tables' statistics.
# Materialized (the default for a CTE referenced more than once), every set was guessed at ~2% of its size and
# joined by nested loops: R9 took 33 s over 100,000 beneficiaries.
_COMMON = """
WITH p AS NOT MATERIALIZED (
    SELECT CAST(:as_of AS date) AS as_of, CAST(:month AS date) AS month, CAST(:district AS text) AS district,
           CAST(:urban_fen AS bigint) AS urban_fen, CAST(:rural_fen AS bigint) AS rural_fen,
           CAST(:housing_area AS numeric) AS housing_area, CAST(:vehicle_exempt_fen AS bigint) AS vehicle_exempt_fen,
           CAST(:asset_months AS bigint) AS asset_months, CAST(:home_years AS int) AS home_years,
           CAST(:premium_months AS bigint) AS premium_months, CAST(:split_months AS int) AS split_months
),
ongoing AS (
    SELECT c.case_id, c.household_id, c.program, c.district_code, c.decided_on, c.next_review_due,
           b.person_id, b.covered_from
    FROM cases c JOIN beneficiaries b ON b.case_id = c.case_id, p
    WHERE b.ended_from IS NULL OR b.ended_from > p.month
),
active AS (
    SELECT ongoing.* FROM ongoing, p
    WHERE ongoing.covered_from <= p.month AND (p.district IS NULL OR ongoing.district_code = p.district)
),
active_cases AS (
    SELECT DISTINCT case_id, household_id, program, district_code, decided_on, next_review_due FROM active
),
members AS (
    SELECT ac.case_id, ac.household_id, ac.district_code, hm.person_id, hm.match_key
    FROM active_cases ac JOIN household_members hm ON hm.household_id = ac.household_id
),
hits AS (
"""

_ROW = "er.import_id::text || '#' || er.row_number"
_CASE_PERSON = "'case:' || {0}.case_id || '/person:' || {0}.person_id AS subject"
_STANDARD = "CASE h.area WHEN 'urban' THEN p.urban_fen ELSE p.rural_fen END"

_EXTERNAL_PER_MEMBER = f"""
    SELECT {_CASE_PERSON.format("m")}, m.district_code, m.case_id, m.person_id,
           jsonb_build_object({{evidence}}, 'import_rows', jsonb_agg({_ROW} ORDER BY {_ROW})) AS evidence
    FROM members m
    JOIN households h ON h.household_id = m.household_id
    JOIN external_records er ON er.source = '{{source}}' AND er.match_key = m.match_key, p
    WHERE {{where}}
    GROUP BY m.case_id, m.person_id, m.district_code
"""  # noqa: S608

RULES: dict[Rule, str] = {
    "R1": _EXTERNAL_PER_MEMBER.format(
        source="vehicles",
        evidence="'vehicle_types', jsonb_agg(DISTINCT er.kind), 'highest_value_fen', max(er.amount_fen)",
        where="er.kind <> 'disabled_mobility' "
        "AND NOT (er.amount_fen <= p.vehicle_exempt_fen AND h.vehicle_exemption_evidenced)",
    ),
    "R2": f"""
    SELECT 'case:' || m.case_id AS subject, m.district_code, m.case_id, NULL::uuid AS person_id,
           jsonb_build_object(
               'dwellings', count(*) FILTER (WHERE er.kind = 'dwelling'),
               'dwelling_area_per_person_m2',
               round(coalesce(sum(er.area_m2) FILTER (WHERE er.kind = 'dwelling'), 0) / h.member_count, 2)::text,
               'shop_fronts', count(*) FILTER (WHERE er.kind = 'shop_front'),
               'import_rows', jsonb_agg({_ROW} ORDER BY {_ROW})) AS evidence
    FROM members m
    JOIN households h ON h.household_id = m.household_id
    JOIN external_records er ON er.source = 'real_estate' AND er.match_key = m.match_key, p
    GROUP BY m.case_id, m.district_code, h.household_id, p.housing_area
    HAVING count(*) FILTER (WHERE er.kind = 'shop_front') > 0
        OR (count(*) FILTER (WHERE er.kind = 'dwelling') >= 2
            AND coalesce(sum(er.area_m2) FILTER (WHERE er.kind = 'dwelling'), 0)
                > 3 * p.housing_area * h.member_count)
    """,  # noqa: S608
    "R3": _EXTERNAL_PER_MEMBER.format(
        source="business", evidence="'roles', jsonb_agg(DISTINCT er.kind)", where="er.detail = 'active'"
    ),
    "R4": f"""
    SELECT 'case:' || ac.case_id AS subject, ac.district_code, ac.case_id, NULL::uuid AS person_id,
           jsonb_build_object('financial_assets_fen', h.financial_assets_fen, 'members', h.member_count,
                              'limit_per_person_fen', p.asset_months * {_STANDARD}) AS evidence
    FROM active_cases ac JOIN households h ON h.household_id = ac.household_id, p
    WHERE h.financial_assets_fen > p.asset_months * {_STANDARD} * h.member_count
    """,  # noqa: S608
    "R5": _EXTERNAL_PER_MEMBER.format(
        source="payroll",
        evidence="'employer_kinds', jsonb_agg(DISTINCT er.kind), 'monthly_wage_fen', sum(er.amount_fen), "
        "'declared_income_fen', max(h.monthly_income_fen), "
        "'wages_exceed_declared', sum(er.amount_fen) > max(h.monthly_income_fen)",
        where="true",
    ),
    "R6": f"""
    SELECT {_CASE_PERSON.format("d")}, d.district_code, d.case_id, d.person_id,
           jsonb_build_object('died_on', d.died_on::text, 'import_rows', d.import_rows,
                              'payment_ids', jsonb_agg(pay.payment_id::text ORDER BY pay.month),
                              'months', jsonb_agg(to_char(pay.month, 'YYYY-MM') ORDER BY pay.month),
                              'paid_fen', sum(pay.amount_fen),
                              'overpayment_ids', coalesce(jsonb_agg(o.overpayment_id::text)
                                                  FILTER (WHERE o.overpayment_id IS NOT NULL), '[]')) AS evidence
    FROM (
        SELECT DISTINCT c.case_id, c.district_code, b.person_id, dead.died_on, dead.import_rows
        FROM cases c
        JOIN beneficiaries b ON b.case_id = c.case_id
        JOIN household_members hm ON hm.household_id = c.household_id AND hm.person_id = b.person_id
        JOIN (SELECT er.match_key, min(er.on_date) AS died_on, jsonb_agg({_ROW} ORDER BY {_ROW}) AS import_rows
              FROM external_records er WHERE er.source = 'deaths' GROUP BY er.match_key) dead
          ON dead.match_key = hm.match_key, p
        WHERE p.district IS NULL OR c.district_code = p.district
    ) d
    JOIN payments pay ON pay.case_id = d.case_id AND pay.person_id = d.person_id AND pay.status = 'disbursed'
                     AND pay.month > date_trunc('month', d.died_on)::date
    LEFT JOIN overpayments o ON o.payment_id = pay.payment_id
    GROUP BY d.case_id, d.person_id, d.district_code, d.died_on, d.import_rows
    """,  # noqa: S608
    "R7": f"""
    SELECT {_CASE_PERSON.format("m")}, m.district_code, m.case_id, m.person_id,
           jsonb_build_object('custody', jsonb_agg(DISTINCT er.kind), 'since', min(er.on_date)::text,
                              'import_rows', jsonb_agg({_ROW} ORDER BY {_ROW})) AS evidence
    FROM members m
    JOIN active a ON a.case_id = m.case_id AND a.person_id = m.person_id
    JOIN external_records er ON er.source = 'prisons' AND er.match_key = m.match_key, p
    WHERE er.on_date <= p.as_of AND (er.until_date IS NULL OR er.until_date >= p.as_of)
    GROUP BY m.case_id, m.person_id, m.district_code
    """,  # noqa: S608
    "R8": f"""
    SELECT {_CASE_PERSON.format("a")}, a.district_code, a.case_id, a.person_id,
           jsonb_build_object('other_case_ids', jsonb_agg(o.case_id::text ORDER BY o.case_id),
                              'programs', jsonb_agg(DISTINCT o.program),
                              'districts', jsonb_agg(DISTINCT o.district_code)) AS evidence
    FROM active a JOIN ongoing o ON o.person_id = a.person_id AND o.case_id <> a.case_id
    GROUP BY a.case_id, a.person_id, a.district_code
    """,  # noqa: S608
    "R9": f"""
    SELECT {_CASE_PERSON.format("m")}, m.district_code, m.case_id, m.person_id,
           jsonb_build_object('staff_person_ids', jsonb_agg(DISTINCT staff.person_id::text),
                              'staff_kinds', jsonb_agg(DISTINCT staff.kind)) AS evidence
    FROM members m
    JOIN active a ON a.case_id = m.case_id AND a.person_id = m.person_id
    JOIN (SELECT DISTINCT sm.case_id, sm.person_id, er.kind
          FROM members sm JOIN external_records er ON er.source = 'payroll' AND er.match_key = sm.match_key
          WHERE er.kind IN ('civil_affairs', 'village_cadre')) staff
      ON staff.case_id = m.case_id AND staff.person_id <> m.person_id
    WHERE NOT EXISTS (SELECT 1 FROM staff_relatives r WHERE r.match_key = m.match_key)
    GROUP BY m.case_id, m.person_id, m.district_code
    """,  # noqa: S608
    "R10": f"""
    SELECT 'case:' || ac.case_id AS subject, ac.district_code, ac.case_id, NULL::uuid AS person_id,
           jsonb_build_object('homes_acquired', count(er.id), 'study_abroad_self_funded', h.study_abroad_self_funded,
                              'premiums_fen_per_year', h.premiums_fen_per_year,
                              'import_rows', coalesce(jsonb_agg({_ROW} ORDER BY {_ROW})
                                                      FILTER (WHERE er.id IS NOT NULL), '[]')) AS evidence
    FROM active_cases ac
    JOIN households h ON h.household_id = ac.household_id
    CROSS JOIN p
    LEFT JOIN household_members hm ON hm.household_id = ac.household_id
    LEFT JOIN external_records er
      ON er.source = 'real_estate' AND er.match_key = hm.match_key AND er.detail IN ('purchase', 'self_built')
     AND er.on_date > (p.as_of - make_interval(years => p.home_years))::date
    GROUP BY ac.case_id, ac.district_code, h.household_id, p.urban_fen, p.rural_fen, p.premium_months
    HAVING count(er.id) > 0 OR h.study_abroad_self_funded
        OR h.premiums_fen_per_year >= p.premium_months * {_STANDARD} * h.member_count
    """,  # noqa: S608
    "R11": f"""
    SELECT {_CASE_PERSON.format("a")}, a.district_code, a.case_id, a.person_id,
           jsonb_build_object('joined_on', joined.first_recorded_on::text, 'decided_on', a.decided_on::text,
                              'previous_household_ids', jsonb_agg(earlier.household_id::text)) AS evidence
    FROM active a
    JOIN memberships joined ON joined.person_id = a.person_id AND joined.household_id = a.household_id
    JOIN memberships earlier ON earlier.person_id = a.person_id AND earlier.household_id <> a.household_id
                            AND earlier.first_recorded_on < joined.first_recorded_on, p
    WHERE joined.first_recorded_on <= a.decided_on
      AND joined.first_recorded_on > (a.decided_on - make_interval(months => p.split_months))::date
    GROUP BY a.case_id, a.person_id, a.district_code, joined.first_recorded_on, a.decided_on
    """,  # noqa: S608
    "R12": """
    SELECT 'case:' || paid.case_id || '/person:' || paid.person_id AS subject, c.district_code, paid.case_id,
           paid.person_id,
           jsonb_build_object('months', jsonb_agg(to_char(paid.month, 'YYYY-MM') ORDER BY paid.month),
                              'paid_fen', jsonb_agg(paid.paid_fen ORDER BY paid.month),
                              'decided_fen', jsonb_agg(decided.total_fen ORDER BY paid.month),
                              'payment_ids', jsonb_agg(paid.payment_ids ORDER BY paid.month)) AS evidence
    FROM (SELECT pay.case_id, pay.person_id, pay.month, sum(pay.amount_fen) AS paid_fen,
                 string_agg(pay.payment_id::text, ',' ORDER BY pay.payment_id) AS payment_ids
          FROM payments pay, p
          WHERE pay.status = 'disbursed' AND pay.person_id IS NOT NULL AND pay.month <= p.month
            AND pay.benefit IN ('dibao', 'tekun', 'back_pay')
          GROUP BY pay.case_id, pay.person_id, pay.month) paid
    JOIN cases c ON c.case_id = paid.case_id
    CROSS JOIN LATERAL (SELECT ca.total_fen FROM case_amounts ca
                        WHERE ca.case_id = paid.case_id AND ca.person_id = paid.person_id
                          AND ca.from_month <= paid.month
                        ORDER BY ca.from_month DESC LIMIT 1) decided, p
    WHERE paid.paid_fen <> decided.total_fen AND (p.district IS NULL OR c.district_code = p.district)
    GROUP BY paid.case_id, paid.person_id, c.district_code
    """,
    "R13": """
    SELECT 'case:' || ac.case_id AS subject, ac.district_code, ac.case_id, NULL::uuid AS person_id,
           jsonb_build_object('next_review_due', ac.next_review_due::text,
                              'days_overdue', p.as_of - ac.next_review_due) AS evidence
    FROM active_cases ac, p WHERE ac.next_review_due < p.as_of
    """,
    "R14": f"""
    SELECT {_CASE_PERSON.format("a")}, a.district_code, a.case_id, a.person_id,
           jsonb_build_object('problem', 'not_insured', 'decided_on', a.decided_on::text) AS evidence
    FROM active a, p
    WHERE a.decided_on < p.month
      AND NOT EXISTS (SELECT 1 FROM roster_entries r WHERE r.person_id = a.person_id AND r.cover_from <= p.as_of
                      AND (r.cover_until IS NULL OR r.cover_until >= p.as_of))
    UNION ALL
    SELECT 'person:' || r.person_id, r.district_code, NULL::uuid, r.person_id,
           jsonb_build_object('problem', 'insured_without_case',
                              'roster_entry_ids', jsonb_agg(r.roster_entry_id::text ORDER BY r.roster_entry_id))
    FROM roster_entries r
    CROSS JOIN p
    LEFT JOIN (SELECT DISTINCT person_id FROM ongoing) c ON c.person_id = r.person_id
    WHERE r.cover_from <= p.as_of AND (r.cover_until IS NULL OR r.cover_until >= p.as_of)
      AND (p.district IS NULL OR r.district_code = p.district) AND c.person_id IS NULL
    GROUP BY r.person_id, r.district_code
    """,  # noqa: S608
    "missed": f"""
    SELECT 'match:' || encode(er.match_key, 'hex') AS subject, er.district_code, NULL::uuid AS case_id,
           NULL::uuid AS person_id,
           jsonb_build_object('monthly_income_per_capita_fen', min(er.amount_fen),
                              'import_rows', jsonb_agg({_ROW} ORDER BY {_ROW})) AS evidence
    FROM external_records er
    CROSS JOIN p
    LEFT JOIN (SELECT DISTINCT hm.match_key FROM household_members hm
               JOIN ongoing c ON c.household_id = hm.household_id AND c.person_id = hm.person_id) covered
      ON covered.match_key = er.match_key
    WHERE er.source = 'poverty' AND er.amount_fen < p.rural_fen
      AND (p.district IS NULL OR er.district_code = p.district) AND covered.match_key IS NULL
    GROUP BY er.match_key, er.district_code
    """,  # noqa: S608
}

_RECORD = """
)
INSERT INTO findings AS f (id, rule, subject, district_code, case_id, person_id, severity, evidence,
                           first_run_id, last_run_id, first_found_on, last_found_on)
SELECT gen_random_uuid(), CAST(:rule AS text), hits.subject, hits.district_code, hits.case_id, hits.person_id,
       CAST(:severity AS text), hits.evidence, CAST(:run_id AS uuid), CAST(:run_id AS uuid), p.as_of, p.as_of
FROM hits, p
ON CONFLICT (rule, subject) DO UPDATE
   SET last_run_id = EXCLUDED.last_run_id, last_found_on = EXCLUDED.last_found_on, evidence = EXCLUDED.evidence
RETURNING f.id, f.first_run_id = CAST(:run_id AS uuid) AS new, f.district_code, f.case_id, f.person_id, f.evidence
"""


async def settle_run_transaction(session: AsyncSession) -> None:
    """For this transaction only: a run's statements each cover up to the whole city (tens of seconds over a
    million beneficiaries), so they may take up to 10 minutes instead of a request's statement timeout; and
    each is planned for its values (a prepared statement run often would otherwise get a generic plan,
    blind to them as a materialized `p` was)."""
    await session.execute(text("SET LOCAL statement_timeout = '10min'"))
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


async def record_hits(
    session: AsyncSession, rule: Rule, *, severity: str, run_id: UUID, values: dict[str, Any]
) -> Sequence[Any]:
    """Every hit of `rule` as a finding (new, or the earlier one refreshed); returns each with `new` set when
    this run made it."""
    statement = text(_COMMON + RULES[rule] + _RECORD)
    result = await session.execute(
        statement, {**values, "rule": rule, "severity": severity, "run_id": run_id}
    )
    return result.all()


def select_hits(rule: Rule) -> str:
    """`rule`'s hits as a plain SELECT that writes nothing: the bare baseline `bench/checks.py` times a run
    against (the same bound names as `record_hits`, less rule, severity and run)."""
    return _COMMON + RULES[rule] + ") SELECT * FROM hits"  # noqa: S608


async def claim_scheduled_run(session: AsyncSession, day: date, *, started_by: str) -> bool:
    """Whether this transaction is the one to make `day`'s scheduled run: it holds the schedule's lock (until
    it ends; another replica meanwhile gets False at once) and no committed run of that day exists."""
    locked = await session.scalar(
        select(func.pg_try_advisory_xact_lock(func.hashtext("oversight.check_schedule")))
    )
    if not locked:
        return False
    earlier = select(CheckRun.id).where(CheckRun.started_by == started_by, CheckRun.as_of == day).limit(1)
    return await session.scalar(earlier) is None


async def latest_city_wide_parameters(session: AsyncSession) -> dict[str, object] | None:
    """The policy figures the latest city-wide run applied, if there was one."""
    latest = (
        select(CheckRun.parameters)
        .where(CheckRun.district_code.is_(None))
        .order_by(CheckRun.started_at.desc())
        .limit(1)
    )
    return await session.scalar(latest)
