"""The statutory flow on the real calendar: today, the last weeks the calendar knows, and a year nobody
loaded; loading that year over the API makes its provisional deadlines real; bad years change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy import table as sql_table
from sqlalchemy.ext.asyncio import AsyncEngine

from services.eligibility.domain.calendar import read_notice_file
from shared.audit import audit_log
from shared.clock import BUSINESS_ZONE, FixedClock, SystemClock
from shared.contracts.eligibility import WorkingCalendarYearLoaded
from shared.contracts.types import YearMonth
from shared.messaging.tables import outbox
from shared.workdays import WorkingDayCalendar, package_years
from tests.eligibility.conftest import Api, serve
from tests.kit import wait_for
from tests.kit.eligibility import DISTRICT, events, registered

PACKAGE = WorkingDayCalendar()
LAST_KNOWN = date(max(package_years()), 12, 31)
UNKNOWN_YEAR = LAST_KNOWN.year + 1
TABLE = Path(__file__).parent / "data" / "calendar_2027.yaml"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(SystemClock().today())


@pytest.fixture
async def api(eligibility_engine: AsyncEngine, keys: Path, clock: FixedClock) -> AsyncIterator[Api]:
    async with serve(eligibility_engine, keys, clock, bus="in-process") as client:
        yield client


def later(day: date, days: int) -> str:
    return (day + timedelta(days=days)).isoformat()


async def record(
    api: Api, clock: FixedClock, application_id: str, step: dict[str, Any], who: dict[str, str]
) -> dict[str, Any]:
    """Record a step on the day it happened: the clock stands on that day."""
    clock.set(date.fromisoformat(step["on"]))
    response = await api.client.post(f"/v1/applications/{application_id}/steps", json=step, headers=who)
    assert response.status_code == 200, (step, response.text)
    body: dict[str, Any] = response.json()
    return body


async def filed_and_accepted(api: Api, clock: FixedClock, day: date) -> tuple[str, dict[str, Any]]:
    clock.set(day)
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    body = {"household_id": await registered(api), "program": "dibao", "applied_on": day.isoformat()}
    filed = await api.client.post("/v1/applications", json=body, headers=caseworker)
    assert filed.status_code == 201, filed.text
    application_id = str(filed.json()["id"])
    accepted = await record(
        api, clock, application_id, {"kind": "accepted", "on": day.isoformat()}, caseworker
    )
    return application_id, accepted


def decision(application: dict[str, Any]) -> dict[str, Any]:
    found: list[dict[str, Any]] = [d for d in application["deadlines"] if d["kind"] == "decision"]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(SystemClock().today(), id="today"),
        pytest.param(LAST_KNOWN - timedelta(days=12), id="last-weeks-of-the-known-calendar"),
        pytest.param(date(UNKNOWN_YEAR, 3, 15), id="a-year-nobody-loaded"),
    ],
)
async def test_the_statutory_flow_runs_on_the_real_calendar(
    api: Api, clock: FixedClock, eligibility_engine: AsyncEngine, day: date
) -> None:
    application_id, accepted = await filed_and_accepted(api, clock, day)
    deadline = decision(accepted)
    due = PACKAGE.add_working_days(day, 25)
    assert deadline["due_on"] == due.isoformat()
    assert deadline["provisional"] is PACKAGE.is_provisional(day, due)
    assert (deadline["provisional_reason"] is not None) is deadline["provisional"]

    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    investigation: list[dict[str, Any]] = [
        {"kind": "data_cross_checked", "on": later(day, 1), "details": {"findings": ["tax: no income"]}},
        {"kind": "home_visited", "on": later(day, 2), "details": {"investigators": ["inv-a", "inv-b"]}},
        {"kind": "township_reviewed", "on": later(day, 3)},
        {"kind": "notice_posted", "on": later(day, 4)},
    ]
    for step in investigation:
        await record(api, clock, application_id, step, caseworker)
    approve = {"kind": "approved", "on": later(day, 12)}
    decided = await record(
        api, clock, application_id, approve, api.token("reviewer", DISTRICT, subject="rv-1")
    )
    assert decided["state"] == "approved" and decided["case_id"]
    assert decision(decided)["met_on"] == approve["on"]
    [approved] = await events(eligibility_engine, "CaseApproved")
    decided_on = date.fromisoformat(approve["on"])
    assert approved.start_month == YearMonth.of(decided_on).next().label


async def test_loading_a_year_makes_provisional_deadlines_real_and_is_audited_and_announced(
    api: Api, clock: FixedClock, eligibility_engine: AsyncEngine
) -> None:
    day = date(UNKNOWN_YEAR, 3, 15)
    application_id, accepted = await filed_and_accepted(api, clock, day)
    guessed = decision(accepted)
    assert guessed["provisional"] and guessed["due_on"] == PACKAGE.add_working_days(day, 25).isoformat()
    reviewer = api.token("reviewer", DISTRICT)
    overdue = await api.client.get("/v1/applications/overdue", headers=reviewer)
    assert overdue.status_code == 200
    listed = await api.client.get("/v1/applications", headers=reviewer)
    [summary] = listed.json()["items"]
    assert summary["decision_due_provisional"] is True

    notice = read_notice_file(TABLE.name, TABLE.read_bytes(), year=UNKNOWN_YEAR, notice=None)
    days = [{"date": d.on.isoformat(), "kind": d.kind, "name": d.name} for d in notice.days]
    body: dict[str, Any] = {"notice": notice.notice, "days": days}
    admin = api.token("admin", "*", subject="ops-1")
    loaded = await api.client.put(f"/v1/calendar/{UNKNOWN_YEAR}", json=body, headers=admin)
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["year"]["revision"] == 1 and loaded.json()["year"]["loaded_by"] == "ops-1"
    recount_id = loaded.json()["recomputation"]["id"]

    async def recounted() -> bool:
        status = await api.client.get(f"/v1/calendar/recomputations/{recount_id}", headers=reviewer)
        return bool(status.json()["status"] == "done")

    await wait_for(recounted, within=10)
    real = decision((await api.client.get(f"/v1/applications/{application_id}", headers=reviewer)).json())
    # The table gives Monday 5 April off (清明节): one working day later than Monday-to-Friday counting.
    assert (guessed["due_on"], real["due_on"]) == (f"{UNKNOWN_YEAR}-04-19", f"{UNKNOWN_YEAR}-04-20")
    assert real["provisional"] is False and real["provisional_reason"] is None
    [summary] = (await api.client.get("/v1/applications", headers=reviewer)).json()["items"]
    assert (summary["decision_due"], summary["decision_due_provisional"]) == (real["due_on"], False)

    overview = (await api.client.get("/v1/calendar", headers=reviewer)).json()
    [entry] = [y for y in overview["years"] if y["year"] == UNKNOWN_YEAR]
    assert (entry["source"], entry["holidays"], entry["shifted_working_days"]) == ("loaded", 26, 5)
    assert overview["known_until"] == f"{UNKNOWN_YEAR}-12-31"
    assert [y["source"] for y in overview["years"] if y["year"] == LAST_KNOWN.year] == ["package"]

    [announced] = await events(eligibility_engine, "WorkingCalendarYearLoaded")
    assert isinstance(announced, WorkingCalendarYearLoaded)
    assert announced.year == UNKNOWN_YEAR and date(UNKNOWN_YEAR, 4, 5) in announced.holidays
    async with eligibility_engine.connect() as connection:
        actions = (await connection.execute(select(audit_log.c.action, audit_log.c.actor))).all()
    assert ("calendar_year.loaded", "ops-1") in actions

    # A correction replaces the year: Monday 5 April worked after all, the deadline back to 19 April.
    corrected = {**body, "days": [d for d in days if d["date"] != f"{UNKNOWN_YEAR}-04-05"]}
    again = await api.client.put(f"/v1/calendar/{UNKNOWN_YEAR}", json=corrected, headers=admin)
    assert again.json()["year"]["revision"] == 2
    fixed = decision((await api.client.get(f"/v1/applications/{application_id}", headers=reviewer)).json())
    assert fixed["due_on"] == f"{UNKNOWN_YEAR}-04-19" and not fixed["provisional"]


async def test_a_bad_year_is_refused_row_by_row_and_stores_nothing(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    admin = api.token("admin", "*", subject="ops-1")
    body = {
        "days": [
            {"date": f"{UNKNOWN_YEAR - 1}-12-31", "kind": "holiday"},
            {"date": f"{UNKNOWN_YEAR}-02-14", "kind": "holiday"},
            {"date": f"{UNKNOWN_YEAR}-02-14", "kind": "working_day"},
        ]
    }
    refused = await api.client.put(f"/v1/calendar/{UNKNOWN_YEAR}", json=body, headers=admin)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["rule"]) for e in refused.json()["errors"]] == [
        ("days[0].date", "outside_year"),
        ("days[2].kind", "holiday_and_working_day"),
    ]
    unknown_column = {"days": [{"date": f"{UNKNOWN_YEAR}-01-01", "kind": "holiday", "remark": "x"}]}
    assert (
        await api.client.put(f"/v1/calendar/{UNKNOWN_YEAR}", json=unknown_column, headers=admin)
    ).status_code == 422
    assert (await api.client.put("/v1/calendar/1999", json={"days": []}, headers=admin)).status_code == 422
    not_admin = api.token("reviewer", DISTRICT)
    assert (
        await api.client.put(f"/v1/calendar/{UNKNOWN_YEAR}", json={"days": []}, headers=not_admin)
    ).status_code == 403
    async with eligibility_engine.connect() as connection:
        for table in ("calendar_years", "deadline_recomputations"):
            assert await connection.scalar(select(func.count()).select_from(sql_table(table))) == 0
        assert await connection.scalar(select(func.count()).select_from(outbox)) == 0


async def test_health_warns_and_metrics_tell_how_far_the_calendar_reaches(
    api: Api, clock: FixedClock
) -> None:
    clock.set(LAST_KNOWN - timedelta(days=90))
    quiet = (await api.client.get("/health")).json()
    assert quiet == {"status": "ok", "warnings": []}
    clock.set(LAST_KNOWN - timedelta(days=30))
    warned = (await api.client.get("/health")).json()
    assert warned["status"] == "ok" and f"load {UNKNOWN_YEAR}" in warned["warnings"][0]
    assert (await api.client.get("/ready")).status_code == 200
    metrics = (await api.client.get("/metrics")).text
    assert "safetynet_calendar_known_days_ahead 30.0" in metrics
    last_day = datetime.combine(LAST_KNOWN, time(), BUSINESS_ZONE).timestamp()
    [exposed] = [line for line in metrics.splitlines() if line.startswith("safetynet_calendar_known_until_")]
    assert float(exposed.split()[1]) == last_day
