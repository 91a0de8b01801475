"""A district's monthly payment run (月度发放) over N due entitlements, beside a bare `INSERT … SELECT` in the same run.

Run from the repository root: `.venv/bin/python -m bench.monthly_run`. The last line is `ratio: X`, our time
(what `safetynet prepare-run` does: `start_run`, which counts the entitlements due; `prepare_run`, resumable
batches from each slice's cursor, two slices at a time, one payment per beneficiary, benefit and month enforced by a unique index, then back
pay and temporary grants; `read_run`, the totals) over the baseline's (one `INSERT … SELECT` of the same rows
at the same amounts into a logged table without constraints or indexes).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

import asyncpg

from bench.memory import peak_rss_mib, reset_peak_rss
from bench.progress import Reporter
from bench.servers import (
    bench_parser,
    migrated,
    parse_checked,
    run_against_server,
)
from services.payments.main import DEFINITION
from services.payments.schemas.runs import RunOut
from services.payments.service import runs
from shared.auth import Principal, Role
from shared.db import UnitOfWork
from shared.local import postgres

MONTH = date(2026, 11, 1)
DISTRICT = "500103"
NEIGHBOUR = "500104"  # another district's entitlements in the same table: the run must leave them alone
NOT_DUE_SHARE = (
    0.04  # of the district's entitlements beside the N due: ended, suspended, not yet started, zero
)
ELSEWHERE_SHARE = 0.05
FINANCE_OFFICER = Principal(
    subject="bench-finance", roles=frozenset({Role.finance_officer}), districts=frozenset({DISTRICT})
)


class BenchmarkFailed(RuntimeError):
    """A path paid the wrong people, amounts or number of times: its figures would mean nothing."""


# --- the data, set-based: cases of 1–3 people, an entitlement per person, 1–3 amount rows each ---

# One row per case (temporary). Month indexes count from 2017-01; 118 is the run's month, 2026-11.
PLAN_CASES = """
CREATE TEMPORARY TABLE plan_cases AS
WITH draws AS MATERIALIZED (
    SELECT g, random() AS r_benefit, random() AS r_members, random() AS r_district, random() AS r_state,
           random() AS r_start, random() AS r_end
    FROM generate_series(1, $1::bigint) AS g
), typed AS (
    SELECT *, CASE WHEN r_benefit < 0.12 THEN 'tekun' ELSE 'dibao' END AS benefit,
              FLOOR(r_start * 119)::int AS start_index
    FROM draws
)
SELECT g, gen_random_uuid() AS case_id, gen_random_uuid() AS household_id, benefit,
       CASE WHEN benefit = 'tekun' OR r_members < 0.33 THEN 1 WHEN r_members < 0.71 THEN 2 ELSE 3 END AS members,
       CASE WHEN r_district < 0.05 THEN $2 ELSE $3 END AS district_code,
       -- 0.9%: approved from next month
       (DATE '2017-01-01' + MAKE_INTERVAL(months => CASE WHEN r_state >= 0.036 AND r_state < 0.045 THEN 119
                                                         ELSE start_index END))::date AS start_month,
       -- 2%: ended by the run's month; 1%: ending after it (due now)
       CASE WHEN r_state < 0.020
                 THEN (DATE '2017-01-01' + MAKE_INTERVAL(months => LEAST(118,
                       start_index + 1 + FLOOR(r_end * (118 - start_index))::int)))::date
            WHEN r_state >= 0.045 AND r_state < 0.055 THEN DATE '2027-01-01'
       END AS end_month,
       -- 1.6%: suspended by the run's month; 0.5%: suspended from the next (due now)
       CASE WHEN r_state >= 0.020 AND r_state < 0.036
                 THEN (DATE '2017-01-01' + MAKE_INTERVAL(months => start_index
                       + FLOOR(r_end * (119 - start_index))::int))::date
            WHEN r_state >= 0.055 AND r_state < 0.060 THEN DATE '2026-12-01'
       END AS suspended_from
