"""Routes for the KPIs: the care rate and bed occupancy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.facilities.api.params import District
from services.facilities.api.roles import DISTRICT_READERS, READERS, DistrictReader, Reader, needs
from services.facilities.schemas.kpis import CareRateReportOut, OccupancyReportOut
from services.facilities.service import kpis as kpi_service
from shared.contracts.types import Day, Month
from shared.service import TodayDep, UnitOfWorkDep

router = APIRouter(prefix="/kpis", tags=["KPIs"])

MonthParam = Annotated[Month | None, Query(description="YYYY-MM")]


@router.get(
    "/care-rate",
    summary="Care rate (集中供养率) at a day: disabled 特困 persons living in facilities ÷ all disabled 特困 persons",
    description="Disabled = half or full care on that day (the latest assessment on or before it); supported "
    "= between the case's decision and the last day before its termination month; in a facility = admitted "
    "on or before the day and not discharged by it. Against the targets (25% by 2018-12-31, 50% by "
    "2020-12-31), with the rate at the end of each month from `trend_from` to `trend_to` (default: the 12 "
    "months to `on`, at most 120)." + needs(DISTRICT_READERS),
)
async def get_care_rate(
    uow: UnitOfWorkDep,
    caller: DistrictReader,
    today: TodayDep,
    district_code: District = None,
    on: Annotated[Day | None, Query(description="the day measured; default today")] = None,
    trend_from: MonthParam = None,
    trend_to: MonthParam = None,
) -> CareRateReportOut:
    return await kpi_service.care_rate(
        uow, caller, on=on or today, district_code=district_code, trend_from=trend_from, trend_to=trend_to
    )


@router.get(
    "/occupancy",
    summary="Occupancy (occupied ÷ beds) and bed utilisation (occupied ÷ beds in service) per facility and district",
    description="A facility manager gets the rows of their own facilities only, and district sums of those."
    + needs(READERS),
)
async def get_occupancy(
    uow: UnitOfWorkDep,
    caller: Reader,
    today: TodayDep,
    district_code: District = None,
    on: Annotated[Day | None, Query(description="beds held on this day; default today")] = None,
) -> OccupancyReportOut:
    return await kpi_service.occupancy(uow, caller, on=on or today, district_code=district_code)
