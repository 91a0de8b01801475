"""Recording an approval reads the application, its steps, its household, the standard in force and the
calendar once each, in one transaction (issue 11)."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.resident_id import check_character
from tests.eligibility.conftest import Api

DISTRICT = "500103"
HOUSEHOLD: dict[str, Any] = {
    "district_code": DISTRICT,
    "area": "urban",
    "members": [
        {
            "id_number": "50010319500301123" + check_character("50010319500301123"),
            "name": "张桂兰",
            "birth_date": "1950-03-01",
            "relation": "head",
            "disability_grade": 2,
            "disability_kind": "physical",
        },
        {
            "id_number": "50010320140901456" + check_character("50010320140901456"),
            "name": "张小明",
            "birth_date": "2014-09-01",
            "relation": "grandchild",
            "student": True,
        },
    ],
    "monthly_income_fen": 60_000,
}
INVESTIGATION: list[dict[str, Any]] = [
    {"kind": "accepted", "on": "2026-10-12"},
    {"kind": "data_cross_checked", "on": "2026-10-13", "details": {"findings": ["tax: no income"]}},
    {"kind": "home_visited", "on": "2026-10-14", "details": {"investigators": ["inv-a", "inv-b"]}},
    {"kind": "township_reviewed", "on": "2026-10-20"},
    {"kind": "notice_posted", "on": "2026-10-21"},
]
APPROVE: dict[str, Any] = {"kind": "approved", "on": "2026-10-29"}
_SELECT_FROM = re.compile(r"^\s*SELECT\b.*?\bFROM\s+(\w+)", re.IGNORECASE | re.DOTALL)


@contextmanager
def statements_on(database: str | None) -> Iterator[list[str]]:
    """Every statement this task sends to `database` (by any engine: the app builds its own) while the block
    runs; each transaction begun shows as a `BEGIN` line. The app's own tasks (the outbox relay, woken by
    the approval's commit) are not the request's work, and are left out."""
    seen: list[str] = []
    request = asyncio.current_task()

    def ours(conn: Any) -> bool:
        return bool(conn.engine.url.database == database and asyncio.current_task() is request)

    def record(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if ours(conn):
            seen.append(statement)

    def begin(conn: Any) -> None:
        if ours(conn):
            seen.append("BEGIN")

    event.listen(Engine, "before_cursor_execute", record)
    event.listen(Engine, "begin", begin)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)
        event.remove(Engine, "begin", begin)


def selects_from(statements: list[str]) -> Counter[str]:
    """How many SELECTs read each table first named after FROM."""
    return Counter(match.group(1) for s in statements if (match := _SELECT_FROM.match(s)))


async def _ready_for_approval(api: Api) -> str:
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    created = await api.client.post("/v1/households", json=HOUSEHOLD, headers=caseworker)
    assert created.status_code == 201, created.text
    applied = await api.client.post(
        "/v1/applications",
        json={"household_id": created.json()["id"], "program": "dibao", "applied_on": "2026-10-12"},
        headers=caseworker,
    )
    assert applied.status_code == 201, applied.text
    application_id = str(applied.json()["id"])
    for step in INVESTIGATION:
        response = await api.client.post(
            f"/v1/applications/{application_id}/steps", json=step, headers=caseworker
        )
        assert response.status_code == 200, (step, response.text)
    return application_id


async def test_an_approval_reads_each_thing_it_needs_once(api: Api, eligibility_engine: AsyncEngine) -> None:
    application_id = await _ready_for_approval(api)
    with statements_on(eligibility_engine.url.database) as statements:
        decided = await api.client.post(
            f"/v1/applications/{application_id}/steps",
            json=APPROVE,
            headers=api.token("reviewer", DISTRICT, subject="rv-1"),
        )
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["state"] == "approved" and body["case_id"] and body["steps"][-1]["kind"] == "approved"
    assert body["steps"][-1]["recorded_at"]

    reads = selects_from(statements)
    assert reads["applications"] == 1, statements
    assert reads["application_steps"] == 1, statements
    assert reads["households"] == 1, statements
    assert reads["calendar_years"] == 1, statements
    # The city-wide standards in force on the application's day and on the decision's day, in one
    # statement; the district's overrides (the workflow's help-first rules) are a second one.
    city = [s for s in statements if _SELECT_FROM.match(s) and "district_code IS NULL" in s]
    district = [s for s in statements if _SELECT_FROM.match(s) and "standards.district_code = " in s]
    assert reads["standards"] == 2 and len(city) == 1 and len(district) == 1, statements
    # One transaction: the answer is built from what the approval already has.
    assert statements.count("BEGIN") == 1, statements