FROM typed
"""

# One row per covered person (temporary): the amount approved, a July 2026 raise for some (a standard
# change), a review from December for a few (not in force for November), and what November owes, worked
# out here from what was generated rather than by looking the amounts up.
PLAN_ENTITLEMENTS = """
CREATE TEMPORARY TABLE plan_all AS
SELECT *, CASE WHEN raised THEN base_fen + raise_fen + add_on_fen + care_subsidy_fen
               ELSE base_fen + add_on_fen + care_subsidy_fen END AS november_fen
FROM (
    SELECT c.*, k, gen_random_uuid() AS id, gen_random_uuid() AS person_id,
           CASE WHEN c.benefit = 'tekun' THEN 100100
                WHEN random() < 0.004 THEN 0  -- income at the line: covered, nothing to pay
                ELSE 100 * (70 + FLOOR(random() * 700)::bigint) END AS base_fen,
           CASE WHEN c.benefit = 'dibao' AND random() < 0.15 THEN 15400 ELSE 0 END AS add_on_fen,
           CASE WHEN c.benefit = 'tekun' THEN (ARRAY[0, 30030, 60060])[1 + FLOOR(random() * 3)::int]
                ELSE 0 END AS care_subsidy_fen,
           CASE WHEN c.benefit = 'tekun' THEN 3900 ELSE 3000 END AS raise_fen,
           c.start_month < DATE '2026-07-01' AND random() < 0.35 AS raised,
           random() < 0.02 AS reviewed
    FROM plan_cases c CROSS JOIN LATERAL generate_series(1, c.members) AS k
) AS people
"""

# N due in the district, then NOT_DUE_SHARE and ELSEWHERE_SHARE of N beside them, in case order.
PLAN_KEEP = """
CREATE TEMPORARY TABLE plan_entitlements AS
SELECT * FROM (
    SELECT p.*, ROW_NUMBER() OVER (PARTITION BY p.kind ORDER BY p.g, p.k) AS n
    FROM (
        SELECT *, CASE WHEN district_code <> $1 THEN 'elsewhere'
                       WHEN start_month <= $2::date AND (end_month IS NULL OR end_month > $2::date)
                            AND (suspended_from IS NULL OR suspended_from > $2::date) AND november_fen > 0
                       THEN 'due' ELSE 'not_due' END AS kind
        FROM plan_all
    ) AS p
) AS numbered
WHERE n <= CASE kind WHEN 'due' THEN $3::bigint WHEN 'not_due' THEN $4::bigint ELSE $5::bigint END
"""

LOAD_STATEMENTS = (
    """
INSERT INTO entitlements (id, case_id, person_id, household_id, benefit, district_code, start_month,
                          end_month, suspended_from)
SELECT id, case_id, person_id, household_id, benefit, district_code, start_month, end_month, suspended_from
FROM plan_entitlements ORDER BY g, k
""",
    """
INSERT INTO entitlement_amounts (entitlement_id, from_month, base_fen, add_on_fen, care_subsidy_fen, total_fen,
                                 reason, back_pay_months, event_id)
SELECT id, start_month, base_fen, add_on_fen, care_subsidy_fen, base_fen + add_on_fen + care_subsidy_fen,
       'approved', '{}', gen_random_uuid()
FROM plan_entitlements
UNION ALL
SELECT id, DATE '2026-07-01', base_fen + raise_fen, add_on_fen, care_subsidy_fen,
       base_fen + raise_fen + add_on_fen + care_subsidy_fen, 'standard_change',
       ARRAY[DATE '2026-07-01', DATE '2026-08-01', DATE '2026-09-01', DATE '2026-10-01'], gen_random_uuid()
FROM plan_entitlements WHERE raised
UNION ALL
SELECT id, DATE '2026-12-01', base_fen + 5000, add_on_fen, care_subsidy_fen,
       base_fen + 5000 + add_on_fen + care_subsidy_fen, 'review', '{}', gen_random_uuid()
