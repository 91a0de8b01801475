"""Routes for the working-day calendar: what is known, and loading a year from the State Council's notice."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from services.eligibility.api.roles import Admin, Staff
from services.eligibility.domain.calendar import FIRST_YEAR, LAST_YEAR, NoticeDay
from services.eligibility.schemas.calendar import (
    CalendarLoadOut,
    CalendarOut,
    CalendarYearIn,
    RecomputationOut,
)
from services.eligibility.service import calendar as service
from shared.service import JobsDep, TodayDep, UnitOfWorkDep

router = APIRouter(tags=["working-day calendar"])


@router.get(
    "/calendar",
    summary="The working-day calendar: which years are known, from where, and how far ahead",
    description="Years come from the chinesecalendar package shipped with the release or were loaded by the "
    "bureau (who, when, from which notice). A deadline that runs past `known_until` is counted Monday to Friday "
    "and marked provisional; `warning` is set from 60 days before `known_until`.",
)
async def get_calendar(uow: UnitOfWorkDep, _caller: Staff, today: TodayDep) -> CalendarOut:
    return await service.overview(uow, today=today)


@router.put(
    "/calendar/{year}",
    summary="Load or correct a year from the State Council's holiday notice (节假日安排)",
    description="Replaces whatever was known of the year, package data included, and is used by every "
    "deadline from the next request on. A bad day is refused with every bad row named in `errors[]` "
    "(outside_year, duplicate, holiday_and_working_day, not_a_weekend), and nothing is stored. Open "
    "applications whose deadlines were provisional are recounted in the background: follow "
    "GET /v1/calendar/recomputations/{id}. The same from a CSV or YAML file: `safetynet calendar load FILE`.",
)
async def put_calendar_year(
    year: Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR)],
    body: CalendarYearIn,
    uow: UnitOfWorkDep,
    caller: Admin,
    jobs: JobsDep,
) -> CalendarLoadOut:
    entry = service.YearToLoad(
        year=year,
        rows=tuple((f"days[{i}]", NoticeDay(d.date, d.kind, d.name)) for i, d in enumerate(body.days)),
        notice=body.notice,
        source="api",
    )
    loaded = await service.load_year(uow, entry, loaded_by=caller.subject, clock=jobs.clock)
    jobs.start(
        service.recount_deadlines(jobs.units_of_work, loaded.recomputation.id, clock=jobs.clock),
        name=f"deadline-recount-{loaded.recomputation.id}",
    )
    return loaded


@router.get(
    "/calendar/recomputations/{recomputation_id}",
    summary="Progress of the recount of provisional deadlines after a year was loaded",
)
async def get_recomputation(recomputation_id: UUID, uow: UnitOfWorkDep, _caller: Staff) -> RecomputationOut:
    return await service.recomputation_status(uow, recomputation_id)
