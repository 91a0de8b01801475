"""REST routes of the insurance service: parse, check the caller's role, call one use case, translate.

Every query is also limited in the service: staff to their districts, an insurer to its own terms."""

from fastapi import APIRouter

from services.insurance.api.claims import router as claim_routes
from services.insurance.api.kpis import router as kpi_routes
from services.insurance.api.roster import router as roster_routes
from services.insurance.api.terms import router as term_routes

terms = APIRouter(prefix="/v1", tags=["terms and roster"])
"""Insurers, policy terms, their rosters and KPIs."""
for routes in (term_routes, roster_routes, kpi_routes):
    terms.include_router(routes)

claims = APIRouter(prefix="/v1")
claims.include_router(claim_routes)
