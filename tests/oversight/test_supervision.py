"""Supervision spot checks: a draw is reproducible from its seed and differs with another; every relatives'
case is drawn and at least 30% (rounded up) of the new ones; sampled cases go to a team whose members record
the results, a problem found going onto the district's list; bad or out-of-district requests are refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from services.oversight.domain.supervision import draw as draw_from
from services.oversight.domain.supervision import sample_size
from services.oversight.schemas.supervision import AssignmentIn, DrawIn, ResultIn, TeamIn
from services.oversight.service import supervision as supervision_service
from shared.auth import Principal, Role
from shared.clock import FixedClock
from shared.errors import Conflict, Forbidden
from tests.kit.oversight import DISTRICT, OTHER_DISTRICT, Oversight, cases, serve_on, unit_of_work

TODAY = date(2026, 12, 3)
CLOCK = FixedClock(TODAY)
SUPERVISOR = Principal(subject="rv-1", roles=frozenset({Role.reviewer}), districts=frozenset({DISTRICT}))
PERIOD = {"district_code": DISTRICT, "period_from": "2026-11-01", "period_to": "2026-11-30"}


def inspector(subject: str) -> Principal:
    return Principal(subject=subject, roles=frozenset({Role.caseworker}), districts=frozenset({DISTRICT}))


async def sampled(oversight: Oversight, **body: Any) -> tuple[UUID, dict[UUID, str]]:
    """A draw over PERIOD (and `body`), and its sample: case id → reason."""
    drawn = await supervision_service.draw(
        unit_of_work(oversight), SUPERVISOR, DrawIn.model_validate({**PERIOD, **body}), clock=CLOCK
    )
    page = await supervision_service.list_sample(
        unit_of_work(oversight), SUPERVISOR, drawn.id, offset=0, limit=1000
    )
    assert page.total == drawn.sampled_new_cases + drawn.sampled_relatives_cases == len(page.items)
    return drawn.id, {item.case_id: item.reason for item in page.items}


def test_a_sample_is_the_rate_of_its_pool_rounded_up_and_depends_on_the_seed_only() -> None:
    assert [sample_size(7, 30), sample_size(10, 30), sample_size(7, 0), sample_size(7, 100)] == [3, 3, 0, 7]
    assert sample_size(203, 30) == 61
    pool = [UUID(int=n) for n in range(50)]
    assert draw_from(pool, rate_pct=30, seed=1) == draw_from(list(reversed(pool)), rate_pct=30, seed=1)
    assert draw_from(pool, rate_pct=30, seed=1) != draw_from(pool, rate_pct=30, seed=2)


async def test_a_draw_is_reproducible_from_its_seed_and_takes_every_relatives_case(
    oversight: Oversight,
) -> None:
    new = set(await cases(oversight, 203, on=date(2026, 11, 10)))
    relatives_new = set(await cases(oversight, 3, on=date(2026, 11, 20), relatives=True))
    relatives_old = set(await cases(oversight, 2, on=date(2025, 6, 1), relatives=True))
    older = set(await cases(oversight, 20, on=date(2026, 10, 31)))
    elsewhere = set(await cases(oversight, 20, district=OTHER_DISTRICT, on=date(2026, 11, 10)))

    first_id, first = await sampled(oversight, seed=7)
    _, again = await sampled(oversight, seed=7)
    _, other_seed = await sampled(oversight, seed=8)
    assert first == again
    assert first != other_seed

    relatives = relatives_new | relatives_old
    assert {c for c, why in first.items() if why == "relative"} == relatives
    drawn_new = {c for c, why in first.items() if why == "new_case"}
    assert drawn_new <= new and len(drawn_new) == 61  # 30% of 203 is 60.9: rounded up
    assert not set(first) & (older | elsewhere)
    assert {c for c, why in other_seed.items() if why == "relative"} == relatives

    record = await supervision_service.read_draw(unit_of_work(oversight), SUPERVISOR, first_id)
    assert (record.seed, record.new_cases, record.relatives_cases) == (7, 203, 5)
    assert (record.new_case_rate_pct, record.relatives_rate_pct) == (30, 100)

    _, random_seed = await sampled(oversight, new_case_rate_pct=50, relatives_rate_pct=40)
    assert len([c for c, why in random_seed.items() if why == "new_case"]) == 102
    assert len([c for c, why in random_seed.items() if why == "relative"]) == 2
    seeds = await oversight.rows("SELECT seed FROM spot_check_draws ORDER BY drawn_at, seed")
    assert len(seeds) == 4 and all(0 <= s <= 2**31 - 1 for (s,) in seeds)


async def test_a_team_checks_its_cases_and_a_problem_found_goes_on_the_list(oversight: Oversight) -> None:
    await cases(oversight, 4, on=date(2026, 11, 10))
    draw_id, sample = await sampled(oversight, new_case_rate_pct=100, seed=1)
    first, second, third, fourth = sorted(sample)
    team = await supervision_service.create_team(
        unit_of_work(oversight),
        SUPERVISOR,
        TeamIn(district_code=DISTRICT, name="第一组", members=["cw-1", "cw-2"]),
        clock=CLOCK,
    )

    async def result(caller: Principal, case_id: UUID, **body: Any) -> Any:
        return await supervision_service.record_result(
            unit_of_work(oversight), caller, draw_id, case_id, ResultIn.model_validate(body), clock=CLOCK
        )

    with pytest.raises(Conflict):
        await result(inspector("cw-1"), first, outcome="pass")
    assigned = await supervision_service.assign(
        unit_of_work(oversight),
        SUPERVISOR,
        draw_id,
        AssignmentIn(team_id=team.id, case_ids=[first, second, third]),
    )
    assert assigned.assigned == 3
    rest = await supervision_service.assign(
        unit_of_work(oversight), SUPERVISOR, draw_id, AssignmentIn(team_id=team.id)
    )
    assert rest.assigned == 1

    with pytest.raises(Forbidden) as outsider:
        await result(inspector("cw-3"), first, outcome="pass")
    assert outsider.value.errors[0].rule == "not_team_member"
    assert (await result(inspector("cw-1"), first, outcome="pass")).problem_id is None
    found = await result(inspector("cw-2"), second, outcome="problem_found", note="income not verified")
    with pytest.raises(Conflict):
        await result(inspector("cw-2"), second, outcome="pass")
    with pytest.raises(Conflict):
        await supervision_service.assign(
            unit_of_work(oversight), SUPERVISOR, draw_id, AssignmentIn(team_id=team.id, case_ids=[second])
        )

    problems = await oversight.rows(
        "SELECT id, district_code, source, case_id, description, opened_by FROM problems"
    )
    assert problems == [(found.problem_id, DISTRICT, "supervision", second, "income not verified", "cw-2")]
    assert fourth not in (first, second)
    audited = await oversight.rows(
        "SELECT action FROM audit_log WHERE action LIKE 'spot_check.%' OR action LIKE 'problem.%' ORDER BY seq"
    )
    assert [a for (a,) in audited] == [
        "spot_check.drawn",
        "spot_check.assigned",
        "spot_check.assigned",
        "spot_check.checked",
        "problem.opened",
        "spot_check.checked",
    ]


async def test_bad_or_out_of_district_supervision_requests_are_refused(
    oversight: Oversight, keys: Path
) -> None:
    await cases(oversight, 2, on=date(2026, 11, 10))
    await cases(oversight, 2, district=OTHER_DISTRICT, on=date(2026, 11, 10))
    async with serve_on(TODAY, oversight, keys) as served:
        reviewer = served.token("reviewer", DISTRICT)
        auditor = served.token("auditor")

        async def refused(
            method: str, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] = reviewer
        ) -> tuple[int, list[str]]:
            answer = await served.client.request(method, path, json=body, headers=headers)
            return answer.status_code, [e["field"] for e in answer.json().get("errors", [])]

        assert await refused("POST", "/v1/spot-check-draws", {**PERIOD, "new_case_rate_pct": 101}) == (
            422,
            ["new_case_rate_pct"],
        )
        assert await refused("POST", "/v1/spot-check-draws", {**PERIOD, "seed": -1}) == (422, ["seed"])
        assert await refused("POST", "/v1/spot-check-draws", {**PERIOD, "period_to": "2026-12-04"}) == (
            422,
            ["period_to"],
        )
        assert await refused("POST", "/v1/spot-check-draws", {**PERIOD, "period_from": "2026-12-01"}) == (
            422,
            ["period_from"],
        )
        theirs = {**PERIOD, "district_code": OTHER_DISTRICT}
        assert (await refused("POST", "/v1/spot-check-draws", theirs))[0] == 403
        team = {"district_code": DISTRICT, "name": "一组", "members": ["cw-1", "cw-1"]}
        assert await refused("POST", "/v1/inspection-teams", team) == (422, ["members"])
        assert await refused("POST", "/v1/inspection-teams", {**team, "members": []}) == (422, ["members"])
        caseworker = served.token("caseworker", DISTRICT)
        assert (await refused("POST", "/v1/spot-check-draws", PERIOD, caseworker))[0] == 403

        other = await served.client.post("/v1/spot-check-draws", json=theirs, headers=auditor)
        assert other.status_code == 201
        other_id = other.json()["id"]
        for path in (f"/v1/spot-check-draws/{other_id}", f"/v1/spot-check-draws/{other_id}/cases"):
            answer = await served.client.get(path, headers=reviewer)
            assert answer.status_code == 404 and "items" not in answer.json()
        mine = (await served.client.post("/v1/spot-check-draws", json=PERIOD, headers=reviewer)).json()
        assert (mine["new_cases"], mine["sampled_new_cases"]) == (2, 1)
        their_team = await served.client.post(
            "/v1/inspection-teams",
            json={**team, "district_code": OTHER_DISTRICT, "members": ["x"]},
            headers=auditor,
        )
        path = f"/v1/spot-check-draws/{mine['id']}/assignments"
        assert await refused("POST", path, {"team_id": their_team.json()["id"]}) == (422, ["team_id"])
        unknown = "6f1c2e4a-0b6e-4b59-9a3e-5f8f1d2c3b4a"
        own_team = await served.client.post(
            "/v1/inspection-teams", json={**team, "members": ["cw-1"]}, headers=reviewer
        )
        assert await refused("POST", path, {"team_id": own_team.json()["id"], "case_ids": [unknown]}) == (
            422,
            ["case_ids.0"],
        )
        result = f"/v1/spot-check-draws/{mine['id']}/cases/{unknown}/result"
        assert await refused("PUT", result, {"outcome": "problem_found"}) == (422, ["note"])
        assert await refused("PUT", result, {"outcome": "maybe"}) == (422, ["outcome"])
        assert (await refused("PUT", result, {"outcome": "pass"}))[0] == 404
        listed = (await served.client.get("/v1/inspection-teams", headers=reviewer)).json()
        assert [t["district_code"] for t in listed["items"]] == [DISTRICT]
