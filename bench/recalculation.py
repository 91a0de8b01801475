"""A standard change (调标) over N active cases, beside the same database's bare `UPDATE … FROM` in the same run.

Run from the repository root: `.venv/bin/python -m bench.recalculation`. The last line is `ratio: X`,
our time (`publish_standard` + `run_recalculation`) over the baseline's (two bare `UPDATE … FROM`
statements computing the same amounts for the same rows in one transaction, without the events, the
back-pay months, the resumable batches or the near-line flagging).

It also reports the run end to end: once the recalculation is done, eligibility's outbox relay and payments'
consumer (its own handlers and inbox, on a database seeded with the cases' entitlements) start on a local Kafka
broker, timed until payments has applied every `CaseAmountChanged` of the run (`bench.drain`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from uuid import UUID

import asyncpg

from bench.drain import drain_to_payments
from bench.memory import peak_rss_mib, reset_peak_rss
from bench.messaging import servers
from bench.progress import Reporter
from bench.servers import HOME_VARIABLE, bench_parser, migrated, parse_checked
from services.eligibility.domain.standards import SEED_STANDARDS, Standards
from services.eligibility.main import DEFINITION
from services.eligibility.service import standards as service
from shared.contracts.catalogue import registry
from shared.contracts.eligibility import CaseAmountChanged
from shared.db import UnitOfWork
from shared.local import kafka as local_kafka
from shared.local import postgres

TODAY = date(2026, 11, 29)
OLD = SEED_STANDARDS[-1]  # 2025-07-01: urban 770, rural 630, tekun 1001 yuan
NEW = replace(
    OLD,
    effective_from=date(2026, 7, 1),  # announced in November, in force since July: back pay for 5 months
    dibao_urban_fen=80_000,
    dibao_rural_fen=66_000,
    tekun_basic_fen=104_000,
)
TERMINATED_SHARE = 0.05  # terminated cases beside the N active ones: the recalculation must leave them alone
NEAR_LINE_SHARE = 0.01  # households without a case near the line: the new standard flags some for review
DECODED_SAMPLE = 1_000  # outbox rows decoded against the CaseAmountChanged contract


class BenchmarkFailed(RuntimeError):
    """The recalculation wrote wrong amounts, missed or doubled events: its figures would mean nothing."""


# --- the amounts, as SQL: used to load the cases, by the baseline, and to verify ours independently ---


@dataclass(frozen=True)
class Components:
    base: str
    add_on: str
    care: str

    @property
    def total(self) -> str:
        return f"(({self.base}) + ({self.add_on}) + ({self.care}))"


def components(standards: Standards, case: str, beneficiary: str) -> Components:
    """A beneficiary's monthly components at `standards`; `case` and `beneficiary` are SQL aliases."""
    s, c, b = standards, case, beneficiary
    return Components(
        base=(
            f"CASE {c}.program WHEN 'dibao' THEN GREATEST(CASE {c}.area WHEN 'urban' THEN {s.dibao_urban_fen}"
            f" ELSE {s.dibao_rural_fen} END - {c}.per_capita_income_fen, 0) ELSE {s.tekun_basic_fen} END"
        ),
        add_on=(
            f"CASE WHEN {c}.program = 'dibao' THEN"
            f" (CASE WHEN 'disabled' = ANY({b}.add_on_kinds) THEN {s.add_on_disabled_fen} ELSE 0 END)"
            f" + (CASE WHEN 'severe' = ANY({b}.add_on_kinds) THEN {s.add_on_severe_fen} ELSE 0 END)"
            f" + (CASE WHEN 'child_student' = ANY({b}.add_on_kinds) THEN {s.add_on_child_student_fen} ELSE 0 END)"
            " ELSE 0 END"
        ),
        care=(
            f"CASE {b}.care_level WHEN 'full_care' THEN {s.care_subsidy_full_fen}"
            f" WHEN 'half_care' THEN {s.care_subsidy_half_fen}"
            f" WHEN 'self_caring' THEN {s.care_subsidy_self_fen} ELSE 0 END"
        ),
    )


