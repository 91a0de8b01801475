"""The city-wide run of the checks on a schedule: due from its time of day (Asia/Shanghai) on the injected clock,
at most once a day across ticks, restarts and replicas, a run for the new day across a year end, with the
policy figures of the latest city-wide run, escalating the problems overdue that day; and the service's
runtime starts it when the setting enables it."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from pathlib import Path
from uuid import uuid4

import pytest

from services.oversight.domain.checks import scheduled_day
from services.oversight.service.checks import run_scheduled_checks
from shared.clock import BUSINESS_ZONE
from shared.contracts.eligibility import CaseReviewScheduled
from tests.kit.oversight import (
    OTHER_DISTRICT,
    PARAMETERS,
    Oversight,
    approved,
    household,
    person,
    run,
    serve_on,
    unit_of_work,
)

TWO_AM = time(2, 0)


def shanghai(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BUSINESS_ZONE)


async def overdue_case_and_a_city_wide_run(oversight: Oversight) -> None:
    """A case whose review was due in June, and an auditor's city-wide run of one rule (the standards)."""
    home = household([person(1)])
    case = approved(home)
    due = CaseReviewScheduled(
        case_id=case.case_id,
        occasion="approved",
        next_review_due=date(2026, 6, 1),
        scheduled_on=case.decided_on,
    )
    await oversight.deliver([home, case, due])
    await run(oversight, "R13")


async def scheduled_runs(oversight: Oversight) -> list[tuple[date, str, dict[str, object]]]:
    rows = await oversight.rows(
        "SELECT as_of, started_by, parameters FROM check_runs WHERE started_by = 'schedule' ORDER BY as_of"
    )
    return [(r[0], r[1], r[2]) for r in rows]


@pytest.mark.parametrize(
    ("now", "at", "day"),
    [
        (shanghai(2026, 12, 3, 1, 59), TWO_AM, None),
        (shanghai(2026, 12, 3, 2, 0), TWO_AM, date(2026, 12, 3)),
        (shanghai(2026, 12, 3, 23, 59), TWO_AM, date(2026, 12, 3)),  # a service down at 02:00 catches up
        # 17:30 UTC on 3 December is 01:30 on the 4th in Shanghai: the 4th's run, due at 01:00, not at 02:00
        (datetime.fromisoformat("2026-12-03T17:30:00+00:00"), time(1, 0), date(2026, 12, 4)),
        (datetime.fromisoformat("2026-12-03T17:30:00+00:00"), TWO_AM, None),
        (shanghai(2027, 1, 1, 0, 0), time(0, 0), date(2027, 1, 1)),
    ],
)
def test_the_day_a_scheduled_run_is_due_for(now: datetime, at: time, day: date | None) -> None:
    assert scheduled_day(now, at) == day


async def test_due_it_runs_once_a_day_with_the_latest_city_wide_runs_standards(oversight: Oversight) -> None:
    await overdue_case_and_a_city_wide_run(oversight)
    assert (
        await run_scheduled_checks(unit_of_work(oversight), now=shanghai(2026, 12, 3, 1, 59), at=TWO_AM)
        is None
    )

    ran = await run_scheduled_checks(unit_of_work(oversight), now=shanghai(2026, 12, 3, 2, 0), at=TWO_AM)
    assert ran is not None
    assert (ran.as_of, ran.district_code, ran.started_by) == (date(2026, 12, 3), None, "schedule")
    assert len(ran.rules) == 15  # every rule, not only the R13 of the run it took the standards from
    assert {r.rule: r.again for r in ran.rules if r.again} == {"R13": 1}
    assert [(d, by) for d, by, _ in await scheduled_runs(oversight)] == [(date(2026, 12, 3), "schedule")]
    assert (await scheduled_runs(oversight))[0][2] == {
        **PARAMETERS,
        "vehicle_exempt_up_to_fen": 3_000_000,
        "financial_assets_months": 24,
        "home_acquired_within_years": 3,
        "premium_months": 12,
        "split_within_months": 12,
    }
    assert await oversight.rows(
        "SELECT actor, subject_id FROM audit_log WHERE action = 'checks.run' AND actor = 'schedule'"
    ) == [("schedule", str(ran.id))]

    # a later tick the same day, or a restarted process, finds the day's run made
    for later in (shanghai(2026, 12, 3, 2, 1), shanghai(2026, 12, 3, 23, 59)):
        assert await run_scheduled_checks(unit_of_work(oversight), now=later, at=TWO_AM) is None
    assert len(await scheduled_runs(oversight)) == 1


