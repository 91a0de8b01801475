"""Routes for insurers and policy terms."""

from __future__ import annotations

from fastapi import APIRouter, status

from services.insurance.api.params import Year
from services.insurance.api.roles import Admin, Reader
from services.insurance.schemas.terms import InsurerIn, InsurerOut, TermIn, TermOut
from services.insurance.service import terms as term_service
from shared.service import UnitOfWorkDep

router = APIRouter()


@router.post(
    "/insurers",
    status_code=status.HTTP_201_CREATED,
    summary="Register an insurer partner (admin)",
    description="Its API clients carry the returned id as the `insurer_id` claim of their tokens.",
)
async def post_insurer(body: InsurerIn, uow: UnitOfWorkDep, caller: Admin) -> InsurerOut:
    return await term_service.add_insurer(uow, caller, body)


@router.get(
    "/terms",
    summary="Policy terms with their insurer, premium and covers",
    description="An insurer sees its own terms only. Limits and checklists of the seeded terms are defaults "
    "(docs/insurance.md).",
)
async def get_terms(uow: UnitOfWorkDep, caller: Reader) -> list[TermOut]:
    return await term_service.list_terms(uow, caller)


@router.post(
    "/terms",
    status_code=status.HTTP_201_CREATED,
    summary="Define a policy term (admin)",
    description="One term per calendar year; premium defaults to ¥120 per person per year, covers to the "
    "documented defaults.",
)
async def post_term(body: TermIn, uow: UnitOfWorkDep, caller: Admin) -> TermOut:
    return await term_service.create_term(uow, caller, body)


@router.get("/terms/{year}", summary="One policy term")
async def get_term(year: Year, uow: UnitOfWorkDep, caller: Reader) -> TermOut:
    return await term_service.read_term(uow, caller, year)