# --- the data: N active cases computed at the 2025-07-01 standard, set-based ---


def plan_sql(old: Standards) -> str:
    """One row per case (temporary): ~80% dibao of 1–4 members, ~20% tekun of one; ~5% more terminated."""
    return f"""
CREATE TEMPORARY TABLE plan_cases AS
WITH draws AS MATERIALIZED (
    SELECT g, random() AS r_program, random() AS r_area, random() AS r_members, random() AS r_zero,
           random() AS r_income, random() AS r_start, random() AS r_district
    FROM generate_series(1, $1::bigint) AS g
)
SELECT g, gen_random_uuid() AS id, gen_random_uuid() AS household_id, program, area,
       CASE WHEN g <= $2::bigint THEN 'active' ELSE 'terminated' END AS status,
       CASE WHEN program = 'tekun' THEN 1
            WHEN r_members < 0.35 THEN 1 WHEN r_members < 0.65 THEN 2 WHEN r_members < 0.85 THEN 3
            ELSE 4 END AS members,
       CASE WHEN program = 'tekun' OR r_zero < 0.25 THEN 0
            ELSE FLOOR(r_income * (CASE area WHEN 'urban' THEN {old.dibao_urban_fen}
                                             ELSE {old.dibao_rural_fen} END) / 100)::bigint * 100
       END AS per_capita_income_fen,
       (DATE '2017-01-01' + MAKE_INTERVAL(months => FLOOR(r_start * 119)::int))::date AS start_month,
       '5001' || LPAD((1 + FLOOR(r_district * 56))::int::text, 2, '0') AS district_code
FROM (
    SELECT *, CASE WHEN r_program < 0.2 THEN 'tekun' ELSE 'dibao' END AS program,
              CASE WHEN r_area < 0.55 THEN 'urban' ELSE 'rural' END AS area
    FROM draws
) AS typed
"""


def plan_beneficiaries_sql(old: Standards) -> str:
    """One row per covered member (temporary), with the components at the old standard."""
    parts = components(old, "m", "m")
    return f"""
CREATE TEMPORARY TABLE plan_beneficiaries AS
SELECT m.*, {parts.base} AS base_fen, {parts.add_on} AS add_on_fen, {parts.care} AS care_subsidy_fen
FROM (
    SELECT p.id AS case_id, gen_random_uuid() AS person_id, p.program, p.area, p.status,
           p.per_capita_income_fen,
           CASE WHEN p.program = 'dibao' THEN ARRAY_REMOVE(ARRAY[
                    CASE WHEN random() < 0.10 THEN 'disabled' END,
                    CASE WHEN random() < 0.04 THEN 'severe' END,
                    CASE WHEN random() < 0.15 THEN 'child_student' END], NULL)
                ELSE '{{}}'::text[] END AS add_on_kinds,
           CASE WHEN p.program = 'tekun' THEN (ARRAY['full_care', 'full_care', 'half_care', 'half_care',
                'half_care', 'self_caring', 'self_caring', 'self_caring', 'self_caring',
                'self_caring'])[1 + FLOOR(random() * 10)::int] END AS care_level
    FROM plan_cases p CROSS JOIN LATERAL generate_series(1, p.members) AS k
) AS m
"""


def plan_near_line_sql(old: Standards, new: Standards) -> str:
    """Households without a case, per-capita income around the old and new dibao lines (temporary)."""
    return f"""
CREATE TEMPORARY TABLE plan_near_line AS
SELECT gen_random_uuid() AS household_id, area, members,
       '5001' || LPAD((1 + FLOOR(random() * 56))::int::text, 2, '0') AS district_code,
       (old_line - 3000 + FLOOR(random() * (new_line - old_line + 6000) / 100)::bigint * 100) AS per_capita_income_fen,
       old_line, new_line
FROM (
    SELECT CASE WHEN random() < 0.55 THEN 'urban' ELSE 'rural' END AS area, 1 + FLOOR(random() * 3)::int AS members
    FROM generate_series(1, $1::bigint)
) AS d
CROSS JOIN LATERAL (
    SELECT CASE d.area WHEN 'urban' THEN {old.dibao_urban_fen} ELSE {old.dibao_rural_fen} END AS old_line,
           CASE d.area WHEN 'urban' THEN {new.dibao_urban_fen} ELSE {new.dibao_rural_fen} END AS new_line
) AS lines
"""


