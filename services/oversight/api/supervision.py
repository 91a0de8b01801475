"""Routes for supervision: inspection teams, spot-check draws, assignment and results."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.oversight.api.roles import CHECKERS, READERS, Checker, Reader, needs
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
from services.oversight.service import supervision as supervision_service
from shared.params import DistrictFilter
from shared.service import ClockDep, UnitOfWorkDep

router = APIRouter(tags=["supervision"])

Offset = Annotated[int, Query(ge=0, le=10_000_000, description="items to skip")]
Limit = Annotated[int, Query(ge=1, le=1_000, description="at most this many items")]


@router.post(
    "/inspection-teams",
    status_code=status.HTTP_201_CREATED,
    summary="Form an inspection team of a district (its members are staff accounts)",
    description=needs(CHECKERS),
)
async def post_team(uow: UnitOfWorkDep, caller: Checker, clock: ClockDep, body: TeamIn) -> TeamOut:
    return await supervision_service.create_team(uow, caller, body, clock=clock)


@router.get("/inspection-teams", summary="Inspection teams in your districts", description=needs(READERS))
async def get_teams(
    uow: UnitOfWorkDep,
    caller: Reader,
    district_code: Annotated[DistrictFilter, Query(description="one district of your scope")] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> TeamPage:
    return await supervision_service.list_teams(
        uow, caller, district_code=district_code, offset=offset, limit=limit
    )


@router.post(
    "/spot-check-draws",
    status_code=status.HTTP_201_CREATED,
    summary="Draw a district's spot checks for a period, reproducibly from a seed",
    description="Samples the new cases (approved in the period) at `new_case_rate_pct` (default 30) and the "
    "relatives' cases (a household member in the staff-relatives register) at `relatives_rate_pct` (default "
    "100), each rounded up; the same seed, district, period and cases give the same sample. The seed is "
    "recorded." + needs(CHECKERS),
)
async def post_draw(uow: UnitOfWorkDep, caller: Checker, clock: ClockDep, body: DrawIn) -> DrawOut:
    return await supervision_service.draw(uow, caller, body, clock=clock)


@router.get(
    "/spot-check-draws/{draw_id}", summary="A draw: its seed, rates and counts", description=needs(READERS)
)
async def get_draw(uow: UnitOfWorkDep, caller: Reader, draw_id: UUID) -> DrawOut:
    return await supervision_service.read_draw(uow, caller, draw_id)


@router.get(
    "/spot-check-draws/{draw_id}/cases",
    summary="A draw's sampled cases, in case-id order, with their teams and results",
    description=needs(READERS),
)
async def get_sample(
    uow: UnitOfWorkDep, caller: Reader, draw_id: UUID, offset: Offset = 0, limit: Limit = 100
) -> SamplePage:
    return await supervision_service.list_sample(uow, caller, draw_id, offset=offset, limit=limit)


@router.post(
    "/spot-check-draws/{draw_id}/assignments",
    summary="Assign sampled cases (or every unassigned one) to an inspection team of the district",
    description=needs(CHECKERS),
)
async def post_assignment(
    uow: UnitOfWorkDep, caller: Checker, draw_id: UUID, body: AssignmentIn
) -> AssignmentOut:
    return await supervision_service.assign(uow, caller, draw_id, body)


@router.put(
    "/spot-check-draws/{draw_id}/cases/{case_id}/result",
    summary="Record a sampled case's result: pass, or a problem found (it goes on the district's list)",
    description="By a member of the team the case is assigned to (403, rule `not_team_member`), once. A "
    "problem found opens a problem (source `supervision`) with the note as its description; naming the "
    "purchased-service `task_id` on the case counts it against that provider's contract." + needs(READERS),
)
async def put_result(
    uow: UnitOfWorkDep, caller: Reader, clock: ClockDep, draw_id: UUID, case_id: UUID, body: ResultIn
) -> SpotCheckOut:
    return await supervision_service.record_result(uow, caller, draw_id, case_id, body, clock=clock)
