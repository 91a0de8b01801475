"""The district's 5-year plan: each facility's action (keep, renovate, close) or a new build, with target
dates and progress."""

from __future__ import annotations

from uuid import UUID, uuid4

from sqlalchemy.exc import IntegrityError

from services.facilities.models import PlanAction
from services.facilities.repository import facilities as facility_queries
from services.facilities.repository import plan as plan_queries
from services.facilities.schemas.plan import PlanActionIn, PlanActionOut, ProgressIn
from services.facilities.service.common import check_district, scope
from shared import audit
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, InvalidInput, NotFound


async def _record(uow: UnitOfWork, caller: Principal, action: PlanAction, what: str) -> None:
    await audit.record(
        uow.session,
        actor=caller.subject,
        action=what,
        subject_type="plan_action",
        subject_id=action.id,
        district_code=action.district_code,
        details={"action": action.action, "progress_percent": action.progress_percent},
    )


async def add_action(uow: UnitOfWork, caller: Principal, body: PlanActionIn) -> PlanActionOut:
    check_district(caller, body.district_code)
    async with uow:
        if body.facility_id is not None:
            facility = await facility_queries.facility(uow.session, body.facility_id, scope(caller))
            if facility is None or facility.district_code != body.district_code:
                raise InvalidInput(
                    "the facility is not one of the district's",
                    errors=[FieldIssue("facility_id", "NOT_IN_DISTRICT", "a facility of district_code")],
                )
        action = PlanAction(id=uuid4(), updated_by=caller.subject, **body.model_dump())
        uow.session.add(action)
        try:
            await uow.session.flush()
        except IntegrityError:
            raise Conflict(
                "the facility already has an action in this plan",
                errors=[FieldIssue("facility_id", "ONE_ACTION_PER_PLAN", "update its progress instead")],
            ) from None
        await _record(uow, caller, action, "plan_action.added")
        await uow.commit()
        return PlanActionOut.model_validate(action, from_attributes=True)


async def report_progress(
    uow: UnitOfWork, caller: Principal, action_id: UUID, body: ProgressIn
) -> PlanActionOut:
    async with uow:
        action = await plan_queries.action(uow.session, action_id, scope(caller))
        if action is None:
            raise NotFound(f"no plan action {action_id} in your districts")
        action.progress_percent, action.updated_by = body.progress_percent, caller.subject
        if body.note is not None:
            action.note = body.note
        await _record(uow, caller, action, "plan_action.progress")
        await uow.commit()
        return PlanActionOut.model_validate(action, from_attributes=True)


async def list_actions(
    uow: UnitOfWork,
    caller: Principal,
    *,
    district_code: str | None,
    plan_start_year: int | None,
    limit: int,
    offset: int,
) -> list[PlanActionOut]:
    async with uow:
        rows = await plan_queries.actions(
            uow.session,
            scope(caller, district_code),
            district_code=district_code,
            plan_start_year=plan_start_year,
            limit=limit,
            offset=offset,
        )
    return [PlanActionOut.model_validate(r, from_attributes=True) for r in rows]