# Every household's members (a case's beneficiaries; the near-line households' people): what the
# near-line flagging divides the household income by.
PLAN_MEMBERS = """
CREATE TEMPORARY TABLE plan_members AS
SELECT b.household_id, b.person_id, CASE WHEN ROW_NUMBER() OVER w = 1 THEN 'head' ELSE 'other' END AS relation
FROM (SELECT p.household_id, b.person_id FROM plan_beneficiaries b JOIN plan_cases p ON p.id = b.case_id
      UNION ALL
      SELECT n.household_id, gen_random_uuid() FROM plan_near_line n CROSS JOIN LATERAL generate_series(1, n.members)
) AS b
WINDOW w AS (PARTITION BY b.household_id)
"""

LOAD_STATEMENTS = (
    """
INSERT INTO households (id, district_code, area, monthly_income_fen, facts, version, updated_by)
SELECT household_id, district_code, area, per_capita_income_fen * members, '{}'::jsonb, 1, 'bench'
FROM plan_cases
UNION ALL
SELECT household_id, district_code, area, per_capita_income_fen * members, '{}'::jsonb, 1, 'bench'
FROM plan_near_line
""",
    # Dummy ciphertexts of an AES-GCM field's size (nonce + 18 bytes + tag); a unique blind index.
    """
INSERT INTO persons (id, id_number_index, id_number_cipher, name_cipher, birth_date, created_by)
SELECT person_id, uuid_send(gen_random_uuid()), DECODE(REPEAT('ab', 46), 'hex'), DECODE(REPEAT('cd', 37), 'hex'),
       DATE '1940-01-01' + FLOOR(random() * 30000)::int, 'bench'
FROM plan_members
""",
    """
INSERT INTO household_members (household_id, person_id, relation, profile)
SELECT household_id, person_id, relation, '{}'::jsonb FROM plan_members
""",
    """
INSERT INTO cases (id, household_id, program, district_code, area, status, start_month,
                   per_capita_income_fen, counted_income_twelfths, income_members,
                   monthly_amount_fen, standard_id, approved_by, approved_on,
                   next_review_due, ended_from)
SELECT p.id, p.household_id, p.program, p.district_code, p.area, p.status, p.start_month,
       p.per_capita_income_fen, 12 * p.per_capita_income_fen * p.members, p.members, t.total, $1::uuid, 'reviewer-' || (p.g % 500), p.start_month - 10,
       CASE WHEN p.status = 'active' THEN (p.start_month + INTERVAL '1 year')::date END,
       CASE WHEN p.status = 'terminated' THEN LEAST(p.start_month + INTERVAL '1 year', DATE '2026-11-01')::date END
FROM plan_cases p
JOIN (SELECT case_id, SUM(base_fen + add_on_fen + care_subsidy_fen) AS total
      FROM plan_beneficiaries GROUP BY case_id) AS t ON t.case_id = p.id
ORDER BY p.g
""",
    """
INSERT INTO case_beneficiaries (case_id, person_id, program, active, add_on_kinds, care_level,
                                base_fen, add_on_fen, care_subsidy_fen, insurance_categories)
SELECT case_id, person_id, program, status = 'active', add_on_kinds, care_level,
       base_fen, add_on_fen, care_subsidy_fen, ARRAY[program]
FROM plan_beneficiaries
""",
)


@dataclass(frozen=True)
class Loaded:
    seconds: float
    terminated: int
    beneficiaries: int
    near_line: int
    newly_qualifying: int
    old_standard: UUID
    terminated_total_fen: int
    sizes: str


