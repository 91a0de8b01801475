"""REST routes of the facilities service: parse, check the caller's role, call one use case, translate.

Every query is also limited in the service to the caller's districts."""

from fastapi import APIRouter

from services.facilities.api.facilities import router as facility_routes
from services.facilities.api.kpis import router as kpi_routes
from services.facilities.api.placements import router as placement_routes
from services.facilities.api.plan import router as plan_routes
from services.facilities.api.safety import router as safety_routes

router = APIRouter(prefix="/v1")
for routes in (facility_routes, placement_routes, safety_routes, plan_routes, kpi_routes):
    router.include_router(routes)