async def test_without_a_city_wide_run_to_take_the_standards_from_it_waits(oversight: Oversight) -> None:
    await run(oversight, "R13", district_code="500103")  # one district's run sets no city-wide standards
    assert (
        await run_scheduled_checks(unit_of_work(oversight), now=shanghai(2026, 12, 3, 3, 0), at=TWO_AM)
        is None
    )
    assert await scheduled_runs(oversight) == []
    await run(oversight, "R13")
    assert await run_scheduled_checks(unit_of_work(oversight), now=shanghai(2026, 12, 3, 3, 1), at=TWO_AM)


async def test_across_the_year_end_the_new_day_has_its_run(oversight: Oversight) -> None:
    await overdue_case_and_a_city_wide_run(oversight)
    midnight = time(0, 0)
    for now in (shanghai(2026, 12, 31, 23, 59), shanghai(2027, 1, 1, 0, 0), shanghai(2027, 1, 1, 0, 1)):
        await run_scheduled_checks(unit_of_work(oversight), now=now, at=midnight)
    assert [d for d, _, _ in await scheduled_runs(oversight)] == [date(2026, 12, 31), date(2027, 1, 1)]


async def test_two_replicas_racing_make_one_run(oversight: Oversight) -> None:
    await overdue_case_and_a_city_wide_run(oversight)
    now = shanghai(2026, 12, 3, 2, 0)
    results = await asyncio.gather(
        *(run_scheduled_checks(unit_of_work(oversight), now=now, at=TWO_AM) for _ in range(3))
    )
    assert sum(r is not None for r in results) == 1
    assert len(await scheduled_runs(oversight)) == 1
    assert await oversight.rows("SELECT count(*) FROM findings WHERE rule = 'R13'") == [(1,)]


async def test_the_runtime_runs_the_day_when_the_setting_enables_it(oversight: Oversight, keys: Path) -> None:
    await overdue_case_and_a_city_wide_run(oversight)
    schedule = {"enabled": True, "at": "02:00"}
    async with serve_on(date(2026, 12, 3), oversight, keys, check_schedule=schedule):
        for _ in range(200):  # the first round runs as the service starts; wait for its commit
            if await scheduled_runs(oversight):
                break
            await asyncio.sleep(0.05)
    assert [d for d, _, _ in await scheduled_runs(oversight)] == [date(2026, 12, 3)]


async def test_the_days_run_escalates_the_problems_overdue_that_day_city_wide(oversight: Oversight) -> None:
    """A rectification due on 31 December is not overdue on that day's run, and is escalated by 1 January's,
    once, audited as the schedule's."""
    await overdue_case_and_a_city_wide_run(oversight)
    problem = uuid4()
    await oversight.rows(
        "INSERT INTO problems (id, district_code, source, title, description, status, opened_by, opened_at, "
        "responsible_person, measures, deadline, rectification_by, rectification_at) VALUES (:id, :d, "
        "'self_inspection', 't', 'd', 'rectifying', 'opener', :at, 'chief', 'visit', :deadline, 'setter', :at) "
        "RETURNING id",
        id=problem,
        d=OTHER_DISTRICT,
        at=shanghai(2026, 12, 1, 9, 0),
        deadline=date(2026, 12, 31),
    )
    for now in (shanghai(2026, 12, 31, 2, 0), shanghai(2027, 1, 1, 2, 0), shanghai(2027, 1, 1, 3, 0)):
        await run_scheduled_checks(unit_of_work(oversight), now=now, at=TWO_AM)
    assert await oversight.rows("SELECT escalated_on FROM problems") == [(date(2027, 1, 1),)]
    assert await oversight.rows(
        "SELECT actor, subject_id FROM audit_log WHERE action = 'problem.escalated'"
    ) == [("schedule", str(problem))]
