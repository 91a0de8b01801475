"""A city-wide run of all checks (R1–R14, 漏保) over N beneficiaries and N rows per external source, beside the
same rules as bare SQL `SELECT`s in the same run.

Run from the repository root: `.venv/bin/python -m bench.checks`. The last line is `ratio: X`, our time (the
use case behind `POST /oversight/v1/check-runs`, city-wide, for an auditor: every rule's `INSERT … SELECT …
ON CONFLICT`, findings written and deduplicated, each new one announced through the outbox, the run audited,
one transaction) over the baseline's (each rule's hits as a bare `SELECT` through asyncpg, fetched, nothing
written). A second run of ours, finding everything again and nothing new, is timed beside it.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import re
import statistics
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg

from bench.memory import peak_rss_mib, reset_peak_rss
from bench.servers import bench_parser, migrated, parse_checked, run_against_server
from services.oversight.domain.checks import ALL_RULES, Parameters, bind
from services.oversight.main import DEFINITION
from services.oversight.repository.checks import select_hits
from services.oversight.schemas.checks import CheckRunIn, CheckRunOut, ParametersIn
from services.oversight.service.checks import run_checks
from shared.auth import Principal, Role
from shared.local import postgres

AS_OF = date(2026, 12, 3)  # the run's day (month 2026-12); payments go to 2026-11
AUDITOR = Principal(subject="bench-auditor", roles=frozenset({Role.auditor}), city_wide=True)
PARAMETERS = ParametersIn(urban_standard_fen=77_000, rural_standard_fen=63_000, housing_guarantee_area_m2=20)
DIVISIONS = Path(__file__).resolve().parents[2] / "shared" / "data" / "chongqing_divisions.csv"
SOURCES = ("vehicles", "real_estate", "business", "payroll", "deaths", "prisons", "poverty")

# How many beneficiaries a division has, relative to a district's: the outlying counties of the north-east
# and south-east have the most assisted people, the central urban districts the fewest. The management areas
# (两江新区, 万盛经开区) have no GB/T 2260 code: their cases are their parent district's.
WEIGHT_BY_KIND = {"county": 1.6, "district": 1.0}
CENTRAL = {"500103": 0.3, "500104": 0.4, "500105": 0.6, "500106": 0.7, "500107": 0.7, "500108": 0.6}


class BenchmarkFailed(RuntimeError):
    """Ours and the baseline disagree: the figures would mean nothing."""


def divisions() -> list[tuple[str, float]]:
    """Each division of Chongqing with the share of the city's beneficiaries it holds."""
    with DIVISIONS.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    weights = [
        (r["code"], CENTRAL.get(r["code"], WEIGHT_BY_KIND[r["kind"]]))
        for r in rows
        if r["kind"] in WEIGHT_BY_KIND
    ]
    total = sum(weight for _, weight in weights)
    return [(code, weight / total) for code, weight in weights]


# --- the data, set-based. Persons 2h-1 and 2h form household h (the last may be alone), one case each. Ids
# are md5 of a tag and a number, match keys sha256 of one, so later statements find a person without a join.
# Each person draws one number `r` per rule; a small band of it makes a hit, the next band a near miss. ---

PLAN_DISTRICTS = """
CREATE TEMPORARY TABLE plan_districts AS SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[]) AS d(code, lo, hi)
"""

PLAN_HOUSEHOLDS = """
CREATE TEMPORARY TABLE plan_households AS
SELECT h, md5('h' || h)::uuid AS household_id, md5('c' || h)::uuid AS case_id, d.code AS district_code,
       CASE WHEN random() < 0.4 THEN 'urban' ELSE 'rural' END AS area,
       CASE WHEN 2 * h <= $1::bigint THEN 2 ELSE 1 END AS members,
       CASE WHEN random() < 0.85 THEN 'dibao' ELSE 'tekun' END AS program,
       -- decisions from 2019 to the run's second day: a few decided this month, not yet insured
       DATE '2019-01-01' + FLOOR(random() * (DATE '2026-12-02' - DATE '2019-01-01' + 1))::int AS decided_on,
       random() AS r_review, random() AS r_assets, random() AS r_premiums, random() AS r_abroad,
       random() < 0.3 AS vehicle_exemption_evidenced
FROM generate_series(1, ($1::bigint + 1) / 2) AS h
CROSS JOIN LATERAL (SELECT random() + h * 0 AS x) AS draw  -- naming h: a draw per row, not one for all
JOIN plan_districts d ON draw.x >= d.lo AND draw.x < d.hi
"""

