"""The city-wide care rate (集中供养率) at a day over N 特困 persons, beside a bare SQL count in the same run.

Run from the repository root: `.venv/bin/python -m bench.care_rate`. The last line is `ratio: X`, our time
(`kpis.care_rate`, the use case behind `GET /facilities/v1/kpis/care-rate`, for an auditor at one day)
over the baseline's (one hand-written statement through bare asyncpg counting the same disabled persons
and residents per district and city-wide). Bed occupancy (`kpis.occupancy`) is timed beside it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import asyncpg

from bench.memory import peak_rss_mib, reset_peak_rss
from bench.servers import bench_parser, migrated, parse_checked, run_against_server
from services.facilities.main import DEFINITION
from services.facilities.schemas.kpis import CareRateReportOut, OccupancyReportOut
from services.facilities.service import kpis
from shared.auth import Principal, Role
from shared.db import UnitOfWork
from shared.local import postgres

ON = date(2026, 10, 31)  # the day measured: a month's last day, so the one-month trend adds no other day
EARLIER = date(2019, 6, 30)  # a second day, checked (not timed): the counts depend on the day
CUTOFF = date(2026, 11, 30)  # nothing in the data happens after this day
DISTRICTS = 40  # 500101 … 500140
PERSONS_PER_FACILITY = 100  # 2,000 facilities per 200,000 persons
PERSONS_PER_BED = 2  # 100,000 beds per 200,000 persons
AUDITOR = Principal(subject="bench-auditor", roles=frozenset({Role.auditor}), city_wide=True)

T = TypeVar("T")
K = TypeVar("K")


class BenchmarkFailed(RuntimeError):
    """Ours and the baseline disagree on a count: the figures would mean nothing."""


# --- the data, set-based: facilities and beds; each bed a chain of stays; a person per stay (a few two) ---

PLAN_FACILITIES = """
CREATE TEMPORARY TABLE plan_facilities AS
SELECT g AS n, gen_random_uuid() AS id,
       '5001' || LPAD((1 + FLOOR(random() * $2::int))::int::text, 2, '0') AS district_code,
       CASE WHEN r_status < 0.90 THEN 'open' WHEN r_status < 0.95 THEN 'renovating'
            WHEN r_status < 0.98 THEN 'closing' ELSE 'closed' END AS status
FROM (SELECT g, random() AS r_status FROM generate_series(1, $1::bigint) AS g) AS d
"""

# Bed k belongs to facility 1 + (k - 1) % F; a closed facility's beds and 4% of the others are out of
# service and hold nobody. An in-service bed held 0–3 stays in turn.
PLAN_BEDS = """
CREATE TEMPORARY TABLE plan_beds AS
SELECT g AS n, gen_random_uuid() AS id, f.id AS facility_id, f.district_code,
       f.status <> 'closed' AND random() >= 0.04 AS in_service,
       random() < 0.6 AS disabled_suitable,
       (ARRAY[0, 1, 1, 1, 1, 2, 2, 2, 3, 3])[1 + FLOOR(random() * 10)::int] AS chain
