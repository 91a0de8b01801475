"""Problem lists and rectification: a finding goes on its district's list once; a problem closes only with
evidence and a second person's sign-off, refused by the use case and by the database alike; overdue problems
escalate to the municipal level on the injected clock, across a year end; district staff see their own
districts only; bad requests are problems naming the field."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy.exc import DBAPIError

from services.oversight.schemas.problems import ClosureIn, EvidenceIn, ProblemIn, RectificationIn
from services.oversight.service import problems as problem_service
from shared.auth import Principal, Role
from shared.clock import FixedClock
from shared.contracts.eligibility import CaseReviewScheduled
from shared.errors import Conflict, Forbidden
from tests.kit.oversight import (
    AUDITOR,
    DISTRICT,
    OTHER_DISTRICT,
    Oversight,
    cases,
    run,
    serve_on,
    unit_of_work,
)

TODAY = date(2026, 12, 3)
CLOCK = FixedClock(TODAY)


def staff(subject: str, role: Role = Role.reviewer, district: str = DISTRICT) -> Principal:
    return Principal(subject=subject, roles=frozenset({role}), districts=frozenset({district}))


OPENER, RECTIFIER, SIGNER = staff("rv-1"), staff("rv-2"), staff("rv-3")
CASEWORKER = staff("cw-1", Role.caseworker)


async def opened(
    oversight: Oversight,
    *,
    district: str = DISTRICT,
    caller: Principal = OPENER,
    deadline: date | None = None,
) -> UUID:
    """A self-inspection problem; with a `deadline`, its rectification set by RECTIFIER (or an auditor)."""
    body = ProblemIn(
        district_code=district, source="self_inspection", title="files", description="incomplete"
    )
    problem = await problem_service.open_problem(unit_of_work(oversight), caller, body, clock=CLOCK)
    if deadline is not None:
        rectifier = RECTIFIER if district == DISTRICT else AUDITOR
        plan = RectificationIn(responsible_person="cw-1", measures="complete the files", deadline=deadline)
        await problem_service.set_rectification(
            unit_of_work(oversight), rectifier, problem.id, plan, clock=CLOCK
        )
    return problem.id


async def evidenced(oversight: Oversight, problem_id: UUID) -> None:
    evidence = EvidenceIn(description="files completed and filed", document_ref="渝中民〔2026〕12号")
    await problem_service.add_evidence(unit_of_work(oversight), CASEWORKER, problem_id, evidence, clock=CLOCK)


async def close(oversight: Oversight, caller: Principal, problem_id: UUID) -> str:
    answer = await problem_service.close(
        unit_of_work(oversight), caller, problem_id, ClosureIn(note="checked on site"), clock=CLOCK
    )
    return answer.status


async def test_a_finding_goes_on_the_list_once_and_closes_with_evidence_and_a_second_persons_sign_off(
    oversight: Oversight,
) -> None:
    (case_id,) = await cases(oversight, 1, on=date(2025, 1, 10))
    due = CaseReviewScheduled(
        case_id=case_id,
        occasion="approved",
        next_review_due=date(2026, 1, 10),
        scheduled_on=date(2025, 1, 10),
    )
    await oversight.deliver([due])
    await run(oversight, "R13")
    (finding_id,) = [r[0] for r in await oversight.rows("SELECT id FROM findings")]

    problem = await problem_service.list_finding(unit_of_work(oversight), OPENER, finding_id, clock=CLOCK)
    assert (problem.source, problem.status, problem.case_id) == ("finding", "open", case_id)
    assert problem.title.startswith("R13: ")
    with pytest.raises(Conflict) as twice:
        await problem_service.list_finding(unit_of_work(oversight), SIGNER, finding_id, clock=CLOCK)
    assert twice.value.errors[0].rule == "listed"

    with pytest.raises(Conflict) as unplanned:
        await close(oversight, SIGNER, problem.id)
    assert unplanned.value.errors[0].rule == "no_rectification"
    plan = RectificationIn(responsible_person="cw-1", measures="review the case", deadline=date(2026, 12, 31))
    await problem_service.set_rectification(unit_of_work(oversight), RECTIFIER, problem.id, plan, clock=CLOCK)
    with pytest.raises(Conflict) as bare:
        await close(oversight, SIGNER, problem.id)
    assert bare.value.errors[0].rule == "evidence_required"

    await evidenced(oversight, problem.id)
    for not_a_second_person in (OPENER, RECTIFIER):
        with pytest.raises(Forbidden) as own:
            await close(oversight, not_a_second_person, problem.id)
        assert (own.value.errors[0].field, own.value.errors[0].rule) == ("closed_by", "second_person")
    assert await close(oversight, SIGNER, problem.id) == "closed"
    with pytest.raises(Conflict):
        await evidenced(oversight, problem.id)

    audited = await oversight.rows(
        "SELECT action, actor FROM audit_log WHERE subject_type = 'problem' ORDER BY seq"
    )
    assert audited == [
        ("problem.opened", "rv-1"),
        ("problem.rectification_set", "rv-2"),
        ("problem.evidence_added", "cw-1"),
        ("problem.closed", "rv-3"),
    ]


async def test_the_database_refuses_a_closure_without_evidence_or_by_the_opener(oversight: Oversight) -> None:
    problem_id = await opened(oversight, deadline=date(2026, 12, 31))
    closing = (
        "UPDATE problems SET status = 'closed', closed_by = :by, closed_at = now(), closing_note = 'done'"
        " WHERE id = :id RETURNING id"
    )
    with pytest.raises(DBAPIError, match="without evidence"):
        await oversight.rows(closing, by="rv-3", id=problem_id)
    await evidenced(oversight, problem_id)
    for not_a_second_person in ("rv-1", "rv-2"):
        with pytest.raises(DBAPIError, match="ck_problems_second_person"):
            await oversight.rows(closing, by=not_a_second_person, id=problem_id)
    with pytest.raises(DBAPIError, match="ck_problems_closed_signed_off"):
        await oversight.rows(
            "UPDATE problems SET status = 'closed' WHERE id = :id RETURNING id", id=problem_id
        )
    await oversight.rows(closing, by="rv-3", id=problem_id)
    with pytest.raises(DBAPIError, match="final"):
        await oversight.rows(
            "UPDATE problems SET status = 'rectifying' WHERE id = :id RETURNING id", id=problem_id
        )
    with pytest.raises(DBAPIError, match="append-only"):
        await oversight.rows(
            "DELETE FROM problem_evidence WHERE problem_id = :id RETURNING id", id=problem_id
        )
    assert await oversight.rows("SELECT status, closed_by FROM problems") == [("closed", "rv-3")]


async def test_overdue_problems_escalate_to_the_municipal_level_across_the_year_end(
    oversight: Oversight, keys: Path
) -> None:
    year_end = await opened(oversight, deadline=date(2026, 12, 31))
    closed_in_time = await opened(oversight, deadline=date(2026, 12, 31))
    await evidenced(oversight, closed_in_time)
    await close(oversight, SIGNER, closed_in_time)
    elsewhere = await opened(oversight, district=OTHER_DISTRICT, caller=AUDITOR, deadline=date(2026, 12, 3))
    await opened(oversight)  # no rectification, so no deadline: never overdue

    on_the_deadline = await problem_service.escalate(
        unit_of_work(oversight), AUDITOR, today=date(2026, 12, 31)
    )
    assert on_the_deadline.escalated == [elsewhere]
    new_year = await problem_service.escalate(unit_of_work(oversight), AUDITOR, today=date(2027, 1, 1))
    assert new_year.escalated == [year_end]
    again = await problem_service.escalate(unit_of_work(oversight), AUDITOR, today=date(2027, 1, 1))
    assert again.escalated == []
    escalations = await oversight.rows(
        "SELECT subject_id, details ->> 'days_overdue' FROM audit_log WHERE action = 'problem.escalated' ORDER BY seq"
    )
    assert escalations == [(str(elsewhere), "28"), (str(year_end), "1")]

    async with serve_on(date(2027, 1, 1), oversight, keys) as served:
        municipal = await served.client.get("/v1/problems/municipal", headers=served.token("auditor"))
        listed = [(p["id"], p["days_overdue"], p["escalated_on"]) for p in municipal.json()["items"]]
        assert listed == [(str(elsewhere), 29, "2026-12-31"), (str(year_end), 1, "2027-01-01")]
        reviewer = served.token("reviewer", DISTRICT)
        assert (await served.client.get("/v1/problems/municipal", headers=reviewer)).status_code == 403
        assert (await served.client.post("/v1/problem-escalations", headers=reviewer)).status_code == 403
        own = (await served.client.get("/v1/problems?overdue=true", headers=reviewer)).json()
        assert [(p["id"], p["overdue"]) for p in own["items"]] == [(str(year_end), True)]
    async with serve_on(date(2026, 12, 31), oversight, keys) as served:
        before = await served.client.get(f"/v1/problems/{year_end}", headers=served.token("auditor"))
        assert (before.json()["overdue"], before.json()["days_overdue"]) == (False, None)


async def test_district_staff_never_see_another_districts_problems(oversight: Oversight, keys: Path) -> None:
    mine = await opened(oversight)
    theirs = await opened(oversight, district=OTHER_DISTRICT, caller=AUDITOR)
    async with serve_on(TODAY, oversight, keys) as served:
        reviewer = served.token("reviewer", DISTRICT, subject="rv-9")
        listed = (await served.client.get("/v1/problems", headers=reviewer)).json()
        assert (listed["total"], [p["id"] for p in listed["items"]]) == (1, [str(mine)])
        every = (await served.client.get("/v1/problems", headers=served.token("auditor"))).json()
        assert every["total"] == 2
        for read in (
            served.client.get(f"/v1/problems/{theirs}", headers=reviewer),
            served.client.put(
                f"/v1/problems/{theirs}/rectification",
                json={"responsible_person": "rv-9", "measures": "m", "deadline": "2026-12-31"},
                headers=reviewer,
            ),
            served.client.post(
                f"/v1/problems/{theirs}/evidence", json={"description": "d"}, headers=reviewer
            ),
            served.client.post(f"/v1/problems/{theirs}/closure", json={"note": "n"}, headers=reviewer),
        ):
            answer = await read
            assert answer.status_code == 404 and answer.json()["title"] == "Not found"
        outside = await served.client.get(f"/v1/problems?district_code={OTHER_DISTRICT}", headers=reviewer)
        assert outside.status_code == 403
        body = {"district_code": OTHER_DISTRICT, "source": "complaint", "title": "t", "description": "d"}
        assert (await served.client.post("/v1/problems", json=body, headers=reviewer)).status_code == 403


async def test_bad_problem_requests_are_problems_naming_the_field(oversight: Oversight, keys: Path) -> None:
    problem_id = await opened(oversight)
    async with serve_on(TODAY, oversight, keys) as served:
        reviewer = served.token("reviewer", DISTRICT, subject="rv-9")

        async def refused(
            method: str, path: str, body: dict[str, Any] | None = None
        ) -> tuple[int, list[str]]:
            answer = await served.client.request(method, path, json=body, headers=reviewer)
            return answer.status_code, [e["field"] for e in answer.json().get("errors", [])]

        good = {"district_code": DISTRICT, "source": "complaint", "title": "t", "description": "d"}
        assert await refused("POST", "/v1/problems", {**good, "title": ""}) == (422, ["title"])
        assert await refused("POST", "/v1/problems", {**good, "title": "x" * 201}) == (422, ["title"])
        assert await refused("POST", "/v1/problems", {**good, "source": "finding"}) == (422, ["source"])
        assert await refused("POST", "/v1/problems", {**good, "district_code": "5001"}) == (
            422,
            ["district_code"],
        )
        unknown = "6f1c2e4a-0b6e-4b59-9a3e-5f8f1d2c3b4a"
        assert await refused("POST", "/v1/problems", {**good, "case_id": unknown}) == (422, ["case_id"])
        assert await refused("POST", "/v1/problems", {**good, "contract_id": unknown}) == (
            422,
            ["contract_id"],
        )
        plan = {"responsible_person": "cw-1", "measures": "m", "deadline": "2026-12-02"}
        path = f"/v1/problems/{problem_id}/rectification"
        assert await refused("PUT", path, plan) == (422, ["deadline"])
        assert await refused(
            "PUT", path, {**plan, "deadline": "2026-12-03", "responsible_person": "a b"}
        ) == (
            422,
            ["responsible_person"],
        )
        evidence = f"/v1/problems/{problem_id}/evidence"
        assert await refused("POST", evidence, {"description": "d", "document_ref": "x" * 201}) == (
            422,
            ["document_ref"],
        )
        assert await refused("POST", f"/v1/problems/{problem_id}/closure", {"note": ""}) == (422, ["note"])
        assert await refused("GET", "/v1/problems?status=done") == (422, ["status"])
        assert await refused("GET", "/v1/problems?limit=501") == (422, ["limit"])
        assert (await refused("GET", "/v1/problems/not-a-uuid"))[0] == 422
        assert await refused("POST", f"/v1/findings/{unknown}/problem") == (404, [])
        assert (
            await served.client.put(path, json={**plan, "deadline": "2026-12-03"}, headers=reviewer)
        ).status_code == 200
