"""REST routes of the eligibility service: parse, check the caller, call one use case, translate."""

from fastapi import APIRouter

from services.eligibility.api.applications import router as applications
from services.eligibility.api.calendar import router as calendar
from services.eligibility.api.cases import router as cases
from services.eligibility.api.households import router as households
from services.eligibility.api.insured import router as insured
from services.eligibility.api.standards import router as standards

router = APIRouter(prefix="/v1")
for routes in (standards, households, applications, cases, insured, calendar):
    router.include_router(routes)