FROM generate_series(1, $1::bigint) AS g
JOIN plan_facilities f ON f.n = 1 + (g - 1) % $2::bigint
"""

# Stay j of a bed starts a gap after stay j - 1 ended; the first from 2014 to 2024, more of them later;
# the last is open in 3 of 5 chains. A stay that would end after the cut-off is still open; stays
# starting after it are dropped. Closed stays end by death, a return home or the case's end.
PLAN_STAYS = """
CREATE TEMPORARY TABLE plan_stays AS
WITH draws AS (
    SELECT b.id AS bed_id, b.facility_id, b.district_code, j,
           FLOOR(SQRT(random()) * 4000)::int AS first_offset,
           CASE WHEN j = b.chain AND random() < 0.6 THEN 10000 ELSE 60 + FLOOR(random() * 2400)::int END
               AS length,
           1 + FLOOR(random() * 150)::int AS gap, random() AS r_reason
    FROM plan_beds b CROSS JOIN LATERAL generate_series(1, b.chain) AS j
    WHERE b.in_service
), dated AS (
    SELECT *, DATE '2014-01-01' + FIRST_VALUE(first_offset) OVER w
              + COALESCE(SUM(length + gap) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::int
              AS admitted_on
    FROM draws
    WINDOW w AS (PARTITION BY bed_id ORDER BY j)
)
SELECT gen_random_uuid() AS id, bed_id, facility_id, district_code, admitted_on,
       CASE WHEN admitted_on + length <= $1::date THEN admitted_on + length END AS discharged_on,
       CASE WHEN admitted_on + length > $1::date THEN NULL WHEN r_reason < 0.5 THEN 'death'
            WHEN r_reason < 0.8 THEN 'returned_home' ELSE 'case_ended' END AS reason
FROM dated
WHERE admitted_on <= $1::date
"""

# A third of the people who returned home came back later for another stay (the i-th earliest return
# beside the i-th latest admission, where that admission is after the return).
PLAN_SECOND_STAYS = """
CREATE TEMPORARY TABLE plan_second_stays AS
WITH back AS (
    SELECT id, discharged_on, ROW_NUMBER() OVER (ORDER BY discharged_on, id) AS i
    FROM plan_stays WHERE reason = 'returned_home'
), later AS (
    SELECT id, admitted_on, ROW_NUMBER() OVER (ORDER BY admitted_on DESC, id) AS i
    FROM plan_stays WHERE reason IS DISTINCT FROM 'returned_home'
)
SELECT later.id AS stay_id, back.id AS first_stay_id
FROM back JOIN later USING (i)
WHERE later.admitted_on > back.discharged_on AND back.i % 3 = 0
"""

# One row per person: everyone with a stay (their district mostly the facility's), then the rest of the
# N at home. Support runs from the decision to the last day before the termination's month, if any.
PLAN_PERSONS = """
CREATE TEMPORARY TABLE plan_persons AS
WITH stay_people AS (
    SELECT COALESCE(p.first_stay_id, s.id) AS key, s.*
    FROM plan_stays s LEFT JOIN plan_second_stays p ON p.stay_id = s.id
), placed AS (
    SELECT key, MIN(admitted_on) AS first_admitted,
           (ARRAY_AGG(district_code ORDER BY admitted_on))[1] AS facility_district,
           (ARRAY_AGG(discharged_on ORDER BY admitted_on DESC))[1] AS last_discharged,
           (ARRAY_AGG(reason ORDER BY admitted_on DESC))[1] AS last_reason
    FROM stay_people GROUP BY key
), placed_people AS (
    SELECT key, true AS placed,
           CASE WHEN random() < 0.95 THEN facility_district
                ELSE '5001' || LPAD((1 + FLOOR(random() * $2::int))::int::text, 2, '0') END AS district_code,
           first_admitted - (10 + FLOOR(random() * 400))::int AS active_from,
           CASE WHEN last_reason IN ('death', 'case_ended') THEN last_discharged - 1
                WHEN last_reason = 'returned_home' AND random() < 0.3
                     AND last_discharged + 400 <= $3::date THEN last_discharged + 400 END AS active_until,
           last_reason
    FROM placed
), home_people AS (
    SELECT gen_random_uuid() AS key, false AS placed,
           '5001' || LPAD((1 + FLOOR(random() * $2::int))::int::text, 2, '0') AS district_code,
           active_from,
           CASE WHEN r_end < 0.25 AND active_from + ends_after <= $3::date THEN active_from + ends_after END
               AS active_until,
           NULL AS last_reason
    FROM (
        SELECT DATE '2014-01-01' + FLOOR(random() * 4700)::int AS active_from, random() AS r_end,
               (30 + FLOOR(random() * 3000))::int AS ends_after
        FROM generate_series(1, GREATEST($1::bigint - (SELECT COUNT(*) FROM placed), 0))
    ) AS d
), everyone AS (
    SELECT * FROM placed_people UNION ALL SELECT * FROM home_people
)
SELECT key, gen_random_uuid() AS person_id, gen_random_uuid() AS case_id, placed, district_code,
       active_from, active_until,
       CASE WHEN active_until IS NULL THEN NULL WHEN last_reason = 'death' THEN 'death'
            ELSE 'no_longer_eligible' END AS end_reason,
       CASE WHEN placed THEN 'centralised'
            WHEN r_mode < 0.15 THEN 'centralised' WHEN r_mode < 0.70 THEN 'dispersed' END AS support_mode
FROM (SELECT *, random() AS r_mode FROM everyone) AS e
"""

# 1–4 dated care-level facts a person, the first within 45 days of the decision; residents are more
# often disabled (half or full care) than people at home.
PLAN_LEVELS = """
CREATE TEMPORARY TABLE plan_levels AS
SELECT person_id, assessed_on,
       CASE WHEN r < (CASE WHEN placed THEN 0.25 ELSE 0.55 END) THEN 'self_caring'
            WHEN r < (CASE WHEN placed THEN 0.65 ELSE 0.83 END) THEN 'half_care'
            ELSE 'full_care' END AS care_level
FROM (
    SELECT p.person_id, p.placed, p.first_on + (j - 1) * p.step AS assessed_on, random() AS r
    FROM (
        SELECT person_id, placed, active_from + FLOOR(random() * 45)::int AS first_on,
               (150 + FLOOR(random() * 600))::int AS step, 1 + FLOOR(random() * 4)::int AS facts
        FROM plan_persons
    ) AS p
    CROSS JOIN LATERAL generate_series(1, p.facts) AS j
) AS facts
WHERE assessed_on <= $1::date
"""

LOAD_STATEMENTS = (
    """
INSERT INTO facilities (id, district_code, kind, name, address, cares_for_disabled, staff_count,
                        safety_grade, status, status_since, created_by)
SELECT id, district_code,
       (ARRAY['township_home', 'township_home', 'township_home', 'district_home', 'care_center'])
           [1 + FLOOR(random() * 5)::int],
       'bench home ' || n, 'road ' || n, random() < 0.8, 5 + FLOOR(random() * 40)::int,
       (ARRAY['A', 'B', 'B', 'C', 'D'])[1 + FLOOR(random() * 5)::int], status,
       DATE '2015-01-01' + FLOOR(random() * 4000)::int, 'bench'
FROM plan_facilities
""",
    """
INSERT INTO beds (id, facility_id, label, room, disabled_suitable, in_service)
SELECT id, facility_id, n::text, (n / 2)::text, disabled_suitable, in_service FROM plan_beds
""",
    """
INSERT INTO cases (case_id, program, district_code, decided_on)
SELECT case_id, 'tekun', district_code, active_from FROM plan_persons
""",
    """
INSERT INTO tekun_members (case_id, person_id, district_code, active_from, active_until, end_reason,
                           support_mode, support_mode_on, support_mode_at)
SELECT case_id, person_id, district_code, active_from, active_until, end_reason, support_mode,
       CASE WHEN support_mode IS NOT NULL THEN active_from + 5 END,
       CASE WHEN support_mode IS NOT NULL THEN (active_from + 5)::timestamptz END
FROM plan_persons
""",
    """
INSERT INTO care_levels (person_id, assessed_on, care_level, event_at)
SELECT person_id, assessed_on, care_level, assessed_on::timestamptz FROM plan_levels
""",
    # Every stay was a request first; people at home who chose centralised support are still queued.
    """
INSERT INTO placement_requests (id, person_id, case_id, district_code, care_level, requested_on,
                                requested_at, status, closed_on, closed_reason)
SELECT s.id, p.person_id, p.case_id, p.district_code, 'half_care', s.admitted_on - 7,
       (s.admitted_on - 7)::timestamptz, 'admitted', s.admitted_on, 'admitted'
FROM plan_stays s
LEFT JOIN plan_second_stays second ON second.stay_id = s.id
JOIN plan_persons p ON p.key = COALESCE(second.first_stay_id, s.id)
UNION ALL
SELECT gen_random_uuid(), person_id, case_id, district_code, 'full_care', active_from + 5,
       (active_from + 5)::timestamptz, 'queued', NULL, NULL
FROM plan_persons WHERE NOT placed AND support_mode = 'centralised' AND active_until IS NULL
""",
    """
INSERT INTO placements (id, person_id, case_id, request_id, admitted_on, discharged_on, discharge_reason,
                        admitted_by)
SELECT s.id, r.person_id, r.case_id, s.id, s.admitted_on, s.discharged_on, s.reason, 'bench'
FROM plan_stays s JOIN placement_requests r ON r.id = s.id
""",
    """
INSERT INTO bed_occupancies (id, placement_id, facility_id, bed_id, from_on, until_on)
SELECT gen_random_uuid(), id, facility_id, bed_id, admitted_on, discharged_on FROM plan_stays
""",
)

TABLES = (
    "facilities",
    "beds",
    "cases",
    "tekun_members",
    "care_levels",
    "placement_requests",
    "placements",
    "bed_occupancies",
)


@dataclass(frozen=True)
class Loaded:
    seconds: float
    counts: dict[str, int]
    second_stays: int
    sizes: str


async def load(connection: asyncpg.Connection, rows: int) -> Loaded:
    facilities = max(1, rows // PERSONS_PER_FACILITY)
    beds = max(1, rows // PERSONS_PER_BED)
    start = time.perf_counter()
    async with connection.transaction():
        await connection.execute("SELECT setseed(0.2018)")
        await connection.execute(PLAN_FACILITIES, facilities, DISTRICTS)
        await connection.execute(PLAN_BEDS, beds, facilities)
        await connection.execute(PLAN_STAYS, CUTOFF)
        await connection.execute(PLAN_SECOND_STAYS)
        await connection.execute(PLAN_PERSONS, rows, DISTRICTS, CUTOFF)
        await connection.execute(PLAN_LEVELS, CUTOFF)
        for statement in LOAD_STATEMENTS:
            await connection.execute(statement)
        second_stays = await connection.fetchval("SELECT COUNT(*) FROM plan_second_stays")
        await connection.execute(
            "DROP TABLE plan_facilities, plan_beds, plan_stays, plan_second_stays, plan_persons, plan_levels"
        )
    await connection.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")
    seconds = time.perf_counter() - start
    counts = {table: int(await connection.fetchval(f"SELECT COUNT(*) FROM {table}")) for table in TABLES}
    if counts["tekun_members"] != rows:
        raise BenchmarkFailed(f"the generator drew {counts['tekun_members']} persons; expected {rows}")
    sizes = await connection.fetch(
        "SELECT relname, pg_total_relation_size(oid) AS size FROM pg_class WHERE relname = ANY($1::text[])"
        " ORDER BY relname",
        list(TABLES),
    )
    return Loaded(
        seconds=seconds,
        counts=counts,
        second_stays=int(second_stays),
        sizes=", ".join(f"{row['relname']} {row['size'] / 2**20:.0f} MiB" for row in sizes),
    )


# --- baseline: one hand-written statement, the latest care level on the day and a stay holding the day ---

BASELINE = """
WITH level_on AS (
    SELECT DISTINCT ON (person_id) person_id, care_level
    FROM care_levels WHERE assessed_on <= $1::date
    ORDER BY person_id, assessed_on DESC
)
SELECT m.district_code, COUNT(*) AS disabled,
       COUNT(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM placements p
           WHERE p.person_id = m.person_id AND p.admitted_on <= $1::date
             AND (p.discharged_on IS NULL OR p.discharged_on > $1::date))) AS in_facilities
