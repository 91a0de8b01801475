"""Composition root of the insurance service: its definition and app factory."""

from pathlib import Path

from fastapi import FastAPI

from services.insurance import api
from services.insurance.consumers import HANDLERS
from services.insurance.service.terms import seed_terms
from services.insurance.settings import InsuranceSettings
from shared.app import create_app
from shared.clock import Clock
from shared.messaging.bus import InProcessBus
from shared.service import ServiceDefinition

DEFINITION = ServiceDefinition(
    name="insurance",
    title="SafetyNet insurance",
    description="The 民政惠民济困保 policy years, insured roster, claims and KPIs; the insurer's event feed `insurance.enrollment.v1` and `insurance.claim.v1`.",
    migrations=Path(__file__).parent / "migrations",
    routers=(api.terms, api.claims),
    handlers=HANDLERS,
    seed=seed_terms,
)


def create(
    settings: InsuranceSettings | None = None, *, bus: InProcessBus | None = None, clock: Clock | None = None
) -> FastAPI:
    return create_app(DEFINITION, settings or InsuranceSettings(), bus=bus, clock=clock)
