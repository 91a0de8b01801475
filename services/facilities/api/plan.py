"""Routes for the district's 5-year plan of facilities."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.facilities.api.params import District, Limit, Offset
from services.facilities.api.roles import READERS, REGISTRARS, Reader, Registrar, needs
from services.facilities.schemas.plan import PlanActionIn, PlanActionOut, ProgressIn
from services.facilities.service import plan as plan_service
from shared.service import UnitOfWorkDep

router = APIRouter(prefix="/plan-actions", tags=["5-year plan"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Add a facility's action to the district's 5-year plan, or a new build",
    description="keep, renovate, close (a facility of the district) or new_build (a project name, no "
    "facility); one action per facility per plan (`ONE_ACTION_PER_PLAN`, 409). Audited." + needs(REGISTRARS),
)
async def post_action(body: PlanActionIn, uow: UnitOfWorkDep, caller: Registrar) -> PlanActionOut:
    return await plan_service.add_action(uow, caller, body)


@router.post(
    "/{action_id}/progress",
    summary="Report an action's progress (0–100%); audited",
    description=needs(REGISTRARS),
)
async def post_progress(
    action_id: UUID, body: ProgressIn, uow: UnitOfWorkDep, caller: Registrar
) -> PlanActionOut:
    return await plan_service.report_progress(uow, caller, action_id, body)


@router.get(
    "",
    summary="Plan actions of your districts, by target end",
    description="A facility manager sees the actions of their own facilities only (no new builds)."
    + needs(READERS),
)
async def get_actions(
    uow: UnitOfWorkDep,
    caller: Reader,
    district_code: District = None,
    plan_start_year: Annotated[int | None, Query(ge=2016, le=2100)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[PlanActionOut]:
    return await plan_service.list_actions(
        uow, caller, district_code=district_code, plan_start_year=plan_start_year, limit=limit, offset=offset
    )