PLAN_PEOPLE = """
CREATE TEMPORARY TABLE plan_people AS
SELECT n, h.h, md5('p' || n)::uuid AS person_id, sha256(convert_to('k' || n, 'UTF8')) AS match_key,
       h.household_id, h.case_id, h.district_code, h.decided_on, h.program,
       date_trunc('month', h.decided_on)::date AS covered_from,
       CASE WHEN r_end < 0.05 THEN DATE '2026-12-01' - (1 + FLOOR(r_end * 20 * 300))::int END AS ended_on,
       r_vehicle, r_estate, r_business, r_payroll, r_death, r_prison, r_poverty, r_dup, r_split, r_pay,
       r_roster, r_relative
FROM (SELECT n, random() AS r_end, random() AS r_vehicle, random() AS r_estate, random() AS r_business,
             random() AS r_payroll, random() AS r_death, random() AS r_prison, random() AS r_poverty,
             random() AS r_dup, random() AS r_split, random() AS r_pay, random() AS r_roster,
             random() AS r_relative
      FROM generate_series(1, $1::bigint) AS n) AS p
JOIN plan_households h ON h.h = (p.n + 1) / 2
"""

# An ended beneficiary stops at the first of a month after their cover began; an active one's decided
# amount holds from their first month.
PLAN_AMOUNTS = """
CREATE TEMPORARY TABLE plan_amounts AS
SELECT p.*, CASE WHEN p.ended_on IS NULL THEN NULL
                 ELSE GREATEST(date_trunc('month', p.ended_on)::date, (p.covered_from + INTERVAL '1 month')::date)
            END AS ended_from,
       (200 + FLOOR(random() * 570)) * 100 AS total_fen
FROM plan_people p
"""

