"""Routes for the districts' problem lists: problems, rectification, evidence, sign-off, escalation."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.oversight.api.roles import CHECKERS, MUNICIPAL, READERS, Checker, Municipal, Reader, needs
from services.oversight.domain.problems import ProblemSource, ProblemStatus
from services.oversight.schemas.problems import (
    ClosureIn,
    EscalationOut,
    EvidenceIn,
    EvidenceOut,
    ProblemDetail,
    ProblemIn,
    ProblemOut,
    ProblemPage,
    RectificationIn,
)
from services.oversight.service import problems as problem_service
from shared.params import DistrictFilter
from shared.service import ClockDep, TodayDep, UnitOfWorkDep

router = APIRouter(tags=["problems"])

Offset = Annotated[int, Query(ge=0, le=10_000_000, description="items to skip")]
Limit = Annotated[int, Query(ge=1, le=500, description="at most this many items")]


@router.post(
    "/problems",
    status_code=status.HTTP_201_CREATED,
    summary="Put a problem on a district's list by hand (self-inspection, supervision visit, complaint)",
    description="The problem opens without a rectification; whoever opens it may not sign its closure off."
    + needs(READERS)
    + " District staff open problems in their districts.",
)
async def post_problem(uow: UnitOfWorkDep, caller: Reader, clock: ClockDep, body: ProblemIn) -> ProblemOut:
    return await problem_service.open_problem(uow, caller, body, clock=clock)


@router.post(
    "/findings/{finding_id}/problem",
    status_code=status.HTTP_201_CREATED,
    summary="Put a check's finding onto its district's problem list (once)",
    description="One step: the problem takes the finding's district, case and rule. A finding already on "
    "the list is a 409 naming its problem." + needs(READERS),
)
async def post_finding_problem(
    uow: UnitOfWorkDep, caller: Reader, clock: ClockDep, finding_id: UUID
) -> ProblemOut:
    return await problem_service.list_finding(uow, caller, finding_id, clock=clock)


@router.get(
    "/problems",
    summary="Problems in your districts, newest first",
    description="`overdue=true`: only those past their deadline today and not closed." + needs(READERS),
)
async def get_problems(
    uow: UnitOfWorkDep,
    caller: Reader,
    today: TodayDep,
    district_code: Annotated[DistrictFilter, Query(description="one district of your scope")] = None,
    problem_status: Annotated[ProblemStatus | None, Query(alias="status")] = None,
    source: Annotated[ProblemSource | None, Query()] = None,
    overdue: Annotated[bool, Query(description="only overdue problems")] = False,
    offset: Offset = 0,
    limit: Limit = 100,
) -> ProblemPage:
    return await problem_service.list_problems(
        uow,
        caller,
        district_code=district_code,
        status=problem_status,
        source=source,
        overdue=overdue,
        today=today,
        offset=offset,
        limit=limit,
    )


@router.get(
    "/problems/municipal",
    summary="The municipal list: every district's overdue problems, oldest deadline first",
    description="Problems past their deadline today and not closed, with the day each was escalated."
    + needs(MUNICIPAL),
)
async def get_municipal_list(
    uow: UnitOfWorkDep, caller: Municipal, today: TodayDep, offset: Offset = 0, limit: Limit = 100
) -> ProblemPage:
    return await problem_service.list_problems(
        uow,
        caller,
        district_code=None,
        status=None,
        source=None,
        overdue=True,
        today=today,
        offset=offset,
        limit=limit,
    )


@router.post(
    "/problem-escalations",
    summary="Escalate every problem overdue today to the municipal level",
    description="Records the escalation (the day, an audit record) of each overdue problem not escalated "
    "before; a second call the same day escalates nothing new." + needs(MUNICIPAL),
)
async def post_escalations(uow: UnitOfWorkDep, caller: Municipal, today: TodayDep) -> EscalationOut:
    return await problem_service.escalate(uow, caller, today=today)


@router.get("/problems/{problem_id}", summary="A problem with its evidence", description=needs(READERS))
async def get_problem(uow: UnitOfWorkDep, caller: Reader, today: TodayDep, problem_id: UUID) -> ProblemDetail:
    return await problem_service.read_problem(uow, caller, problem_id, today=today)


@router.put(
    "/problems/{problem_id}/rectification",
    summary="Set a problem's rectification: responsible person, measures, deadline",
    description="Once, on an open problem; the deadline is today or later. Whoever sets it may not sign "
    "the closure off." + needs(CHECKERS),
)
async def put_rectification(
    uow: UnitOfWorkDep, caller: Checker, clock: ClockDep, problem_id: UUID, body: RectificationIn
) -> ProblemOut:
    return await problem_service.set_rectification(uow, caller, problem_id, body, clock=clock)


@router.post(
    "/problems/{problem_id}/evidence",
    status_code=status.HTTP_201_CREATED,
    summary="Add evidence of the rectification (append-only, at most 50 pieces)",
    description=needs(READERS),
)
async def post_evidence(
    uow: UnitOfWorkDep, caller: Reader, clock: ClockDep, problem_id: UUID, body: EvidenceIn
) -> EvidenceOut:
    return await problem_service.add_evidence(uow, caller, problem_id, body, clock=clock)


@router.post(
    "/problems/{problem_id}/closure",
    summary="Sign the rectification off and close the problem",
    description="Needs a rectification and at least one piece of evidence (409, rules `no_rectification`, "
    "`evidence_required`), and a second person: who opened the problem or set its rectification is refused "
    "(403, rule `second_person`). The database refuses such a closure too." + needs(CHECKERS),
)
async def post_closure(
    uow: UnitOfWorkDep, caller: Checker, clock: ClockDep, problem_id: UUID, body: ClosureIn
) -> ProblemOut:
    return await problem_service.close(uow, caller, problem_id, body, clock=clock)