async def load(connection: asyncpg.Connection, rows: int, old_standard: UUID) -> Loaded:
    terminated = round(rows * TERMINATED_SHARE)
    near_line = round(rows * NEAR_LINE_SHARE)
    start = time.perf_counter()
    async with connection.transaction():
        await connection.execute("SELECT setseed(0.2025)")
        await connection.execute(plan_sql(OLD), rows + terminated, rows)
        await connection.execute(plan_beneficiaries_sql(OLD))
        await connection.execute(plan_near_line_sql(OLD, NEW), near_line)
        await connection.execute(PLAN_MEMBERS)
        for statement in LOAD_STATEMENTS:
            await connection.execute(statement, *([old_standard] if "$1" in statement else []))
        newly_qualifying = await connection.fetchval(
            "SELECT COUNT(*) FROM plan_near_line WHERE per_capita_income_fen >= old_line"
            " AND per_capita_income_fen < new_line"
        )
        await connection.execute("DROP TABLE plan_cases, plan_beneficiaries, plan_near_line, plan_members")
    await connection.execute(
        "VACUUM ANALYZE households, household_members, persons, cases, case_beneficiaries"
    )
    seconds = time.perf_counter() - start
    beneficiaries = await connection.fetchval("SELECT COUNT(*) FROM case_beneficiaries WHERE active")
    terminated_total = await connection.fetchval(
        "SELECT COALESCE(SUM(monthly_amount_fen), 0) FROM cases WHERE status = 'terminated'"
    )
    sizes = await connection.fetch(
        "SELECT relname, pg_total_relation_size(oid) AS size FROM pg_class"
        " WHERE relname IN ('cases', 'case_beneficiaries', 'persons', 'households', 'household_members')"
        " ORDER BY relname"
    )
    return Loaded(
        seconds=seconds,
        terminated=terminated,
        beneficiaries=int(beneficiaries),
        near_line=near_line,
        newly_qualifying=int(newly_qualifying),
        old_standard=old_standard,
        terminated_total_fen=int(terminated_total),
        sizes=", ".join(f"{row['relname']} {row['size'] / 2**20:.0f} MiB" for row in sizes),
    )


# --- baseline: the same amounts for the same rows, two bare UPDATE … FROM, rolled back ---


def baseline_sql(new: Standards) -> tuple[str, str]:
    parts = components(new, "c", "cb")
    beneficiaries = f"""
UPDATE case_beneficiaries cb
SET base_fen = {parts.base}, add_on_fen = {parts.add_on}, care_subsidy_fen = {parts.care}
FROM cases c JOIN standards s ON s.id = c.standard_id
WHERE cb.case_id = c.id AND cb.active AND c.status = 'active' AND s.effective_from < $1::date
"""
    # The new standard's id is set too, as ours does: it is what makes a recalculation idempotent.
    cases = """
UPDATE cases c SET monthly_amount_fen = t.total, standard_id = $2::uuid
FROM (SELECT case_id, SUM(base_fen + add_on_fen + care_subsidy_fen) AS total
      FROM case_beneficiaries WHERE active GROUP BY case_id) AS t, standards s
WHERE c.id = t.case_id AND s.id = c.standard_id AND c.status = 'active' AND s.effective_from < $1::date
"""
    return beneficiaries, cases


@dataclass(frozen=True)
class Baseline:
    beneficiaries_s: float
    cases_s: float

    @property
    def seconds(self) -> float:
        return self.beneficiaries_s + self.cases_s


def updated(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])