# Each with the names of its parameters, in order.
LOAD_STATEMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        """
INSERT INTO households (household_id, version, district_code, area, member_count, monthly_income_fen,
                        financial_assets_fen, vehicle_exemption_evidenced, study_abroad_self_funded,
                        premiums_fen_per_year, recorded_on)
SELECT household_id, 1, district_code, area, members, FLOOR(random() * 40000)::bigint,
       CASE WHEN r_assets < 0.003 THEN 24 * std * members + 100 + FLOOR(random() * 1000000)::bigint
            WHEN r_assets < 0.006 THEN 24 * std * members  -- exactly at the limit: a near miss
            ELSE FLOOR(random() * 12 * std * members)::bigint END,
       vehicle_exemption_evidenced, r_abroad < 0.0005,
       CASE WHEN r_premiums < 0.001 THEN 12 * std * members ELSE FLOOR(random() * 200000)::bigint END,
       decided_on - 20
FROM (SELECT *, CASE area WHEN 'urban' THEN 77000 ELSE 63000 END::bigint AS std FROM plan_households) AS h
""",
        (),
    ),
    (
        """
INSERT INTO household_members (household_id, person_id, relation, match_key)
SELECT household_id, person_id, CASE WHEN n % 2 = 1 THEN 'head' ELSE 'spouse' END, match_key FROM plan_people
""",
        (),
    ),
    (
        """
INSERT INTO cases (case_id, household_id, program, district_code, start_month, decided_on, next_review_due,
                   review_set_at)
SELECT case_id, household_id, program, district_code, date_trunc('month', decided_on)::date, decided_on,
       CASE WHEN r_review < 0.005 THEN $1::date - (1 + FLOOR(r_review * 60000))::int
            WHEN r_review < 0.007 THEN $1::date  -- due today: a near miss
            ELSE $1::date + (1 + FLOOR(random() * 365))::int END,
       decided_on::timestamptz
FROM plan_households
""",
        ("as_of",),
    ),
    (
        """
INSERT INTO beneficiaries (case_id, person_id, covered_from, ended_from, end_reason)
SELECT case_id, person_id, covered_from, ended_from, CASE WHEN ended_from IS NOT NULL THEN 'income_rose' END
FROM plan_amounts
""",
        (),
    ),
    # R8: one person in a thousand is also in a later case of another household elsewhere (a hit on each
    # side); the next in a thousand was, but that case ended before theirs (a near miss).
    (
        """
INSERT INTO beneficiaries (case_id, person_id, covered_from, ended_from, end_reason)
SELECT other.case_id, p.person_id, DATE '2026-06-01',
       CASE WHEN p.r_dup >= 0.001 THEN DATE '2026-09-01' END,
       CASE WHEN p.r_dup >= 0.001 THEN 'moved' END
FROM plan_amounts p
JOIN plan_households other ON other.h = 1 + (p.h + ($1::bigint + 1) / 4) % (($1::bigint + 1) / 2)
WHERE p.r_dup < 0.002 AND p.ended_from IS NULL AND other.h <> p.h AND other.decided_on < DATE '2026-06-01'
""",
        ("rows",),
    ),
    (
        """
INSERT INTO case_amounts (case_id, person_id, from_month, total_fen)
SELECT case_id, person_id, covered_from, total_fen FROM plan_amounts
""",
        (),
    ),
    # R11: each person seen in their household from before the decision; two in a thousand came from
    # another household within the year before it (a hit), the next two 13 months before it (a near miss).
    (
        """
INSERT INTO memberships (person_id, household_id, first_recorded_on)
SELECT person_id, household_id,
       decided_on - CASE WHEN r_split < 0.002 THEN 60 WHEN r_split < 0.004 THEN 400 ELSE 30 END
FROM plan_people
UNION ALL
SELECT person_id, md5('earlier' || n)::uuid, decided_on - 3000 FROM plan_people WHERE r_split < 0.004
""",
        (),
    ),
    # Payments of October and November for whoever was covered then: the decided amount, disbursed. R12:
    # two in a thousand got a different November amount (a hit); the next had it completed by back pay.
    (
        """
INSERT INTO payments (payment_id, case_id, household_id, person_id, benefit, month, amount_fen, status,
                      reported_on)
SELECT md5('pay' || n || m.month)::uuid, case_id, household_id, person_id,
       CASE WHEN program = 'tekun' THEN 'tekun' ELSE 'dibao' END, m.month,
       CASE WHEN m.month = DATE '2026-11-01' AND r_pay < 0.002 THEN total_fen + 5000
            WHEN m.month = DATE '2026-11-01' AND r_pay < 0.003 THEN total_fen - 5000
            ELSE total_fen END,
       'disbursed', m.month + 8
FROM plan_amounts a
CROSS JOIN (VALUES (DATE '2026-10-01'), (DATE '2026-11-01')) AS m(month)
WHERE a.covered_from <= m.month AND (a.ended_from IS NULL OR a.ended_from > m.month)
UNION ALL
SELECT md5('back' || n)::uuid, case_id, household_id, person_id, 'back_pay', DATE '2026-11-01', 5000,
       'disbursed', DATE '2026-11-20'
FROM plan_amounts
WHERE r_pay >= 0.002 AND r_pay < 0.003 AND covered_from <= DATE '2026-11-01' AND ended_from IS NULL
""",
        (),
    ),
    # R14: every beneficiary decided before this month is on the roster for the year, three in a thousand
    # are not (a hit); two in a hundred of those who left are still insured (a hit), as many were removed.
    (
        """
INSERT INTO roster_entries (roster_entry_id, person_id, policy_year, district_code, cover_from, cover_until,
                            removal_reason)
SELECT md5('roster' || n)::uuid, person_id, 2026, district_code,
       GREATEST(covered_from, DATE '2026-01-01'),
       CASE WHEN ended_from IS NOT NULL AND r_roster >= 0.02 THEN ended_from - 1 ELSE DATE '2026-12-31' END,
       CASE WHEN ended_from IS NOT NULL AND r_roster >= 0.02 THEN 'case_ended' END
FROM plan_amounts
WHERE (ended_from IS NULL AND decided_on < DATE '2026-12-01' AND r_roster >= 0.003)
   OR (ended_from IS NOT NULL AND r_roster < 0.04)
""",
        (),
    ),
    # R9's register: the relatives of half the staff are filed (the near misses).
    (
        """
INSERT INTO staff_relatives (relative_id, match_key, staff_id, relation, district_code, filed_on)
SELECT md5('relative' || other.n)::uuid, other.match_key, 'staff-' || p.n, 'spouse', p.district_code,
       DATE '2025-01-01'
FROM plan_people p JOIN plan_people other ON other.h = p.h AND other.n <> p.n
WHERE p.r_payroll >= 0.002 AND p.r_payroll < 0.003 AND other.r_relative < 0.5
""",
        (),
    ),
    (
        """
INSERT INTO imports (id, source, mode, status, file_name, file_format, rows_total, rows_loaded, rows_known,
                     rejections, imported_by)
SELECT md5('import' || s)::uuid, s, 'good_rows_only', 'loaded', s || '.csv', 'csv', $1::int, $1::int, 0,
       '[]', 'bench'
FROM unnest($2::text[]) AS s
""",
        ("rows", "sources"),
    ),
)

