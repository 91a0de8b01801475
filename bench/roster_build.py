"""A term's January roster for N beneficiaries through `roster.build_roster`, beside a bare INSERT … SELECT of the
same rows in the same run.

Run from the repository root: `.venv/bin/python -m bench.roster_build`. The last line is `ratio: X`, our time
(the use case behind `POST /insurance/v1/terms/{year}/roster`, as an admin: the entries, their gaps and one
`InsuredEnrolled` per entry, plus `InsuredRemoved` for those who leave, in the outbox, batch by batch) over the
baseline's (one hand-written INSERT … SELECT through bare asyncpg writing the same entries, and nothing else).
A second build, which adds nobody, is timed beside a bare count of the people without an entry.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from collections.abc import Sequence
from datetime import date

from bench.memory import peak_rss_mib, reset_peak_rss
from bench.servers import bench_parser, migrated, parse_checked, run_against_server
from services.insurance.api.roster import changes_csv, changes_json
from services.insurance.main import DEFINITION
from services.insurance.schemas.roster import BuildIn
from services.insurance.service import roster
from services.insurance.service.terms import seed_terms
from shared.auth import Principal, Role
from shared.local import postgres

YEAR = 2027
TERM = (date(YEAR, 1, 1), date(YEAR, 12, 31))
DISTRICTS = 40  # 500101 … 500140
ADMIN = Principal(subject="bench-admin", roles=frozenset({Role.admin}), city_wide=True)


class BenchmarkFailed(RuntimeError):
    """Ours and the baseline disagree: the figures would mean nothing."""


# One case per ~2 people; every person a window from 2018–2026. 8% of windows ended during 2027 (removed
# from the roster), 3% ended before it (not rostered), and 2% of people have a second case later in 2027
# after their first ended: a gap.
LOAD = """
INSERT INTO beneficiary_cases (case_id, household_id, program, district_code, last_event_at)
SELECT md5('case' || g)::uuid, gen_random_uuid(), CASE WHEN g % 9 = 0 THEN 'tekun' ELSE 'dibao' END,
       '5001' || LPAD((1 + g % $2::int)::text, 2, '0'), now()
FROM generate_series(1, ($1::int + 1) / 2 + $1::int / 50 + 1) AS g
"""
LOAD_WINDOWS = """
INSERT INTO beneficiaries (case_id, person_id, categories, cover_start, cover_end, end_reason)
SELECT md5('case' || (1 + g / 2))::uuid, md5('person' || g)::uuid,
       CASE WHEN g % 13 = 0 THEN ARRAY['dibao', 'orphan'] ELSE ARRAY['dibao'] END,
       DATE '2018-01-01' + (INTERVAL '1 month' * (g % 108))::interval,
       CASE WHEN g % 100 < 8 THEN DATE '2027-01-31' + (INTERVAL '1 month' * (g % 10))::interval
            WHEN g % 100 < 11 THEN DATE '2026-06-30' END,
       CASE WHEN g % 100 < 11 THEN 'case_ended' END
FROM generate_series(1, $1::int) AS g
"""
LOAD_GAPS = """
INSERT INTO beneficiaries (case_id, person_id, categories, cover_start, cover_end, end_reason)
SELECT md5('case' || (($1::int + 1) / 2 + 1 + g / 50))::uuid, md5('person' || g)::uuid, ARRAY['dibao'],
       DATE '2027-11-01', NULL, NULL
FROM generate_series(1, $1::int) AS g WHERE g % 50 = 1 AND g % 100 < 8
"""

# The same entries, by hand: no gaps, no events.
BASELINE = """
INSERT INTO roster_entries (id, person_id, policy_year, insurer_id, district_code, categories, cover_from,
                            cover_until, removal_reason, premium_fen)
SELECT gen_random_uuid(), b.person_id, $1::int, $2::uuid, MAX(c.district_code), array_agg(DISTINCT cat),
       GREATEST($3::date, MIN(b.cover_start)),
       CASE WHEN bool_or(b.cover_end IS NULL) THEN NULL ELSE MAX(b.cover_end) END,
       CASE WHEN bool_or(b.cover_end IS NULL) THEN NULL ELSE 'case_ended' END, 12000
FROM beneficiaries b JOIN beneficiary_cases c USING (case_id), unnest(b.categories) AS cat
WHERE b.cover_start <= $4::date AND (b.cover_end IS NULL OR b.cover_end >= $3::date)
GROUP BY b.person_id
ON CONFLICT (person_id, policy_year) DO NOTHING
"""
NOBODY = """
SELECT COUNT(DISTINCT b.person_id) FROM beneficiaries b
WHERE b.cover_start <= $2::date AND (b.cover_end IS NULL OR b.cover_end >= $1::date)
  AND NOT EXISTS (SELECT FROM roster_entries e WHERE e.person_id = b.person_id AND e.policy_year = $3::int)
