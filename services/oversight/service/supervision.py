"""Use cases of supervision: inspection teams, reproducible spot-check draws, assignment of the sampled cases to
teams, and their results — a problem found goes onto the district's list (source: supervision)."""

from __future__ import annotations

import secrets
from collections import Counter
from uuid import UUID, uuid4

from services.oversight.domain import supervision as sampling
from services.oversight.models import InspectionTeam, Problem, SpotCheckDraw
from services.oversight.repository import purchased_services as service_queries
from services.oversight.repository import supervision as supervision_queries
from services.oversight.schemas.supervision import (
    AssignmentIn,
    AssignmentOut,
    DrawIn,
    DrawOut,
    ResultIn,
    SamplePage,
    SpotCheckOut,
    TeamIn,
    TeamOut,
    TeamPage,
)
from services.oversight.service.problems import put_on_list
from shared import audit
from shared.auth import Principal
from shared.clock import Clock
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, Forbidden, InvalidInput, NotFound


async def create_team(uow: UnitOfWork, caller: Principal, body: TeamIn, *, clock: Clock) -> TeamOut:
    caller.require_district(body.district_code)
    async with uow:
        if await supervision_queries.team_named(uow.session, body.district_code, body.name) is not None:
            raise Conflict(
                "the district has a team of that name", errors=[FieldIssue("name", "taken", "choose another")]
            )
        team = InspectionTeam(
            id=uuid4(),
            district_code=body.district_code,
            name=body.name,
            members=list(body.members),
            created_by=caller.subject,
            created_at=clock.now(),
        )
        uow.session.add(team)
        await uow.session.flush()
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="inspection_team.created",
            subject_type="inspection_team",
            subject_id=team.id,
            district_code=team.district_code,
            details={"name": team.name, "members": team.members},
        )
        answer = TeamOut.model_validate(team, from_attributes=True)
        await uow.commit()
    return answer


async def list_teams(
    uow: UnitOfWork, caller: Principal, *, district_code: str | None, offset: int, limit: int
) -> TeamPage:
    if district_code is not None:
        caller.require_district(district_code)
    async with uow:
        rows, total = await supervision_queries.teams(
            uow.session, caller.district_scope, district_code=district_code, limit=limit, offset=offset
        )
    return TeamPage(items=[TeamOut.model_validate(r, from_attributes=True) for r in rows], total=total)


async def draw(uow: UnitOfWork, caller: Principal, body: DrawIn, *, clock: Clock) -> DrawOut:
    """Sample the district's new and relatives' cases of the period with the body's seed (or a new one, kept)."""
    caller.require_district(body.district_code)
    issues = []
    if body.period_from > body.period_to:
        issues.append(FieldIssue("period_from", "period", "not after period_to"))
    if body.period_to > clock.today():
        issues.append(FieldIssue("period_to", "not_future", "today or earlier"))
    if issues:
        raise InvalidInput("a draw covers a period that has begun and is in order", errors=issues)
    seed = body.seed if body.seed is not None else secrets.randbelow(sampling.MAX_SEED + 1)
    async with uow:
        new, relatives = await supervision_queries.pools(
            uow.session, body.district_code, body.period_from, body.period_to
        )
        reasons = dict.fromkeys(
            sampling.draw(relatives, rate_pct=body.relatives_rate_pct, seed=seed), "relative"
        )
        reasons |= dict.fromkeys(sampling.draw(new, rate_pct=body.new_case_rate_pct, seed=seed), "new_case")
        record = SpotCheckDraw(
            id=uuid4(),
            district_code=body.district_code,
            period_from=body.period_from,
            period_to=body.period_to,
            seed=seed,
            new_case_rate_pct=body.new_case_rate_pct,
            relatives_rate_pct=body.relatives_rate_pct,
            new_cases=len(new),
            relatives_cases=len(relatives),
            drawn_by=caller.subject,
            drawn_at=clock.now(),
        )
        uow.session.add(record)
        await uow.session.flush()
        await supervision_queries.add_sample(uow.session, record.id, reasons)
        counts = dict(Counter(reasons.values()))
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="spot_check.drawn",
            subject_type="spot_check_draw",
            subject_id=record.id,
            district_code=record.district_code,
            details={"seed": seed, "period": [body.period_from, body.period_to], "sampled": counts},
        )
        answer = _draw_out(record, counts)
        await uow.commit()
    return answer


async def read_draw(uow: UnitOfWork, caller: Principal, draw_id: UUID) -> DrawOut:
    async with uow:
        record = await _draw(uow, caller, draw_id)
        _, counts = await supervision_queries.sample(uow.session, draw_id, limit=0, offset=0)
    return _draw_out(record, counts)


async def list_sample(
    uow: UnitOfWork, caller: Principal, draw_id: UUID, *, offset: int, limit: int
) -> SamplePage:
    async with uow:
        await _draw(uow, caller, draw_id)
        rows, counts = await supervision_queries.sample(uow.session, draw_id, limit=limit, offset=offset)
    return SamplePage(
        items=[SpotCheckOut.model_validate(r, from_attributes=True) for r in rows], total=sum(counts.values())
    )