# Each source's rows about beneficiaries (hits and near misses, by the person's draw), topped up to N rows
# with people no case knows: (kind, detail, on_date, until_date, amount_fen, area_m2) per row.
MEMBER_ROWS = {
    "vehicles": """
SELECT match_key, district_code, 'car', NULL, NULL::date, NULL::date,
       CASE WHEN r_vehicle < 0.004 THEN 8000000 ELSE 2000000 END, NULL::numeric
FROM plan_people WHERE r_vehicle < 0.008  -- a cheap car is a hit unless the household evidenced it
UNION ALL
SELECT match_key, district_code, 'disabled_mobility', NULL, NULL, NULL, 900000, NULL
FROM plan_people WHERE r_vehicle >= 0.008 AND r_vehicle < 0.01
""",
    "real_estate": """
SELECT match_key, district_code, 'dwelling', 'inherited', DATE '2001-01-01', NULL::date, NULL::bigint, 60.0
FROM plan_people WHERE r_estate < 0.3  -- one dwelling each: two at exactly the limit in a couple's home
UNION ALL
SELECT match_key, district_code, 'shop_front', 'purchase', DATE '2010-05-01', NULL, NULL, 15.0
FROM plan_people WHERE r_estate >= 0.3 AND r_estate < 0.301
UNION ALL  -- two dwellings of 135.5 m²: above the limit for one or two persons
SELECT match_key, district_code, 'dwelling', d.detail, d.on_date, NULL, NULL, d.area
FROM plan_people
CROSS JOIN (VALUES ('purchase', DATE '2012-03-01', 75.5), ('inherited', DATE '2001-01-01', 60.0)) AS d(detail, on_date, area)
WHERE r_estate >= 0.301 AND r_estate < 0.303
UNION ALL  -- R10: bought within three years (a hit), exactly three years before the run (a near miss)
SELECT match_key, district_code, 'dwelling', 'purchase',
       CASE WHEN r_estate < 0.304 THEN DATE '2025-05-01' ELSE DATE '2023-12-03' END, NULL, NULL, 45.0
FROM plan_people WHERE r_estate >= 0.303 AND r_estate < 0.305
""",
    "business": """
SELECT match_key, district_code, 'legal_representative',
       CASE WHEN r_business < 0.004 THEN 'active' ELSE 'deregistered' END, DATE '2020-01-01', NULL::date,
       NULL::bigint, NULL::numeric
FROM plan_people WHERE r_business < 0.008
""",
    "payroll": """
SELECT match_key, district_code,
       CASE WHEN r_payroll < 0.002 THEN 'public_institution' ELSE 'civil_affairs' END, NULL, NULL::date,
       NULL::date, 450000::bigint, NULL::numeric
FROM plan_people WHERE r_payroll < 0.003
""",
    # R6: died in September, paid for October and November (a hit); died in November (a near miss).
    "deaths": """
SELECT match_key, district_code, 'death', NULL,
       CASE WHEN r_death < 0.002 THEN DATE '2026-09-14' ELSE DATE '2026-11-20' END, NULL::date, NULL::bigint,
       NULL::numeric
FROM plan_people WHERE r_death < 0.004
""",
    "prisons": """
SELECT match_key, district_code, 'prison', NULL,
       CASE WHEN r_prison < 0.002 THEN DATE '2026-06-01' ELSE DATE '2025-06-01' END,
       CASE WHEN r_prison < 0.001 THEN NULL WHEN r_prison < 0.002 THEN DATE '2028-06-01'
            ELSE DATE '2026-05-31' END, NULL::bigint, NULL::numeric
FROM plan_people WHERE r_prison < 0.004
""",
    # 漏保: people with a case on the list (near misses) — others are the top-up below.
    "poverty": """
SELECT match_key, district_code, 'low_income', NULL, NULL::date, NULL::date, 30000::bigint, NULL::numeric
FROM plan_people WHERE r_poverty < 0.01
""",
}

