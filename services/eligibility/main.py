"""Composition root of the eligibility service: its definition and app factory."""

from pathlib import Path

from fastapi import FastAPI

from services.eligibility import api
from services.eligibility.consumers import HANDLERS
from services.eligibility.service import standards
from services.eligibility.settings import EligibilitySettings
from shared.messaging.bus import InProcessBus
from shared.service import ServiceDefinition, create_app

DEFINITION = ServiceDefinition(
    name="eligibility",
    title="SafetyNet eligibility",
    description="Persons and households, means tests, applications and cases, standards, reviews. Publishes `eligibility.case.v1`; reads the insured roster from `insurance.enrollment.v1`.",
    migrations=Path(__file__).parent / "migrations",
    routers=(api.router,),
    handlers=HANDLERS,
    on_start=standards.resume_recalculations,
    seed=standards.seed_standards,
)


def create(settings: EligibilitySettings | None = None, *, bus: InProcessBus | None = None) -> FastAPI:
    return create_app(DEFINITION, settings or EligibilitySettings(), bus=bus)
