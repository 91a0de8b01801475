"""Government-purchased services: a provider's credit code is checked; tasks are given within a contract and
completed with evidence; a contract's evaluation is computed on a small known example; bad or out-of-district
requests are refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from services.oversight.domain.purchased_services import (
    Performance,
    credit_code_check_character,
    credit_code_problem,
)
from services.oversight.schemas.problems import ProblemIn
from services.oversight.schemas.purchased_services import (
    CompletionIn,
    ContractIn,
    EvaluationIn,
    ProviderIn,
    TaskIn,
)
from services.oversight.schemas.supervision import AssignmentIn, DrawIn, ResultIn, TeamIn
from services.oversight.service import problems as problem_service
from services.oversight.service import purchased_services as service
from services.oversight.service import supervision as supervision_service
from shared.auth import Principal, Role
from shared.clock import FixedClock
from shared.db import UnitOfWork
from tests.kit.oversight import DISTRICT, OTHER_DISTRICT, Oversight, cases, serve_on, unit_of_work

TODAY = date(2026, 12, 3)
CLOCK = FixedClock(TODAY)
BUYER = Principal(subject="rv-1", roles=frozenset({Role.reviewer}), districts=frozenset({DISTRICT}))
CASEWORKER = Principal(subject="cw-1", roles=frozenset({Role.caseworker}), districts=frozenset({DISTRICT}))
CREDIT_CODE = "91350100M000100Y43"
"""A published unified social credit code (its check character is 3)."""


def test_a_credit_code_is_checked_by_its_check_character() -> None:
    assert credit_code_problem(CREDIT_CODE) is None
    assert credit_code_problem("91350100M000100Y44") is not None
    assert credit_code_problem("91350100M000100Y4") is not None
    assert credit_code_problem("91350100M000100I43") is not None  # I is not in the alphabet
    made = "52500103MJP123456" + credit_code_check_character("52500103MJP123456")
    assert credit_code_problem(made) is None
    assert all(
        credit_code_problem(made[:17] + c) is not None
        for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"
        if c != made[17]
    )


def test_the_score_is_timeliness_quality_and_complaints() -> None:
    assert Performance(tasks_due=4, tasks_on_time=2, quality_problems=1, complaints=2).score == 30 + 20 + 5
    assert Performance(tasks_due=0, tasks_on_time=0, quality_problems=0, complaints=0).score == 100
    assert Performance(tasks_due=3, tasks_on_time=2, quality_problems=9, complaints=9).score == 40


async def test_a_contracts_evaluation_on_a_small_known_example(oversight: Oversight) -> None:
    case_ids = await cases(oversight, 5, on=date(2026, 10, 10))

    def uow() -> UnitOfWork:
        return unit_of_work(oversight)

    provider = await service.register_provider(
        uow(),
        BUYER,
        ProviderIn(district_code=DISTRICT, name="渝中区社工服务中心", credit_code=CREDIT_CODE),
        clock=CLOCK,
    )
    contract = await service.sign_contract(
        uow(),
        BUYER,
        ContractIn(
            provider_id=provider.id,
            scope=["household_investigation", "home_visit"],
            budget_fen=12_000_000,
            starts_on=date(2026, 10, 1),
            ends_on=date(2027, 3, 31),
        ),
        clock=CLOCK,
    )
    # Due: on time, on time (early), late, not done; not due yet: done early (counts, on time) and open (not).
    plan = [
        (date(2026, 11, 10), date(2026, 11, 10)),
        (date(2026, 11, 20), date(2026, 11, 1)),
        (date(2026, 11, 15), date(2026, 11, 25)),
        (date(2026, 11, 30), None),
        (date(2027, 1, 31), date(2026, 12, 2)),
    ]
    tasks: list[UUID] = []
    for case_id, (due_on, done_on) in zip(case_ids, plan, strict=True):
        task = await service.assign_task(
            uow(), BUYER, contract.id, TaskIn(kind="home_visit", case_id=case_id, due_on=due_on), clock=CLOCK
        )
        tasks.append(task.id)
        if done_on is not None:
            completion = CompletionIn(
                completed_on=done_on, evidence=[{"description": "visit record", "document_ref": "A-1"}]
            )
            await service.complete_task(uow(), CASEWORKER, task.id, completion, clock=CLOCK)
    await service.assign_task(
        uow(),
        BUYER,
        contract.id,
        TaskIn(kind="home_visit", case_id=case_ids[0], due_on=date(2027, 2, 1)),
        clock=CLOCK,
    )

    # One problem a spot check found on the provider's late task; two complaints about the contract.
    drawn = await supervision_service.draw(
        uow(),
        BUYER,
        DrawIn(
            district_code=DISTRICT,
            period_from=date(2026, 10, 1),
            period_to=date(2026, 10, 31),
            new_case_rate_pct=100,
            seed=3,
        ),
        clock=CLOCK,
    )
    team = await supervision_service.create_team(
        uow(), BUYER, TeamIn(district_code=DISTRICT, name="一组", members=["cw-1"]), clock=CLOCK
    )
    await supervision_service.assign(uow(), BUYER, drawn.id, AssignmentIn(team_id=team.id))
    found = ResultIn(outcome="problem_found", note="visit record incomplete", task_id=tasks[2])
    await supervision_service.record_result(uow(), CASEWORKER, drawn.id, case_ids[2], found, clock=CLOCK)
    passed = ResultIn(outcome="pass", task_id=None)
    await supervision_service.record_result(uow(), CASEWORKER, drawn.id, case_ids[0], passed, clock=CLOCK)
    for _ in range(2):
        complaint = ProblemIn(
            district_code=DISTRICT,
            source="complaint",
            title="late visit",
            description="d",
            contract_id=contract.id,
        )
        await problem_service.open_problem(uow(), CASEWORKER, complaint, clock=CLOCK)
    await problem_service.open_problem(
        uow(),
        CASEWORKER,
        ProblemIn(district_code=DISTRICT, source="complaint", title="x", description="d"),
        clock=CLOCK,
    )

    evaluation = await service.evaluate(uow(), BUYER, contract.id, EvaluationIn(), clock=CLOCK)
    parts = (
        evaluation.tasks_due,
        evaluation.tasks_on_time,
        evaluation.quality_problems,
        evaluation.complaints,
    )
    assert parts == (5, 3, 1, 2)
    assert (evaluation.timeliness_points, evaluation.quality_points, evaluation.complaint_points) == (
        36,
        20,
        5,
    )
    assert (evaluation.score, evaluation.as_of, evaluation.evaluated_by) == (61, TODAY, "rv-1")
    # As of a day before the complaints and the spot check: only the tasks due, or done, by then count.
    earlier = await service.evaluate(
        uow(), BUYER, contract.id, EvaluationIn(as_of=date(2026, 11, 16)), clock=CLOCK
    )
    assert (earlier.tasks_due, earlier.tasks_on_time, earlier.quality_problems, earlier.complaints) == (
        3,
        2,
        0,
        0,
    )
    assert earlier.score == 40 + 25 + 15
    listed = await service.list_evaluations(uow(), BUYER, contract.id, offset=0, limit=10)
    assert sorted(e.score for e in listed.items) == [61, 80]
    audited = await oversight.rows(
        "SELECT action FROM audit_log WHERE subject_type LIKE 'service_%' OR subject_type = 'contract_evaluations'"
    )
    assert {a for (a,) in audited} == {
        "service_provider.registered",
        "service_contract.signed",
        "service_task.assigned",
        "service_task.completed",
        "service_contract.evaluated",
    }


async def test_bad_or_out_of_district_purchased_service_requests_are_refused(
    oversight: Oversight, keys: Path
) -> None:
    (case_id,) = await cases(oversight, 1, on=date(2026, 10, 10))
    (their_case,) = await cases(oversight, 1, district=OTHER_DISTRICT, on=date(2026, 10, 10))
    async with serve_on(TODAY, oversight, keys) as served:
        reviewer = served.token("reviewer", DISTRICT)
        admin = served.token("admin")

        async def refused(
            method: str, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] = reviewer
        ) -> tuple[int, list[str]]:
            answer = await served.client.request(method, path, json=body, headers=headers)
            return answer.status_code, [e["field"] for e in answer.json().get("errors", [])]

        provider = {"district_code": DISTRICT, "name": "中心", "credit_code": CREDIT_CODE}
        assert await refused(
            "POST", "/v1/service-providers", {**provider, "credit_code": "91350100M000100Y44"}
        ) == (
            422,
            ["credit_code"],
        )
        assert await refused("POST", "/v1/service-providers", {**provider, "credit_code": "9135"}) == (
            422,
            ["credit_code"],
        )
        assert await refused("POST", "/v1/service-providers", {**provider, "name": "x" * 201}) == (
            422,
            ["name"],
        )
        assert (
            await refused("POST", "/v1/service-providers", {**provider, "district_code": OTHER_DISTRICT})
        )[0] == 403
        assert (await refused("POST", "/v1/service-providers", provider, served.token("auditor")))[0] == 403
        mine = (await served.client.post("/v1/service-providers", json=provider, headers=reviewer)).json()
        assert (await refused("POST", "/v1/service-providers", provider))[0] == 409
        theirs = (
            await served.client.post(
                "/v1/service-providers", json={**provider, "district_code": OTHER_DISTRICT}, headers=admin
            )
        ).json()

        contract = {
            "provider_id": mine["id"],
            "scope": ["home_visit"],
            "budget_fen": 1_000_000,
            "starts_on": "2026-10-01",
            "ends_on": "2027-03-31",
        }
        contracts = "/v1/service-contracts"
        assert await refused("POST", contracts, {**contract, "scope": ["gardening"]}) == (422, ["scope.0"])
        assert await refused("POST", contracts, {**contract, "scope": ["home_visit", "home_visit"]}) == (
            422,
            ["scope"],
        )
        assert await refused("POST", contracts, {**contract, "budget_fen": 0}) == (422, ["budget_fen"])
        assert await refused("POST", contracts, {**contract, "ends_on": "2026-09-30"}) == (422, ["ends_on"])
        assert await refused("POST", contracts, {**contract, "provider_id": theirs["id"]}) == (
            422,
            ["provider_id"],
        )
        signed = (await served.client.post(contracts, json=contract, headers=reviewer)).json()
        their_contract = (
            await served.client.post(contracts, json={**contract, "provider_id": theirs["id"]}, headers=admin)
        ).json()

        tasks = f"{contracts}/{signed['id']}/tasks"
        task = {"kind": "home_visit", "case_id": str(case_id), "due_on": "2026-12-31"}
        assert await refused("POST", tasks, {**task, "kind": "review"}) == (422, ["kind"])
        assert await refused("POST", tasks, {**task, "case_id": str(their_case)}) == (422, ["case_id"])
        assert await refused("POST", tasks, {**task, "due_on": "2027-04-01"}) == (422, ["due_on"])
        given = (await served.client.post(tasks, json=task, headers=reviewer)).json()
        completion = f"/v1/service-tasks/{given['id']}/completion"
        done = {"completed_on": "2026-12-04", "evidence": [{"description": "d"}]}
        assert await refused("PUT", completion, done) == (422, ["completed_on"])
        assert await refused("PUT", completion, {**done, "completed_on": "2026-12-03", "evidence": []}) == (
            422,
            ["evidence"],
        )
        assert await refused("POST", f"{contracts}/{signed['id']}/evaluations", {"as_of": "2026-12-04"}) == (
            422,
            ["as_of"],
        )

        for path in (
            f"{contracts}/{their_contract['id']}",
            f"{contracts}/{their_contract['id']}/tasks",
            f"{contracts}/{their_contract['id']}/evaluations",
        ):
            answer = await served.client.get(path, headers=reviewer)
            assert answer.status_code == 404 and "items" not in answer.json()
        assert (await refused("POST", f"{contracts}/{their_contract['id']}/evaluations", {}))[0] == 404
        assert (await refused("POST", f"{contracts}/{their_contract['id']}/tasks", task))[0] == 404
        listed = (await served.client.get(contracts, headers=reviewer)).json()
        assert [c["id"] for c in listed["items"]] == [signed["id"]]
        providers = (await served.client.get("/v1/service-providers", headers=reviewer)).json()
        assert [p["id"] for p in providers["items"]] == [mine["id"]]
        assert (await refused("GET", f"/v1/service-providers?district_code={OTHER_DISTRICT}"))[0] == 403
