"""REST routes of the oversight service: parse, check the caller's role, call one use case, translate.

Every query is also limited in the service to the caller's districts."""

from fastapi import APIRouter

from services.oversight.api.checks import router as check_routes
from services.oversight.api.imports import router as import_routes

router = APIRouter(prefix="/v1")
for routes in (import_routes, check_routes):
    router.include_router(routes)