async def run_baseline(connection: asyncpg.Connection, rows: int, loaded: Loaded) -> Baseline:
    beneficiaries_sql, cases_sql = baseline_sql(NEW)
    transaction = connection.transaction()
    await transaction.start()
    try:
        # A standard row for the new standard_id to point at, inside the transaction (not timed).
        standard = await connection.fetchval(
            "INSERT INTO standards (id, effective_from, parameters, published_by)"
            " VALUES (gen_random_uuid(), $1, '{}'::jsonb, 'bench-baseline') RETURNING id",
            NEW.effective_from,
        )
        start = time.perf_counter()
        beneficiaries = updated(await connection.execute(beneficiaries_sql, NEW.effective_from))
        middle = time.perf_counter()
        cases = updated(await connection.execute(cases_sql, NEW.effective_from, standard))
        end = time.perf_counter()
    finally:
        await transaction.rollback()  # ours must start from the same data
    if (beneficiaries, cases) != (loaded.beneficiaries, rows):
        raise BenchmarkFailed(
            f"the baseline updated {beneficiaries} beneficiaries and {cases} cases; "
            f"expected {loaded.beneficiaries} and {rows}"
        )
    return Baseline(middle - start, end - middle)


# --- ours: publish_standard, then run_recalculation batch by batch ---


@dataclass(frozen=True)
class Ours:
    publish_s: float
    recalculate_s: float
    peak_rss_mib: float
    start_rss_mib: float
    batches: str
    standard_id: UUID
    households_flagged: int

    @property
    def seconds(self) -> float:
        return self.publish_s + self.recalculate_s


async def run_ours(new_uow: Callable[[], UnitOfWork], rows: int, batch: int) -> Ours:
    start_rss = reset_peak_rss()
    start = time.perf_counter()
    recalculation = await service.publish_standard(new_uow(), standards=NEW, published_by="bench")
    published = time.perf_counter()
    if recalculation.cases_total != rows:
        raise BenchmarkFailed(f"publish_standard counted {recalculation.cases_total} cases; expected {rows}")
    with Reporter(
        recalculation.cases_total, doing="recalculating", done="recalculated {done} of {total} cases"
    ) as reporter:
        done = await service.run_recalculation(
            new_uow, recalculation.standard_id, today=TODAY, batch_size=batch, progress=reporter
        )
    end = time.perf_counter()
    peak = peak_rss_mib()
    if done.status != "done" or done.cases_changed != rows or reporter.done != rows:
        raise BenchmarkFailed(
            f"the recalculation ended {done.status} with {done.cases_changed} cases changed and "
            f"{reporter.done} recalculated; expected done, {rows} and {rows}"
        )
    return Ours(
        publish_s=published - start,
        recalculate_s=end - published,
        peak_rss_mib=peak,
        start_rss_mib=start_rss,
        batches=reporter.batches("the near-line flagging"),
        standard_id=recalculation.standard_id,
        households_flagged=done.households_flagged,
    )


# --- verification of ours ---


def check_sql(new: Standards) -> str:
    """Per active case: stored components and total against the new standard, recomputed here."""
    parts = components(new, "c", "cb")
    return f"""
WITH per_case AS (
    SELECT cb.case_id,
           SUM({parts.total}) AS expected,
           COUNT(*) FILTER (WHERE (cb.base_fen, cb.add_on_fen, cb.care_subsidy_fen)
                                  IS DISTINCT FROM ({parts.base}, {parts.add_on}, {parts.care})) AS wrong_parts
    FROM case_beneficiaries cb JOIN cases c ON c.id = cb.case_id
    WHERE cb.active AND c.status = 'active'
    GROUP BY cb.case_id
)
SELECT COUNT(*) AS active,
       COUNT(*) FILTER (WHERE p.case_id IS NULL OR c.monthly_amount_fen <> p.expected OR p.wrong_parts > 0
                              OR c.standard_id <> $1::uuid) AS wrong
FROM cases c LEFT JOIN per_case p ON p.case_id = c.id
WHERE c.status = 'active'
"""


EVENTS_SQL = """
SELECT COUNT(*) AS events, COUNT(DISTINCT o.key) AS cases,
       COUNT(*) FILTER (WHERE c.id IS NULL OR c.status <> 'active'
                              OR (o.payload ->> 'monthly_amount_fen')::bigint <> c.monthly_amount_fen) AS wrong
FROM outbox o LEFT JOIN cases c ON c.id = (o.key)::uuid
WHERE o.type = 'CaseAmountChanged'
"""