FROM tekun_members m JOIN level_on l ON l.person_id = m.person_id
WHERE l.care_level IN ('half_care', 'full_care')
  AND m.active_from <= $1::date AND (m.active_until IS NULL OR m.active_until >= $1::date)
GROUP BY ROLLUP (m.district_code)
"""

# Beds, beds in service and beds held on the day, per district: to check ours, timed beside it.
BASELINE_OCCUPANCY = """
SELECT f.district_code, COUNT(*) AS beds, COUNT(*) FILTER (WHERE b.in_service) AS available,
       COUNT(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM bed_occupancies o
           WHERE o.bed_id = b.id AND o.from_on <= $1::date
             AND (o.until_on IS NULL OR o.until_on > $1::date))) AS occupied
FROM beds b JOIN facilities f ON f.id = b.facility_id
GROUP BY f.district_code
"""

Counts = dict[str | None, tuple[int, int]]  # district (None: city-wide) → (disabled, in facilities)


async def baseline_counts(connection: asyncpg.Connection, on: date) -> Counts:
    rows = await connection.fetch(BASELINE, on)
    return {row["district_code"]: (int(row["disabled"]), int(row["in_facilities"])) for row in rows}


async def baseline_occupancy(connection: asyncpg.Connection, on: date) -> dict[str, tuple[int, int, int]]:
    rows = await connection.fetch(BASELINE_OCCUPANCY, on)
    return {r["district_code"]: (int(r["beds"]), int(r["available"]), int(r["occupied"])) for r in rows}


# --- ours: the use cases behind GET /facilities/v1/kpis/care-rate and /kpis/occupancy, as an auditor ---


async def our_care_rate(new_uow: Callable[[], UnitOfWork], on: date, *, trend: bool) -> CareRateReportOut:
    """One day (`trend=False`: the trend is the day's own month), or the route's default 12-month trend."""
    month = None if trend else f"{on:%Y-%m}"
    return await kpis.care_rate(
        new_uow(), AUDITOR, on=on, district_code=None, trend_from=month, trend_to=month
    )


def counts_of(report: CareRateReportOut) -> Counts:
    counts: Counts = {d.district_code: (d.disabled_persons, d.in_facilities) for d in report.districts}
    counts[None] = (report.overall.disabled_persons, report.overall.in_facilities)
    return counts


async def our_occupancy(new_uow: Callable[[], UnitOfWork], on: date) -> OccupancyReportOut:
    return await kpis.occupancy(new_uow(), AUDITOR, on=on, district_code=None)


def occupancy_of(report: OccupancyReportOut) -> dict[str, tuple[int, int, int]]:
    return {d.district_code: (d.beds, d.available, d.occupied) for d in report.districts}


# --- timing and the command line ---


@dataclass(frozen=True)
class Timed:
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def __str__(self) -> str:
        spread = f"{min(self.seconds) * 1000:.0f}–{max(self.seconds) * 1000:.0f}"
        return f"{self.median * 1000:.0f} ms (median of {len(self.seconds)}: {spread} ms)"


async def timed(repeat: int, work: Callable[[], Awaitable[T]]) -> tuple[Timed, T]:
    """`work` once to warm up (plans, caches), then `repeat` times; the last result."""
    result = await work()
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = await work()
        seconds.append(time.perf_counter() - start)
    return Timed(seconds), result


def check(what: str, ours: Mapping[K, tuple[int, ...]], bare: Mapping[K, tuple[int, ...]]) -> None:
    if ours != bare:
        wrong = sorted((k for k in ours.keys() | bare.keys() if ours.get(k) != bare.get(k)), key=str)
        raise BenchmarkFailed(
            f"{what}: ours and the baseline differ in {len(wrong)} rows, e.g. "
            + "; ".join(f"{k or 'city-wide'}: ours {ours.get(k)}, baseline {bare.get(k)}" for k in wrong[:3])
        )


def rate(counts: tuple[int, ...]) -> str:
    disabled, placed = counts[0], counts[1]
    share = f" ({placed / disabled:.2%})" if disabled else ""
    return f"{placed} of {disabled} disabled persons in facilities{share}"


async def bench(args: argparse.Namespace, server: postgres.PostgresServer) -> None:
    async with migrated(server, "bench_care_rate", DEFINITION) as db:
        new_uow, connection = db.new_uow, db.connection
        loaded = await load(connection, args.rows)
        counts = loaded.counts
        print(
            f"rows: {args.rows} 特困 persons in {DISTRICTS} districts, {counts['care_levels']} care-level facts, "
            f"{counts['facilities']} facilities, {counts['beds']} beds, {counts['placements']} stays "
            f"({loaded.second_stays} second stays), {counts['placement_requests']} placement requests; "
            f"repeat {args.repeat}"
        )
        print(
            f"load: {loaded.seconds:.1f} s set-based, not measured, VACUUM ANALYZE included ({loaded.sizes})"
        )
        if args.set:
            await db.apply(args.set)
            print(f"settings for both paths (ALTER DATABASE … SET): {', '.join(args.set)}")
        await connection.execute("CHECKPOINT")

        bare_days = {day: await baseline_counts(connection, day) for day in (EARLIER, ON)}
        for day, bare_day in bare_days.items():  # correctness first, none of it timed
            check(
                f"the care rate on {day}", counts_of(await our_care_rate(new_uow, day, trend=False)), bare_day
            )
            print(
                f"verified on {day}: ours equals the baseline per district and city-wide; {rate(bare_day[None])}"
            )
        long = await kpis.care_rate(
            new_uow(),
            AUDITOR,
            on=ON,
            district_code=None,
            trend_from=f"{EARLIER:%Y-%m}",
            trend_to=f"{ON:%Y-%m}",
        )
        points = {p.month: (p.disabled_persons, p.in_facilities) for p in long.trend}
        check(
            "the trend",
            {day: points[f"{day:%Y-%m}"] for day in bare_days},
            {day: bare[None] for day, bare in bare_days.items()},
        )
        print(f"verified: a trend of {len(points)} month ends agrees with the baseline at both days")
        bare_beds = await baseline_occupancy(connection, ON)
        check(f"occupancy on {ON}", occupancy_of(await our_occupancy(new_uow, ON)), bare_beds)

        baseline, bare = await timed(args.repeat, lambda: baseline_counts(connection, ON))
        print(f"baseline (one bare statement via asyncpg, per district with a city-wide ROLLUP): {baseline}")
        start_rss = reset_peak_rss()
        ours, report = await timed(args.repeat, lambda: our_care_rate(new_uow, ON, trend=False))
        peak = peak_rss_mib()
        check(f"the care rate on {ON}", counts_of(report), bare)
        print(
            f"ours (kpis.care_rate on {ON}, city-wide, auditor, the trend of that month only): {ours}; "
            f"peak RSS {peak:.0f} MiB (from {start_rss:.0f})"
        )
        trend, _ = await timed(args.repeat, lambda: our_care_rate(new_uow, ON, trend=True))
        print(f"ours with the route's default trend (the 12 month ends to {ON:%Y-%m}, 13 days): {trend}")
        bare_occupancy, _ = await timed(args.repeat, lambda: baseline_occupancy(connection, ON))
        occupancy, _ = await timed(args.repeat, lambda: our_occupancy(new_uow, ON))
        beds, available, held = (sum(figures[i] for figures in bare_beds.values()) for i in range(3))
        print(
            f"occupancy on {ON} ({held} of {beds} beds held, {available} in service): ours (kpis.occupancy, "
            f"{counts['facilities']} facilities and their districts) {occupancy}; bare count per district "
            f"{bare_occupancy}; checked equal per district"
        )
    print(f"ratio: {ours.median / baseline.median:.2f}")


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = bench_parser("python -m bench.care_rate", __doc__, rows_help="特困 persons", rows=200_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each path (default 5)")
    return parse_checked(parser, argv, "rows", "repeat")


def main(argv: Sequence[str] | None = None) -> None:
    run_against_server(bench, parse(argv))


if __name__ == "__main__":
    main()