FROM plan_entitlements WHERE reviewed AND start_month < DATE '2026-12-01'
""",
    # What each due entitlement is owed for the month, from the generator: both paths are checked against it.
    """
CREATE TEMPORARY TABLE expected AS
SELECT id AS entitlement_id, case_id, person_id, household_id, benefit, november_fen AS amount_fen
FROM plan_entitlements WHERE kind = 'due'
""",
    "ALTER TABLE expected ADD PRIMARY KEY (entitlement_id)",
)


@dataclass(frozen=True)
class Loaded:
    seconds: float
    cases: int
    not_due: int
    elsewhere: int
    amount_rows: int
    raised: int
    total_fen: int
    sizes: str


async def load(connection: asyncpg.Connection, rows: int) -> Loaded:
    not_due, elsewhere = round(rows * NOT_DUE_SHARE), round(rows * ELSEWHERE_SHARE)
    # About 1.8 people a case and 9 in 10 of them due in the district: draw enough cases for every share.
    cases = round(rows * 0.75) + 100
    start = time.perf_counter()
    async with connection.transaction():
        await connection.execute("SELECT setseed(0.2026)")
        await connection.execute(PLAN_CASES, cases, NEIGHBOUR, DISTRICT)
        await connection.execute(PLAN_ENTITLEMENTS)
        await connection.execute(PLAN_KEEP, DISTRICT, MONTH, rows, not_due, elsewhere)
        kinds = dict(await connection.fetch("SELECT kind, COUNT(*) FROM plan_entitlements GROUP BY kind"))
        if kinds != {"due": rows, "not_due": not_due, "elsewhere": elsewhere}:
            raise BenchmarkFailed(f"the generator drew {kinds}; expected {rows} due")
        for statement in LOAD_STATEMENTS:
            await connection.execute(statement)
        raised = await connection.fetchval(
            "SELECT COUNT(*) FROM plan_entitlements WHERE kind = 'due' AND raised"
        )
        loaded_cases = await connection.fetchval("SELECT COUNT(DISTINCT case_id) FROM plan_entitlements")
        await connection.execute("DROP TABLE plan_cases, plan_all, plan_entitlements")
    await connection.execute("VACUUM ANALYZE entitlements, entitlement_amounts")
    await connection.execute("ANALYZE expected")
    seconds = time.perf_counter() - start
    amount_rows = await connection.fetchval("SELECT COUNT(*) FROM entitlement_amounts")
    total = await connection.fetchval("SELECT SUM(amount_fen) FROM expected")
    sizes = await connection.fetch(
        "SELECT relname, pg_total_relation_size(oid) AS size FROM pg_class"
        " WHERE relname IN ('entitlements', 'entitlement_amounts') ORDER BY relname"
    )
    return Loaded(
        seconds=seconds,
        cases=int(loaded_cases),
        not_due=not_due,
        elsewhere=elsewhere,
        amount_rows=int(amount_rows),
        raised=int(raised),
        total_fen=int(total),
        sizes=", ".join(f"{row['relname']} {row['size'] / 2**20:.0f} MiB" for row in sizes),
    )


# --- baseline: one INSERT … SELECT with the same lookup (the latest amount from a month not after the run's) ---

BARE_TABLE = "CREATE TABLE bare_payments AS SELECT * FROM payments WITH NO DATA"  # logged; no keys, indexes

BASELINE = """
INSERT INTO bare_payments (id, run_id, entitlement_id, case_id, person_id, household_id, benefit, month,
                           amount_fen, status)
SELECT gen_random_uuid(), $1::uuid, e.id, e.case_id, e.person_id, e.household_id, e.benefit, $3::date,
       amount.total_fen, 'due'
FROM entitlements e
JOIN LATERAL (
    SELECT a.total_fen FROM entitlement_amounts a
    WHERE a.entitlement_id = e.id AND a.from_month <= $3::date
    ORDER BY a.from_month DESC LIMIT 1
) amount ON amount.total_fen > 0
WHERE e.district_code = $2 AND e.start_month <= $3::date
  AND (e.end_month IS NULL OR e.end_month > $3::date)
  AND (e.suspended_from IS NULL OR e.suspended_from > $3::date)
