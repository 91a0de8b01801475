"""Findings across runs and districts: a hit found again is the same finding and raises no second event;
district staff run and read their own districts only; bad requests are problems naming the field."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from shared.auth import Principal, Role
from shared.contracts.catalogue import registry
from shared.contracts.eligibility import CaseReviewScheduled
from shared.contracts.oversight import FindingRaised
from shared.errors import Forbidden
from shared.messaging.tables import outbox
from tests.kit.oversight import (
    DISTRICT,
    OTHER_DISTRICT,
    PARAMETERS,
    Oversight,
    approved,
    household,
    load,
    person,
    run,
    serve,
)

REVIEWER = Principal(subject="rv-1", roles=frozenset({Role.reviewer}), districts=frozenset({DISTRICT}))


async def overdue_in_both_districts(oversight: Oversight) -> dict[str, Any]:
    """An overdue review in each district, and a recipient in prison in the first."""
    (a, a_id), (b, b_id) = person(1), person(2)
    here, there = household([(a, a_id)]), household([(b, b_id)], district=OTHER_DISTRICT)
    cases = {DISTRICT: approved(here), OTHER_DISTRICT: approved(there)}
    due = [
        CaseReviewScheduled(
            case_id=c.case_id,
            occasion="approved",
            next_review_due=date(2026, 6, 1),
            scheduled_on=c.decided_on,
        )
        for c in cases.values()
    ]
    await oversight.deliver([here, there, *cases.values(), *due])
    await load(oversight, "prisons", "id_number,custody,from,until", f"{a_id},prison,2026-10-01,")
    return cases


async def published(oversight: Oversight) -> list[FindingRaised]:
    async with oversight.engine.connect() as connection:
        rows = (await connection.execute(select(outbox).where(outbox.c.type == "FindingRaised"))).all()
    events = [registry.decode(r.type, r.event_id, r.occurred_at, dict(r.payload)) for r in rows]
    assert all(isinstance(e, FindingRaised) for e in events)
    return events  # type: ignore[return-value]


async def test_a_hit_found_again_is_the_same_finding_and_raises_no_second_event(oversight: Oversight) -> None:
    cases = await overdue_in_both_districts(oversight)
    first = await run(oversight, "R7", "R13")
    assert (first.findings_new, first.findings_again) == (3, 0)
    second = await run(oversight, "R7", "R13", as_of=date(2026, 11, 16))
    assert (second.findings_new, second.findings_again) == (0, 3)
    assert [(r.rule, r.new, r.again) for r in second.rules] == [("R7", 0, 1), ("R13", 0, 2)]

    rows = await oversight.rows("SELECT rule, first_run_id, last_run_id FROM findings ORDER BY rule")
    assert len(rows) == 3 and all((f, last) == (first.id, second.id) for _, f, last in rows)
    events = await published(oversight)
    assert sorted((e.rule, e.case_id, e.suspend_case) for e in events) == sorted(
        [
            ("R7", cases[DISTRICT].case_id, True),
            ("R13", cases[DISTRICT].case_id, False),
            ("R13", cases[OTHER_DISTRICT].case_id, False),
        ]
    )
    (overdue,) = [e for e in events if e.rule == "R13" and e.district_code == DISTRICT]
    assert overdue.evidence == {"next_review_due": "2026-06-01", "days_overdue": 168}
    assert all(e.run_id == first.id and e.found_on == date(2026, 11, 16) for e in events)
    audited = await oversight.rows(
        "SELECT action, subject_id FROM audit_log WHERE subject_type = 'check_run' ORDER BY seq"
    )
    assert audited == [("checks.run", str(first.id)), ("checks.run", str(second.id))]


async def test_district_staff_run_and_read_their_own_district_only(oversight: Oversight, keys: Path) -> None:
    cases = await overdue_in_both_districts(oversight)
    with pytest.raises(Forbidden) as city_wide:
        await run(oversight, "R13", caller=REVIEWER)
    assert city_wide.value.errors[0].field == "district_code"
    with pytest.raises(Forbidden):
        await run(oversight, "R13", caller=REVIEWER, district_code=OTHER_DISTRICT)
    mine = await run(oversight, "R13", caller=REVIEWER, district_code=DISTRICT)
    assert mine.findings_new == 1
    await run(oversight, "R13")  # city-wide: finds the other district's too
    async with serve(oversight, keys) as served:
        reviewer = served.token("reviewer", DISTRICT)
        listed = (await served.client.get("/v1/findings", headers=reviewer)).json()
        assert [f["case_id"] for f in listed["items"]] == [str(cases[DISTRICT].case_id)]
        every = (await served.client.get("/v1/findings", headers=served.token("auditor"))).json()
        assert every["total"] == 2
        (theirs,) = [f for f in every["items"] if f["district_code"] == OTHER_DISTRICT]
        assert (await served.client.get(f"/v1/findings/{theirs['id']}", headers=reviewer)).status_code == 404
        outside = await served.client.get(f"/v1/findings?district_code={OTHER_DISTRICT}", headers=reviewer)
        assert outside.status_code == 403 and outside.json()["errors"][0]["field"] == "district_code"


async def test_bad_run_requests_are_problems_naming_the_field(oversight: Oversight, keys: Path) -> None:
    async with serve(oversight, keys) as served:
        auditor = served.token("auditor")

        async def refused(body: dict[str, Any], headers: dict[str, str] = auditor) -> tuple[int, list[str]]:
            answer = await served.client.post("/v1/check-runs", json=body, headers=headers)
            return answer.status_code, [e["field"] for e in answer.json().get("errors", [])]

        good: dict[str, Any] = {"rules": ["R13"], "parameters": PARAMETERS}
        assert await refused({"rules": ["R13"]}) == (422, ["parameters"])
        assert await refused({**good, "parameters": {**PARAMETERS, "urban_standard_fen": 0}}) == (
            422,
            ["parameters.urban_standard_fen"],
        )
        assert await refused({**good, "rules": ["R13", "R13"]}) == (422, ["rules"])
        assert await refused({**good, "rules": ["R15"]}) == (422, ["rules.0"])
        assert await refused({**good, "as_of": "2026-11-17"}) == (422, ["as_of"])
        assert await refused({**good, "as_of": "2017-12-31"}) == (422, ["as_of"])
        assert await refused({**good, "district_code": "5001"}) == (422, ["district_code"])
        assert (await refused(good, served.token("caseworker", DISTRICT)))[0] == 403
        assert (await served.client.get("/v1/findings?limit=0", headers=auditor)).status_code == 422
        ran = await served.client.post("/v1/check-runs", json=good, headers=auditor)
        assert ran.status_code == 201 and ran.json()["rules"][0]["rule"] == "R13"