# The top-up: people without a case. On the poverty list two in a thousand are below the rural standard (漏保
# hits) and as many exactly at it (near misses); the payroll rows are of people with no case (near misses).
OTHERS = """
SELECT sha256(convert_to('x-' || $2::text || '-' || g, 'UTF8')), d.code,
       CASE $2::text WHEN 'vehicles' THEN 'car' WHEN 'real_estate' THEN 'dwelling'
                     WHEN 'business' THEN 'legal_representative' WHEN 'payroll' THEN 'public_institution'
                     WHEN 'deaths' THEN 'death' WHEN 'prisons' THEN 'prison' ELSE 'low_income' END,
       CASE $2::text WHEN 'real_estate' THEN 'purchase' WHEN 'business' THEN 'active' END,
       CASE WHEN $2::text IN ('real_estate', 'business', 'deaths', 'prisons')
            THEN DATE '2000-01-01' + (g % 9000)::int END,
       NULL::date,
       CASE $2::text WHEN 'vehicles' THEN 5000000 + g % 1000 WHEN 'payroll' THEN 500000
                     WHEN 'poverty' THEN CASE WHEN draw.y < 0.002 THEN 40000 WHEN draw.y < 0.004 THEN 63000
                                              ELSE 63001 + FLOOR(random() * 100000)::bigint END END,
       CASE WHEN $2::text = 'real_estate' THEN 80.0 END
FROM generate_series(1, $1::bigint) AS g
CROSS JOIN LATERAL (SELECT random() + g * 0 AS x, random() + g * 0 AS y) AS draw
JOIN plan_districts d ON draw.x >= d.lo AND draw.x < d.hi
"""

LOAD_SOURCE = """
INSERT INTO external_records (import_id, source, row_number, match_key, id_masked, kind, detail, district_code,
                              on_date, until_date, amount_fen, area_m2)
SELECT md5('import' || $2::text)::uuid, $2::text, 1 + ROW_NUMBER() OVER (), match_key, '500***' || right(g, 4),
       kind, detail, district_code, on_date, until_date, amount_fen, area_m2
FROM (SELECT *, (ROW_NUMBER() OVER ())::text AS g FROM ({rows}) AS r(match_key, district_code, kind, detail,
      on_date, until_date, amount_fen, area_m2)) AS rows
ORDER BY match_key  -- the indexes lead with (source, match_key): filled in order, not at random
"""

