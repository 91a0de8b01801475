"""REST routes of the eligibility service: parse, check the caller, call one use case, translate."""

from fastapi import APIRouter

from services.eligibility.api.households import router as households
from services.eligibility.api.standards import router as standards

router = APIRouter(prefix="/v1")
router.include_router(standards)
router.include_router(households)
