"""The district-fund ledger: allocations in, balances and statements out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import JSONResponse

from services.payments.api.roles import MONEY_MOVES, Finance, FinanceOfficer
from services.payments.schemas.ledger import AllocationIn, BalancesOut, TransactionOut
from services.payments.service import ledger
from shared.contracts.types import Instant
from shared.params import DistrictInPath
from shared.service import OnceDep, UnitOfWorkDep

router = APIRouter(prefix="/ledger/{district_code}", tags=["ledger"])

District = Annotated[DistrictInPath, Path(description="the district fund")]


@router.post(
    "/allocations",
    status_code=status.HTTP_201_CREATED,
    response_model=TransactionOut,
    summary="Post a budget allocation into the district fund (once per budget document)",
    description=MONEY_MOVES,
)
async def post_allocation(
    district_code: District,
    body: AllocationIn,
    uow: UnitOfWorkDep,
    caller: FinanceOfficer,
    once: OnceDep,
) -> JSONResponse:
    return await once.run(
        caller,
        body,
        lambda: ledger.allocate(uow, caller, district_code, body),
        status_code=status.HTTP_201_CREATED,
    )


@router.get(
    "/balances", summary="The fund's account balances, derived from its entries, and whether they balance"
)
async def get_balances(district_code: District, uow: UnitOfWorkDep, caller: Finance) -> BalancesOut:
    return await ledger.balances(uow, caller, district_code)


@router.get("/statement", summary="The fund's postings in order, each with its balanced entries")
async def get_statement(
    district_code: District,
    uow: UnitOfWorkDep,
    caller: Finance,
    since: Annotated[Instant | None, Query(description="posted at or after")] = None,
    until: Annotated[Instant | None, Query(description="posted before")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> list[TransactionOut]:
    return await ledger.statement(uow, caller, district_code, since=since, until=until, limit=limit)