# R6: half the payments after a death already have an overpayment raised.
OVERPAYMENTS = """
INSERT INTO overpayments (overpayment_id, payment_id, case_id, person_id, month, amount_fen, reason)
SELECT md5('over' || pay.payment_id::text)::uuid, pay.payment_id, pay.case_id, pay.person_id, pay.month,
       pay.amount_fen, 'death'
FROM plan_people p JOIN payments pay ON pay.person_id = p.person_id AND pay.month = DATE '2026-11-01'
WHERE p.r_death < 0.001
"""

TABLES = (
    "households",
    "household_members",
    "memberships",
    "staff_relatives",
    "cases",
    "beneficiaries",
    "case_amounts",
    "payments",
    "overpayments",
    "roster_entries",
    "imports",
    "external_records",
)


async def load(connection: asyncpg.Connection, rows: int) -> tuple[float, dict[str, int], str]:
    start = time.perf_counter()
    codes, shares = zip(*divisions(), strict=True)
    bounds = list(itertools.accumulate(shares, initial=0.0))
    bounds[-1] = 2.0  # whatever the rounding, every draw below 1 falls in a division
    arguments = {"rows": rows, "as_of": AS_OF, "sources": list(SOURCES)}
    async with connection.transaction():
        await connection.execute("SELECT setseed(0.2018)")
        await connection.execute(PLAN_DISTRICTS, list(codes), bounds[:-1], bounds[1:])
        await connection.execute(PLAN_HOUSEHOLDS, rows)
        await connection.execute(PLAN_PEOPLE, rows)
        await connection.execute(PLAN_AMOUNTS)
        for statement, names in LOAD_STATEMENTS:
            await connection.execute(statement, *(arguments[name] for name in names))
        for source in SOURCES:
            about = await connection.fetchval(f"SELECT count(*) FROM ({MEMBER_ROWS[source]}) AS r")
            both = f"{MEMBER_ROWS[source]} UNION ALL {OTHERS}"
            await connection.execute(LOAD_SOURCE.format(rows=both), max(rows - about, 0), source)
        await connection.execute(OVERPAYMENTS)
        await connection.execute("DROP TABLE plan_districts, plan_households, plan_people, plan_amounts")
    await connection.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")
    seconds = time.perf_counter() - start
    counts = {table: int(await connection.fetchval(f"SELECT count(*) FROM {table}")) for table in TABLES}
    size = await connection.fetchval("SELECT pg_database_size(current_database())")
    return seconds, counts, f"{size / 2**30:.1f} GiB"


# --- the baseline: each rule's hits as a bare SELECT (the rule's own set-based query), fetched, nothing kept ---

NAMED = re.compile(r"(?<![:\w]):([a-z_]+)\b")


