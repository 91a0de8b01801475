"""Reading cases in bulk: the cases of the caller's districts by district, status and programme, paged."""

from __future__ import annotations

from services.eligibility.repository import cases as cases_queries
from services.eligibility.schemas.cases import CasePage, CaseSummary
from shared.auth import Principal
from shared.db import UnitOfWork


async def list_cases(
    uow: UnitOfWork,
    caller: Principal,
    *,
    district_code: str | None,
    status: str | None,
    program: str | None,
    page: int,
    page_size: int,
) -> CasePage:
    if district_code is not None:
        caller.require_district(district_code)
    async with uow:
        rows, total = await cases_queries.cases_page(
            uow.session,
            caller.district_scope,
            district_code=district_code,
            status=status,
            program=program,
            offset=(page - 1) * page_size,
            limit=page_size,
        )
    return CasePage(
        items=[CaseSummary.model_validate(case, from_attributes=True) for case in rows],
        total=total,
        page=page,
        page_size=page_size,
    )
