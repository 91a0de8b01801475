"""Route for the monthly information report (信息报送), as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from services.oversight.api.kpis import MonthParam
from services.oversight.api.roles import READERS, Reader, needs
from services.oversight.domain.reports import csv_lines, xlsx_bytes
from services.oversight.service import reports as report_service
from shared.params import DistrictFilter
from shared.service import TodayDep, UnitOfWorkDep

router = APIRouter(tags=["kpis"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CHUNK = 64 * 1024


def _chunks(content: bytes) -> Iterator[bytes]:
    for start in range(0, len(content), _CHUNK):
        yield content[start : start + _CHUNK]


@router.get(
    "/reports/monthly",
    summary="The monthly information report (信息报送) of a month: KPIs and counts per district, CSV or XLSX",
    description="One row per figure (`month, as_of, district_code, section, item, value, numerator, "
    "denominator, target`): every KPI as `GET /v1/kpis` answers it for the month, then the counts (active "
    "cases and beneficiaries, new cases and ended beneficiaries by program, amounts paid in fen by benefit, "
    "new findings by severity, problems opened and closed), per district of the caller's scope and in total "
    "(`district_code` `all`). Streamed; no cell can start a formula. A district outside the caller's is "
    "403." + needs(READERS),
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The report as a file",
            "content": {
                "text/csv": {"schema": {"type": "string"}, "example": "month,as_of,district_code,section,…"},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def get_monthly_report(
    uow: UnitOfWorkDep,
    caller: Reader,
    today: TodayDep,
    month: MonthParam,
    district_code: Annotated[DistrictFilter, Query(description="one district of your scope")] = None,
    format: Annotated[Literal["csv", "xlsx"], Query(description="csv (UTF-8) or xlsx")] = "csv",
) -> StreamingResponse:
    rows = await report_service.monthly_report(
        uow, caller, month=month, district_code=district_code, today=today
    )
    name = f"oversight-monthly-{month}-{district_code or 'all'}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if format == "csv":
        lines = (line.encode() for line in csv_lines(rows))
        return StreamingResponse(lines, media_type="text/csv; charset=utf-8", headers=headers)
    return StreamingResponse(_chunks(xlsx_bytes(rows, sheet=month)), media_type=XLSX, headers=headers)
