"""REST routes of the oversight service: parse, check the caller's role, call one use case, translate.

Every query is also limited in the service to the caller's districts."""

from fastapi import APIRouter

from services.oversight.api.checks import router as check_routes
from services.oversight.api.imports import router as import_routes
from services.oversight.api.kpis import router as kpi_routes
from services.oversight.api.problems import router as problem_routes
from services.oversight.api.purchased_services import router as purchased_service_routes
from services.oversight.api.reports import router as report_routes
from services.oversight.api.supervision import router as supervision_routes

router = APIRouter(prefix="/v1")
for routes in (
    import_routes,
    check_routes,
    kpi_routes,
    report_routes,
    problem_routes,
    supervision_routes,
    purchased_service_routes,
):
    router.include_router(routes)