async def assign(uow: UnitOfWork, caller: Principal, draw_id: UUID, body: AssignmentIn) -> AssignmentOut:
    """Give sampled cases to a team of the draw's district; a case with a result keeps its team."""
    async with uow:
        record = await _draw(uow, caller, draw_id)
        team = await supervision_queries.team(uow.session, caller.district_scope, body.team_id)
        if team is None or team.district_code != record.district_code:
            raise InvalidInput(
                "the team is not one of the draw's district",
                errors=[FieldIssue("team_id", "unknown_team", "a team of the draw's district")],
            )
        checks = await supervision_queries.checks_of(uow.session, draw_id, body.case_ids)
        if body.case_ids is not None:
            sampled = {c.case_id for c in checks}
            if missing := [i for i, case_id in enumerate(body.case_ids) if case_id not in sampled]:
                raise InvalidInput(
                    "only sampled cases are assigned",
                    errors=[
                        FieldIssue(f"case_ids.{i}", "not_sampled", "not in this draw") for i in missing[:100]
                    ],
                )
            if checked := [c.case_id for c in checks if c.outcome is not None]:
                raise Conflict(
                    "a checked case keeps the team that checked it",
                    errors=[FieldIssue("case_ids", "checked", ", ".join(map(str, checked[:10])))],
                )
        else:
            checks = [c for c in checks if c.team_id is None]
        for check in checks:
            check.team_id, check.assigned_by = team.id, caller.subject
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="spot_check.assigned",
            subject_type="spot_check_draw",
            subject_id=record.id,
            district_code=record.district_code,
            details={"team_id": team.id, "cases": len(checks)},
        )
        await uow.commit()
    return AssignmentOut(team_id=body.team_id, assigned=len(checks))


async def record_result(
    uow: UnitOfWork, caller: Principal, draw_id: UUID, case_id: UUID, body: ResultIn, *, clock: Clock
) -> SpotCheckOut:
    """A member of the assigned team records the result, once; a problem found goes on the district's list."""
    if body.outcome == "problem_found" and body.note is None:
        raise InvalidInput(
            "say what the problem is",
            errors=[FieldIssue("note", "required", "required when a problem is found")],
        )
    async with uow:
        record = await _draw(uow, caller, draw_id)
        checks = await supervision_queries.checks_of(uow.session, draw_id, [case_id])
        if not checks:
            raise NotFound(f"case {case_id} is not in draw {draw_id}")
        check = checks[0]
        if check.team_id is None:
            raise Conflict(
                "assign the case to a team first",
                errors=[FieldIssue("team_id", "not_assigned", "no team yet")],
            )
        team = await supervision_queries.team(uow.session, None, check.team_id)
        if team is None or caller.subject not in team.members:
            raise Forbidden(
                "only a member of the team assigned records its result",
                errors=[FieldIssue("checked_by", "not_team_member", "a member of the assigned team")],
            )
        if check.outcome is not None:
            raise Conflict(
                "the case has its result already", errors=[FieldIssue("outcome", "checked", "final")]
            )
        now = clock.now()
        if body.outcome == "problem_found":
            assert body.note is not None
            contract_id = None
            if body.task_id is not None:
                task = await service_queries.get_task(uow.session, caller.district_scope, body.task_id)
                if task is None or task.case_id != case_id:
                    raise InvalidInput(
                        "the task is not one on this case",
                        errors=[
                            FieldIssue("task_id", "unknown_task", "a purchased-service task on this case")
                        ],
                    )
                contract_id = task.contract_id
            problem = Problem(
                id=uuid4(),
                district_code=record.district_code,
                source="supervision",
                title=f"spot check of case {case_id}",
                description=body.note,
                case_id=case_id,
                contract_id=contract_id,
                task_id=body.task_id,
                status="open",
                opened_by=caller.subject,
                opened_at=now,
            )
            await put_on_list(uow.session, problem)
            check.problem_id = problem.id
        check.outcome, check.note, check.checked_by, check.checked_at = (
            body.outcome,
            body.note,
            caller.subject,
            now,
        )
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="spot_check.checked",
            subject_type="spot_check_draw",
            subject_id=record.id,
            district_code=record.district_code,
            details={"case_id": case_id, "outcome": body.outcome, "problem_id": check.problem_id},
        )
        answer = SpotCheckOut.model_validate(check, from_attributes=True)
        await uow.commit()
    return answer


async def _draw(uow: UnitOfWork, caller: Principal, draw_id: UUID) -> SpotCheckDraw:
    """Another district's draw reads as missing (404)."""
    record = await supervision_queries.draw(uow.session, caller.district_scope, draw_id)
    if record is None:
        raise NotFound(f"no spot-check draw {draw_id} in your districts")
    return record


def _draw_out(record: SpotCheckDraw, counts: dict[str, int]) -> DrawOut:
    return DrawOut(
        id=record.id,
        district_code=record.district_code,
        period_from=record.period_from,
        period_to=record.period_to,
        seed=record.seed,
        new_case_rate_pct=record.new_case_rate_pct,
        relatives_rate_pct=record.relatives_rate_pct,
        new_cases=record.new_cases,
        relatives_cases=record.relatives_cases,
        sampled_new_cases=counts.get("new_case", 0),
        sampled_relatives_cases=counts.get("relative", 0),
        drawn_by=record.drawn_by,
        drawn_at=record.drawn_at,
    )
