"""Routes for check runs and their findings."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.oversight.api.roles import CHECKERS, READERS, Checker, Reader, needs
from services.oversight.domain.checks import RULES
from services.oversight.schemas.checks import CheckRunIn, CheckRunOut, FindingOut, FindingPage
from services.oversight.service import checks as check_service
from shared.contracts.oversight import Rule
from shared.params import DistrictFilter
from shared.service import TodayDep, UnitOfWorkDep

router = APIRouter(tags=["checks"])

_RULES_DOC = "\n".join(f"- `{rule}` ({info.severity}): {info.title}" for rule, info in RULES.items())


@router.post(
    "/check-runs",
    status_code=status.HTTP_201_CREATED,
    summary="Run the checks (R1–R14, 漏保) for one district or city-wide, as of a day",
    description="Each rule is one set-based statement over the read models and the imports. A hit becomes a "
    "finding once per rule and subject; a later run that finds it again refreshes its evidence and raises "
    "nothing new. New findings are published as `FindingRaised` on `oversight.finding.v1`. With the schedule "
    "enabled (`OVERSIGHT_CHECK_SCHEDULE__ENABLED`) the service makes the same run city-wide once a day itself, "
    "`started_by` `schedule`.\n\n"
    + _RULES_DOC
    + needs(CHECKERS)
    + " A reviewer runs for one of their districts; a city-wide run is for auditor and admin.",
)
async def post_check_run(
    uow: UnitOfWorkDep, caller: Checker, today: TodayDep, body: CheckRunIn
) -> CheckRunOut:
    return await check_service.run_checks(uow, caller, body, today=today)


@router.get(
    "/findings", summary="Findings in your districts, most recently found first", description=needs(READERS)
)
async def get_findings(
    uow: UnitOfWorkDep,
    caller: Reader,
    district_code: Annotated[DistrictFilter, Query(description="one district of your scope")] = None,
    rule: Annotated[Rule | None, Query(description="one rule only")] = None,
    case_id: Annotated[UUID | None, Query(description="one case only")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> FindingPage:
    return await check_service.list_findings(
        uow, caller, district_code=district_code, rule=rule, case_id=case_id, offset=offset, limit=limit
    )


@router.get("/findings/{finding_id}", summary="A finding and its evidence", description=needs(READERS))
async def get_finding(uow: UnitOfWorkDep, caller: Reader, finding_id: UUID) -> FindingOut:
    return await check_service.read_finding(uow, caller, finding_id)