def positional(sql: str, values: dict[str, Any]) -> tuple[str, list[Any]]:
    """The statement with asyncpg's `$n` for SQLAlchemy's `:name`, and the values in that order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return NAMED.sub(number, sql), [values[name] for name in names]


async def baseline(
    connection: asyncpg.Connection, values: dict[str, Any]
) -> tuple[float, dict[str, float], dict[str, int]]:
    seconds: dict[str, float] = {}
    hits: dict[str, int] = {}
    start = time.perf_counter()
    for rule in ALL_RULES:
        sql, arguments = positional(select_hits(rule), values)
        began = time.perf_counter()
        rows = await connection.fetch(sql, *arguments)
        seconds[rule], hits[rule] = time.perf_counter() - began, len(rows)
    return time.perf_counter() - start, seconds, hits


async def ours(new_uow: Any) -> tuple[float, CheckRunOut]:
    start = time.perf_counter()
    result = await run_checks(new_uow(), AUDITOR, CheckRunIn(as_of=AS_OF, parameters=PARAMETERS), today=AS_OF)
    return time.perf_counter() - start, result


def check(what: str, ours: dict[str, int], bare: dict[str, int]) -> None:
    if ours != bare:
        wrong = [rule for rule in ALL_RULES if ours.get(rule) != bare.get(rule)]
        raise BenchmarkFailed(
            f"{what}: ours and the baseline differ for {', '.join(wrong)}: "
            + "; ".join(f"{r} ours {ours.get(r)}, baseline {bare.get(r)}" for r in wrong)
        )


async def bench(args: argparse.Namespace, server: postgres.PostgresServer) -> None:
    async with migrated(server, "bench_checks", DEFINITION) as db:
        connection = db.connection
        seconds, counts, size = await load(connection, args.rows)
        print(
            f"rows: {counts['beneficiaries']} beneficiaries in {counts['cases']} cases over {len(divisions())} "
            f"divisions, {counts['payments']} payments, {counts['roster_entries']} roster entries, "
            f"{counts['external_records']} external rows ({len(SOURCES)} sources, {args.rows} each)"
        )
        print(f"load: {seconds:.1f} s set-based, not measured, VACUUM ANALYZE included (database {size})")
        if args.set:
            await db.apply(args.set)
            print(f"settings for both paths (ALTER DATABASE … SET): {', '.join(args.set)}")
        await connection.execute("CHECKPOINT")
        values = bind(Parameters(**PARAMETERS.model_dump()), as_of=AS_OF, district_code=None)

        first_bare, per_rule, bare_hits = await baseline(connection, values)
        print(
            f"baseline (each rule's hits as a bare SELECT via asyncpg, fetched; {sum(bare_hits.values())} hits): "
            f"{first_bare:.2f} s"
        )
        print("  per rule: " + ", ".join(f"{r} {per_rule[r]:.2f} s ({bare_hits[r]})" for r in ALL_RULES))
        start_rss = reset_peak_rss()
        first, run = await ours(db.new_uow)
        peak = peak_rss_mib()
        check("the first run's new findings", {r.rule: r.new for r in run.rules}, bare_hits)
        announced = await connection.fetchval("SELECT count(*) FROM outbox")
        if (
            announced != run.findings_new
            or await connection.fetchval("SELECT count(*) FROM findings") != announced
        ):
            raise BenchmarkFailed(f"{run.findings_new} new findings but {announced} events in the outbox")
        print(
            f"ours (run_checks, city-wide, auditor, as of {AS_OF}: {run.findings_new} findings written, as many "
            f"FindingRaised in the outbox): {first:.2f} s; peak RSS {peak:.0f} MiB (from {start_rss:.0f})"
        )
        again_seconds, again = await ours(db.new_uow)
        check("the second run's findings found again", {r.rule: r.again for r in again.rules}, bare_hits)
        if again.findings_new or await connection.fetchval("SELECT count(*) FROM outbox") != announced:
            raise BenchmarkFailed(f"the second run raised {again.findings_new} findings; expected none")
        print(f"ours again (everything found again, nothing new, no event): {again_seconds:.2f} s")
        second_bare, _, hits_after = await baseline(connection, values)
        check("the baseline after our runs", hits_after, bare_hits)
        bare_median = statistics.median([first_bare, second_bare])
        print(
            f"baseline again: {second_bare:.2f} s; median {bare_median:.2f} s; "
            f"ours again ÷ baseline {again_seconds / bare_median:.2f}"
        )
    print(f"ratio: {first / bare_median:.2f}")


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = bench_parser(
        "python -m bench.checks", __doc__, rows_help="beneficiaries, and rows per external source"
    )
    return parse_checked(parser, argv, "rows")


def main(argv: Sequence[str] | None = None) -> None:
    run_against_server(bench, parse(argv))


if __name__ == "__main__":
    main()
