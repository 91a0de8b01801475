"""Routes for the district KPIs and their targets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.oversight.api.roles import READERS, TARGET_SETTERS, Reader, TargetSetter, needs
from services.oversight.schemas.kpis import KpiReportOut, TargetIn, TargetOut
from services.oversight.service import kpis as kpi_service
from shared.contracts.types import Month
from shared.params import DistrictFilter
from shared.service import TodayDep, UnitOfWorkDep

router = APIRouter(tags=["kpis"])

MonthParam = Annotated[Month, Query(description="YYYY-MM: the period's first month, 2018-01 to this month")]
ThroughParam = Annotated[
    Month | None,
    Query(description="YYYY-MM: the period's last month (default `month`), at most 12 months on"),
]


@router.get(
    "/kpis",
    summary="The district KPIs of a month (or months), per district and in total, against their targets",
    description="Coverage (应保尽保), approvals decided within the statutory period, payments credited by the "
    "10th, days from request to grant of temporary assistance, the care rate (集中供养率), accidents reported "
    "within 48 h (报案时效), claims per insured person-year (出险率), open and overdue problems, and findings "
    "per 1,000 cases: each with its value, numerator, denominator and the target in force on `as_of`. Flows "
    "count within the period, stocks are read on its last day (today, for this month); docs/oversight.md "
    "(KPIs) defines each. A district outside the caller's is 403." + needs(READERS),
)
async def get_kpis(
    uow: UnitOfWorkDep,
    caller: Reader,
    today: TodayDep,
    month: MonthParam,
    through: ThroughParam = None,
    district_code: Annotated[DistrictFilter, Query(description="one district of your scope")] = None,
) -> KpiReportOut:
    return await kpi_service.read_kpis(
        uow, caller, month=month, through=through, district_code=district_code, today=today
    )


@router.put(
    "/kpi-targets",
    summary="Set a KPI's target from a day on, for a district or city-wide (audited)",
    description="The latest target on or before a day holds on it; a district without one has the city-wide "
    "target, and without that DOMAIN.md's default (the care rate: 25 % from 2018-12-31, 50 % from "
    "2020-12-31; coverage, payments and reporting: 100 %; overdue problems: 0). The same KPI, district and "
    "day again replaces the target. A share's target is 0 to 1 (422 `target` otherwise)."
    + needs(TARGET_SETTERS),
)
async def put_kpi_target(uow: UnitOfWorkDep, caller: TargetSetter, body: TargetIn) -> TargetOut:
    return await kpi_service.set_target(uow, caller, body)