def expected_back_pay(start_month: date) -> list[str]:
    first = max(NEW.effective_from.replace(day=1), start_month)
    months = []
    year, month = first.year, first.month
    while (year, month) <= (TODAY.year, TODAY.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


async def review_flags(connection: asyncpg.Connection) -> int:
    return int(await connection.fetchval("SELECT COUNT(*) FROM review_flags"))


async def outbox_count(connection: asyncpg.Connection) -> int:
    return int(await connection.fetchval("SELECT COUNT(*) FROM outbox WHERE type = 'CaseAmountChanged'"))


async def verify(connection: asyncpg.Connection, rows: int, loaded: Loaded, ours: Ours) -> str:
    problems = []
    active, wrong = await connection.fetchrow(check_sql(NEW), ours.standard_id)
    if (active, wrong) != (rows, 0):
        problems.append(
            f"{wrong} of {active} active cases not at the new standard's amounts (expected {rows})"
        )
    events, cases, wrong_events = await connection.fetchrow(EVENTS_SQL)
    if (events, cases, wrong_events) != (rows, rows, 0):
        problems.append(
            f"{events} CaseAmountChanged rows for {cases} cases, {wrong_events} not matching their case; "
            f"expected {rows} for {rows}"
        )
    terminated = await connection.fetchrow(
        "SELECT COUNT(*) FILTER (WHERE standard_id <> $1) AS moved, COALESCE(SUM(monthly_amount_fen), 0) AS total"
        " FROM cases WHERE status = 'terminated'",
        loaded.old_standard,
    )
    if (terminated["moved"], terminated["total"]) != (0, loaded.terminated_total_fen):
        problems.append("terminated cases were recalculated")
    flags = await review_flags(connection)
    if (flags, ours.households_flagged) != (loaded.newly_qualifying, loaded.newly_qualifying):
        problems.append(
            f"{flags} review flags, households_flagged {ours.households_flagged}; "
            f"expected {loaded.newly_qualifying} near-line households"
        )
    sample = await connection.fetch(
        "SELECT o.event_id, o.type, o.occurred_at, o.payload::text AS payload, c.start_month"
        " FROM outbox o JOIN cases c ON c.id = (o.key)::uuid"
        " WHERE o.type = 'CaseAmountChanged' ORDER BY random() LIMIT $1",
        DECODED_SAMPLE,
    )
    for row in sample:
        event = registry.decode(row["type"], row["event_id"], row["occurred_at"], json.loads(row["payload"]))
        if not isinstance(event, CaseAmountChanged) or (
            event.back_pay_months != expected_back_pay(row["start_month"])
            or event.reason != "standard_change"
            or event.standard_id != ours.standard_id
            or event.decided_on != TODAY
        ):
            problems.append(f"outbox event {row['event_id']} is not the expected CaseAmountChanged")
            break
    if problems:
        raise BenchmarkFailed("; ".join(problems))
    return (
        f"{active} active cases at the new amounts, {events} CaseAmountChanged rows (one per case, "
        f"{len(sample)} decoded against the contract), {loaded.terminated} terminated cases untouched, "
        f"{flags} of {loaded.near_line} near-line households flagged for review"
    )


async def verify_idempotent(
    connection: asyncpg.Connection, new_uow: Callable[[], UnitOfWork], rows: int, ours: Ours
) -> str:
    """A second run changes nothing, both as is (done) and forced to rescan every case from the start."""
    before = (await outbox_count(connection), await review_flags(connection))
    again = await service.run_recalculation(new_uow, ours.standard_id, today=TODAY)
    await connection.execute(
        "UPDATE recalculations SET status = 'running', cursor = NULL, finished_at = NULL WHERE standard_id = $1",
        ours.standard_id,
    )
    start = time.perf_counter()
    rescanned: list[int] = []
    forced = await service.run_recalculation(
        new_uow, ours.standard_id, today=TODAY, progress=rescanned.append
    )
    rescan_s = time.perf_counter() - start
    after = (await outbox_count(connection), await review_flags(connection))
    if (again.cases_changed, forced.cases_changed, forced.status, sum(rescanned), after) != (
        rows,
        rows,
        "done",
        0,
        before,
    ):
        raise BenchmarkFailed(
            f"a second run changed something: cases_changed {again.cases_changed} then {forced.cases_changed}, "
            f"{sum(rescanned)} cases recalculated on the rescan, (outbox, review flags) {before} → {after}"
        )
    return (
        f"a second run changes nothing (a forced rescan from the first case found none in {rescan_s:.2f} s)"
    )


# --- servers and the command line ---


async def bench(
    args: argparse.Namespace, server: postgres.PostgresServer, broker: local_kafka.KafkaBroker
) -> None:
    async with migrated(server, "bench_recalculation", DEFINITION) as db:
        new_uow, connection = db.new_uow, db.connection
        await service.seed_standards(new_uow())
        old = await connection.fetchval(
            "SELECT id FROM standards WHERE district_code IS NULL AND effective_from = $1",
            OLD.effective_from,
        )
        loaded = await load(connection, args.rows, old)
        print(
            f"rows: {args.rows} active cases (+{loaded.terminated} terminated), "
            f"{loaded.beneficiaries} active beneficiaries, {loaded.near_line} near-line households "
            f"without a case; batch {args.batch}"
        )
        print(f"load: {loaded.seconds:.1f} s set-based, VACUUM ANALYZE included ({loaded.sizes})")
        if args.set:
            await db.apply(args.set)
            print(f"settings for both paths (ALTER DATABASE … SET): {', '.join(args.set)}")

        await connection.execute("CHECKPOINT")
        baseline = await run_baseline(connection, args.rows, loaded)
        await connection.execute("VACUUM ANALYZE cases, case_beneficiaries, standards")
        await connection.execute("CHECKPOINT")
        print(
            f"baseline (bare UPDATE … FROM, one transaction, rolled back so ours sees the same data): "
            f"beneficiaries {baseline.beneficiaries_s:.2f} s + cases {baseline.cases_s:.2f} s "
            f"= {baseline.seconds:.2f} s, {args.rows / baseline.seconds:.0f} cases/s"
        )

        ours = await run_ours(new_uow, args.rows, args.batch)
        print(
            f"ours: publish_standard {ours.publish_s:.2f} s + run_recalculation {ours.recalculate_s:.2f} s "
            f"= {ours.seconds:.2f} s, {args.rows / ours.seconds:.0f} cases/s; {ours.batches}; "
            f"peak RSS {ours.peak_rss_mib:.0f} MiB (from {ours.start_rss_mib:.0f})"
        )
        print(f"verified: {await verify(connection, args.rows, loaded, ours)}")
        print(f"verified: {await verify_idempotent(connection, new_uow, args.rows, ours)}")
        drained = await drain_to_payments(server, broker, server.url(db.name), connection, args.rows)
        print(
            f"end to end: {ours.seconds + drained.seconds:.2f} s until payments has applied every CaseAmountChanged "
            f"of the run: the recalculation {ours.seconds:.2f} s, then eligibility's relay and payments' consumer, "
            f"started once it was done: {drained.detail}"
        )
    print(f"ratio: {ours.seconds / baseline.seconds:.2f}")


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = bench_parser(
        "python -m bench.recalculation",
        __doc__,
        rows_help="active cases to recalculate",
        batch=service.RECALCULATION_BATCH,
        batch_help="cases per recalculation batch",
    )
    return parse_checked(parser, argv, "rows", "batch")


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    home = Path(value).resolve() if (value := os.environ.get(HOME_VARIABLE)) else None
    with servers(home) as (server, broker):
        asyncio.run(bench(args, server, broker))


if __name__ == "__main__":
    main()