"""


@dataclass(frozen=True)
class Timed:
    seconds: float
    peak_rss_mib: float
    start_rss_mib: float


async def run_baseline(connection: asyncpg.Connection, run_id: UUID) -> Timed:
    await connection.execute(BARE_TABLE)
    start_rss = reset_peak_rss()
    start = time.perf_counter()
    await connection.execute(BASELINE, run_id, DISTRICT, MONTH)  # one statement, its own transaction
    return Timed(time.perf_counter() - start, peak_rss_mib(), start_rss)


# --- ours: prepare_run, batch by batch ---


@dataclass(frozen=True)
class Ours(Timed):
    run: RunOut
    batches: str


async def run_ours(new_uow: Callable[[], UnitOfWork], batch: int, workers: int) -> Ours:
    start_rss = reset_peak_rss()
    start = time.perf_counter()
    run = await runs.start_run(new_uow(), FINANCE_OFFICER, district_code=DISTRICT, month=MONTH)
    # The scan covers every entitlement due by its dates, including the few with nothing to pay.
    total = run.entitlements_due or 0
    with Reporter(total, doing="preparing", done="scanned {done} of {total} entitlements") as reporter:
        await runs.prepare_run(new_uow, run.id, batch_size=batch, workers=workers, progress=reporter)
    run = await runs.read_run(new_uow(), FINANCE_OFFICER, run.id)
    seconds = time.perf_counter() - start
    return Ours(seconds, peak_rss_mib(), start_rss, run, reporter.batches("back pay and temporary grants"))


# --- verification: both paths against what the generator says each due entitlement is owed ---

CHECK = """
SELECT COUNT(*) AS payments, COUNT(DISTINCT p.entitlement_id) AS entitlements,
       COALESCE(SUM(p.amount_fen), 0) AS total_fen,
       COUNT(*) FILTER (WHERE x.entitlement_id IS NULL OR p.amount_fen <> x.amount_fen OR p.month <> $2::date
                              OR (p.case_id, p.person_id, p.household_id, p.benefit, p.status)
                                 IS DISTINCT FROM (x.case_id, x.person_id, x.household_id, x.benefit, 'due'))
           AS wrong
