"""Monthly runs: start (prepared in the background), follow, release."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from services.payments.api.roles import MONEY_MOVES, Finance, FinanceOfficer
from services.payments.schemas.runs import RunIn, RunOut
from services.payments.service import runs
from shared.contracts.types import Month, YearMonth
from shared.errors import FieldIssue, InvalidInput
from shared.params import DistrictFilter
from shared.service import JobsDep, OnceDep, UnitOfWorkDep

router = APIRouter(prefix="/runs", tags=["runs"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RunOut,
    summary="Start (or resume) a district's monthly run: one payment per beneficiary, benefit and month",
    description="The run is prepared in the background in resumable batches; follow `GET /runs/{id}` "
    "(`entitlements_scanned` of `entitlements_due`) until its status is `prepared`. " + MONEY_MOVES,
)
async def post_run(body: RunIn, caller: FinanceOfficer, once: OnceDep, jobs: JobsDep) -> JSONResponse:
    try:
        month = YearMonth.parse(body.month)
    except ValueError as bad:
        raise InvalidInput(str(bad), errors=[FieldIssue("month", "OUT_OF_RANGE", str(bad))]) from None

    async def start() -> RunOut:
        started = await runs.start_run(
            jobs.units_of_work(),
            caller,
            district_code=body.district_code,
            month=month.first_day,
        )
        if started.status == "preparing":
            jobs.start(runs.prepare_run(jobs.units_of_work, started.id), name=f"prepare run {started.id}")
        return started

    return await once.run(caller, body, start, status_code=status.HTTP_202_ACCEPTED)


@router.get("", summary="The runs of your districts, the latest month first, by district and month")
async def get_runs(
    uow: UnitOfWorkDep,
    caller: Finance,
    district_code: DistrictFilter = None,
    month: Annotated[Month | None, Query(description="YYYY-MM")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[RunOut]:
    return await runs.list_runs(
        uow,
        caller,
        district_code=district_code,
        month=YearMonth.parse(month).first_day if month else None,
        limit=limit,
    )


@router.get("/{run_id}", summary="A run's status and progress, payment count and total, by payment status")
async def get_run(run_id: UUID, uow: UnitOfWorkDep, caller: Finance) -> RunOut:
    return await runs.read_run(uow, caller, run_id)


@router.post(
    "/{run_id}/release",
    response_model=RunOut,
    summary="Release a prepared run (a second finance officer)",
    description=MONEY_MOVES,
)
async def post_release(
    run_id: UUID, uow: UnitOfWorkDep, caller: FinanceOfficer, once: OnceDep
) -> JSONResponse:
    return await once.run(caller, None, lambda: runs.release_run(uow, caller, run_id))
