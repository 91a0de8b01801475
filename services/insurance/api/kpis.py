"""Routes for a term's KPIs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.insurance.api.params import District, Year
from services.insurance.api.roles import KpiReader
from services.insurance.schemas.kpis import TermKpisOut
from services.insurance.service import kpis as kpi_service
from shared.contracts.types import Day
from shared.service import TodayDep, UnitOfWorkDep

router = APIRouter()


@router.get(
    "/terms/{year}/kpis",
    summary="The term's KPIs, overall and per district",
    description="Insured persons, person-years and monthly additions/removals; claims by type; 出险率 (claims "
    "per insured person-year); reporting timeliness (days from incident to report, share within the cover's "
    "limit, 48 hours for accidents by default); settlement rate and median days to settle; amounts paid by "
    "type. Formulas in docs/insurance.md.",
)
async def get_kpis(
    year: Year,
    uow: UnitOfWorkDep,
    caller: KpiReader,
    today: TodayDep,
    as_of: Annotated[
        Day | None,
        Query(
            description="cover counted to this day, claims reported to it; default: cover to today, or the "
            "term's last day (first, for a term to come), and claims reported to today"
        ),
    ] = None,
    district_code: District = None,
) -> TermKpisOut:
    return await kpi_service.term_kpis(
        uow, caller, year, as_of=as_of, district_code=district_code, today=today
    )
