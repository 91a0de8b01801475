"""The oversight dashboard page, `/dashboard`: the KPI API's answer drawn as one chart per KPI.

Left out of the OpenAPI document (`include_in_schema=False`): it is a page for people, not an API. Its
figures are `GET /v1/kpis`'s, which is documented, and the schema fuzzing of every route's JSON answers has
nothing to check in HTML. It is guarded and scoped exactly like `GET /v1/kpis` (docs/oversight.md,
Dashboard)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from services.oversight.api.roles import Reader
from services.oversight.schemas.dashboard import page
from services.oversight.service import kpis as kpi_service
from shared.contracts.types import MONTH_PATTERN, YearMonth
from shared.service import TodayDep, UnitOfWorkDep

router = APIRouter(include_in_schema=False)

# A plain GET form sends its empty choices as empty strings: "" means the default here.
_MONTH_OR_EMPTY = MONTH_PATTERN.replace("^(", "^$|^(")

_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}


@router.get("/dashboard", response_class=HTMLResponse)
async def get_dashboard(
    uow: UnitOfWorkDep,
    caller: Reader,
    today: TodayDep,
    month: Annotated[str, Query(pattern=_MONTH_OR_EMPTY, max_length=7)] = "",
    district_code: Annotated[str, Query(pattern=r"^([0-9]{6})?$", max_length=6)] = "",
) -> HTMLResponse:
    report = await kpi_service.read_kpis(
        uow,
        caller,
        month=month or YearMonth.of(today).label,
        through=None,
        district_code=district_code or None,
        today=today,
    )
    shown = {f.district_code for k in report.kpis for f in k.districts if f.district_code is not None}
    offered = sorted(caller.district_scope or shown)
    return HTMLResponse(page(report, districts=offered), headers=_HEADERS)