"""


async def bench(args: argparse.Namespace, server: postgres.PostgresServer) -> None:
    async with migrated(server, "bench_roster_build", DEFINITION) as db:
        connection = db.connection
        await seed_terms(db.new_uow(), (YEAR,))
        insurer_id = await connection.fetchval("SELECT insurer_id FROM policy_terms WHERE year = $1", YEAR)
        start = time.perf_counter()
        await connection.execute(LOAD, args.rows, DISTRICTS)
        await connection.execute(LOAD_WINDOWS, args.rows)
        await connection.execute(LOAD_GAPS, args.rows)
        await connection.execute("VACUUM ANALYZE")
        windows = await connection.fetchval("SELECT COUNT(*) FROM beneficiaries")
        print(
            f"rows: {args.rows} beneficiaries ({windows} cover windows) in {DISTRICTS} districts; term {YEAR}"
        )
        print(f"load: {time.perf_counter() - start:.1f} s set-based, not measured")
        if args.set:
            await db.apply(args.set)
        await connection.execute("CHECKPOINT")

        start = time.perf_counter()
        status = await connection.execute(BASELINE, YEAR, insurer_id, *TERM)
        baseline = time.perf_counter() - start
        bare_rows = int(status.split()[-1])
        print(
            f"baseline (one bare INSERT … SELECT via asyncpg, entries only): {baseline:.1f} s, {bare_rows} rows"
        )
        await connection.execute("DELETE FROM roster_entries")
        await connection.execute("VACUUM ANALYZE roster_entries")
        await connection.execute("CHECKPOINT")

        start_rss = reset_peak_rss()
        start = time.perf_counter()
        batches: list[float] = [start]
        built = await roster.build_roster(
            db.new_uow,
            ADMIN,
            YEAR,
            BuildIn(),
            batch_size=args.batch,
            progress=lambda _people: batches.append(time.perf_counter()),
        )
        ours = time.perf_counter() - start
        peak = peak_rss_mib()
        seconds = [b - a for a, b in itertools.pairwise(batches)]
        entries = await connection.fetchval("SELECT COUNT(*) FROM roster_entries")
        events = await connection.fetch("SELECT type, COUNT(*) AS n FROM outbox GROUP BY type ORDER BY type")
        gaps = await connection.fetchval("SELECT COUNT(*) FROM cover_gaps")
        if built.added != bare_rows or entries != bare_rows:
            raise BenchmarkFailed(f"ours added {built.added} ({entries} stored), the baseline {bare_rows}")
        enrolled = next(r["n"] for r in events if r["type"] == "InsuredEnrolled")
        if enrolled != bare_rows:
            raise BenchmarkFailed(f"{enrolled} InsuredEnrolled for {bare_rows} entries")
        print(
            f"ours (roster.build_roster, batches of {args.batch}): {ours:.1f} s, {built.added} entries, {gaps} gaps, "
            + ", ".join(f"{r['n']} {r['type']}" for r in events)
            + f"; peak RSS {peak:.0f} MiB (from {start_rss:.0f})"
        )
        print(
            f"  {len(seconds)} batches: first {seconds[0]:.1f} s, median {statistics.median(seconds):.1f} s, "
            f"last {seconds[-1]:.1f} s"
        )

        start = time.perf_counter()
        missing = await connection.fetchval(NOBODY, *TERM, YEAR)
        finding = time.perf_counter() - start
        start_rss = reset_peak_rss()
        start = time.perf_counter()
        again = await roster.build_roster(db.new_uow, ADMIN, YEAR, BuildIn(), batch_size=args.batch)
        second = time.perf_counter() - start
        if again.added != 0 or missing != 0:
            raise BenchmarkFailed(f"a second build added {again.added}; the bare count found {missing}")
        print(
            f"second build: added nobody in {second:.1f} s; a bare count of the people without an entry "
            f"(none) {finding:.1f} s; peak RSS {peak_rss_mib():.0f} MiB (from {start_rss:.0f})"
        )
        for encode in (changes_json, changes_csv):
            start_rss = reset_peak_rss()
            start = time.perf_counter()
            changes = roster.roster_changes(db.new_uow(), ADMIN, YEAR, f"{YEAR}-01", district_code=None)
            size = 0
            async for chunk in encode(changes):
                size += len(chunk)
            print(
                f"January changes export ({encode.__name__}, the whole January roster): "
                f"{time.perf_counter() - start:.1f} s, {size / 2**20:.0f} MiB streamed; "
                f"peak RSS {peak_rss_mib():.0f} MiB (from {start_rss:.0f})"
            )
    print(f"ratio: {ours / baseline:.2f}")


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = bench_parser(
        "python -m bench.roster_build",
        __doc__,
        rows_help="beneficiaries",
        rows=1_146_000,
        batch=roster.BUILD_BATCH,
        batch_help="people per transaction",
    )
    return parse_checked(parser, argv, "rows", "batch")


def main(argv: Sequence[str] | None = None) -> None:
    run_against_server(bench, parse(argv))


if __name__ == "__main__":
    main()