FROM {table} p LEFT JOIN expected x ON x.entitlement_id = p.entitlement_id
WHERE p.run_id = $1::uuid
"""


async def verify(connection: asyncpg.Connection, table: str, run_id: UUID, rows: int, loaded: Loaded) -> None:
    found = await connection.fetchrow(CHECK.format(table=table), run_id, MONTH)
    expected = {"payments": rows, "entitlements": rows, "total_fen": loaded.total_fen, "wrong": 0}
    if dict(found) != expected:
        raise BenchmarkFailed(f"{table} of run {run_id}: {dict(found)}; expected {expected}")


async def verify_ours(
    connection: asyncpg.Connection, new_uow: Callable[[], UnitOfWork], rows: int, loaded: Loaded, ours: Ours
) -> str:
    run = ours.run
    if (run.status, run.payment_count, run.total_fen, run.entitlements_scanned) != (
        "prepared",
        rows,
        loaded.total_fen,
        run.entitlements_due,
    ):
        raise BenchmarkFailed(
            f"the run is {run.status} with {run.payment_count} payments, {run.total_fen} fen, "
            f"{run.entitlements_scanned} of {run.entitlements_due} entitlements scanned; "
            f"expected prepared, {rows}, {loaded.total_fen}, all scanned"
        )
    await verify(connection, "payments", run.id, rows, loaded)
    others = await connection.fetchval("SELECT COUNT(*) FROM payments WHERE run_id <> $1", run.id)
    if others:
        raise BenchmarkFailed(f"{others} payments outside the run")
    # Preparing it again, and again forced to rescan from the first entitlement, adds nothing.
    await runs.prepare_run(new_uow, run.id)
    again = await runs.read_run(new_uow(), FINANCE_OFFICER, run.id)
    await connection.execute("UPDATE payment_runs SET status = 'preparing' WHERE id = $1", run.id)
    await connection.execute(
        "UPDATE payment_run_slices SET cursor = NULL, scanned = 0, done = false WHERE run_id = $1", run.id
    )
    start = time.perf_counter()
    await runs.prepare_run(new_uow, run.id)
    rescan_s = time.perf_counter() - start
    rescanned = await runs.read_run(new_uow(), FINANCE_OFFICER, run.id)
    for second in (again, rescanned):
        if (second.id, second.status, second.payment_count, second.total_fen) != (
            run.id,
            "prepared",
            rows,
            loaded.total_fen,
        ):
            raise BenchmarkFailed(f"preparing the run again changed it: {second}")
    return (
        f"{rows} payments, one per due entitlement, each at the amount in force for {MONTH:%Y-%m} "
        f"(total {loaded.total_fen / 100:,.2f} yuan); none for the {loaded.not_due} not due or the "
        f"{loaded.elsewhere} of district {NEIGHBOUR}; preparing it again adds nothing (a forced rescan from "
        f"the first entitlement took {rescan_s:.1f} s)"
    )


# --- the command line ---


def figures(rows: int, timed: Timed) -> str:
    return (
        f"{timed.seconds:.2f} s, {rows / timed.seconds:.0f} rows/s, "
        f"peak RSS {timed.peak_rss_mib:.0f} MiB (from {timed.start_rss_mib:.0f})"
    )


async def bench(args: argparse.Namespace, server: postgres.PostgresServer) -> None:
    async with migrated(server, "bench_monthly_run", DEFINITION) as db:
        new_uow, connection = db.new_uow, db.connection
        loaded = await load(connection, args.rows)
        print(
            f"rows: {args.rows} entitlements due in district {DISTRICT} for {MONTH:%Y-%m} "
            f"({loaded.cases} cases in all, of 1–3 people, dibao and tekun; {loaded.raised} at a July raise), "
            f"+{loaded.not_due} not due (ended, suspended, starting later, nothing to pay), "
            f"+{loaded.elsewhere} in district {NEIGHBOUR}; {loaded.amount_rows} amount rows; batch {args.batch}"
        )
        print(
            f"load: {loaded.seconds:.1f} s set-based, not measured, VACUUM ANALYZE included ({loaded.sizes})"
        )
        if args.set:
            await db.apply(args.set)
            print(f"settings for both paths (ALTER DATABASE … SET): {', '.join(args.set)}")

        await connection.execute("CHECKPOINT")
        bare_run = uuid4()
        baseline = await run_baseline(connection, bare_run)
        await verify(connection, "bare_payments", bare_run, args.rows, loaded)
        print(
            "baseline (first; one INSERT … SELECT with the same amount lookup into a logged table "
            f"without constraints or indexes): {figures(args.rows, baseline)}"
        )
        await connection.execute("VACUUM ANALYZE bare_payments")
        await connection.execute("CHECKPOINT")

        ours = await run_ours(new_uow, args.batch, args.workers)
        print(
            f"ours (second; start_run, prepare_run with {args.workers} workers, read_run): "
            f"{figures(args.rows, ours)}; {ours.batches}"
        )
        print(f"verified: {await verify_ours(connection, new_uow, args.rows, loaded, ours)}")
    print(f"ratio: {ours.seconds / baseline.seconds:.2f}")


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = bench_parser(
        "python -m bench.monthly_run",
        __doc__,
        rows_help="entitlements due in the run",
        batch=runs.RUN_BATCH,
        batch_help="entitlements per batch",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=runs.RUN_WORKERS,
        help=f"slices prepared at once (default: the service's {runs.RUN_WORKERS})",
    )
    return parse_checked(parser, argv, "rows", "batch", "workers")


def main(argv: Sequence[str] | None = None) -> None:
    run_against_server(bench, parse(argv))


if __name__ == "__main__":
    main()
