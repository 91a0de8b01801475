"""Routes for the application procedure, the overdue list and the staff-relatives register."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.eligibility.api.roles import Assessor, Reviewer, Staff
from services.eligibility.schemas.applications import (
    ApplicationIn,
    ApplicationOut,
    ApplicationPage,
    OverdueOut,
    RelativeIn,
    RelativeOut,
    StepIn,
)
from services.eligibility.service import applications, relatives
from shared.params import MAX_PAGE, DistrictFilter
from shared.service import PersonalDataDep, TodayDep, UnitOfWorkDep

router = APIRouter(tags=["applications"])

District = Annotated[DistrictFilter, Query(description="one of your districts")]


@router.post(
    "/applications",
    status_code=status.HTTP_201_CREATED,
    summary="Receive an application (申请) for a household",
    responses={404: {"description": "No household with that id in your districts."}},
)
async def post_application(
    body: ApplicationIn, uow: UnitOfWorkDep, pii: PersonalDataDep, caller: Assessor, today: TodayDep
) -> ApplicationOut:
    return await applications.receive_application(uow, pii, caller, body, today=today)


@router.post(
    "/applications/{application_id}/steps",
    summary="Record a statutory step as it happened",
    description="Steps must follow the procedure's order and carry the day they happened (never in the future, "
    "never before the previous step). `approved`, `rejected` and `paperwork_completed` need the reviewer role, and "
    "nobody who entered or investigated the case may decide it. Approving a dibao or tekun application opens the "
    "case and publishes `CaseApproved`; approving temporary assistance or paying help-first publishes "
    "`TemporaryAidGranted`. A refusal names the rule in `errors[].rule` (e.g. SELF_APPROVAL, NOTICE_NOT_ENDED).",
)
async def post_step(
    application_id: UUID,
    body: StepIn,
    uow: UnitOfWorkDep,
    pii: PersonalDataDep,
    caller: Assessor,
    today: TodayDep,
) -> ApplicationOut:
    return await applications.record_step(uow, pii, caller, application_id, body, today=today)


@router.get("/applications/overdue", summary="Open applications past a statutory deadline, per district")
async def get_overdue(
    uow: UnitOfWorkDep, caller: Staff, today: TodayDep, district_code: District = None
) -> list[OverdueOut]:
    return await applications.overdue_applications(uow, caller, district_code=district_code, today=today)


@router.get("/applications/{application_id}", summary="An application with its steps and deadlines")
async def get_application(
    application_id: UUID, uow: UnitOfWorkDep, caller: Staff, today: TodayDep
) -> ApplicationOut:
    return await applications.read_application(uow, caller, application_id, today=today)


@router.get("/applications", summary="Applications in your districts, newest first")
async def get_applications(
    uow: UnitOfWorkDep,
    caller: Staff,
    district_code: District = None,
    state: Annotated[str | None, Query(max_length=32)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ApplicationPage:
    return await applications.list_applications(
        uow, caller, district_code=district_code, state=state, page=page, page_size=page_size
    )


@router.post(
    "/relatives",
    status_code=status.HTTP_201_CREATED,
    summary="File a relative of staff or a village cadre (备案)",
)
async def post_relative(
    body: RelativeIn, uow: UnitOfWorkDep, pii: PersonalDataDep, caller: Reviewer, today: TodayDep
) -> RelativeOut:
    return await relatives.file_relative(uow, pii, caller, body, today=today)


@router.get("/relatives", summary="The relatives register of your districts")
async def get_relatives(uow: UnitOfWorkDep, caller: Reviewer) -> list[RelativeOut]:
    return await relatives.list_relatives(uow, caller)
