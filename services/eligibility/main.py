"""Composition root of the eligibility service: its definition and app factory."""

from pathlib import Path

from fastapi import FastAPI

from services.eligibility import api
from services.eligibility.service import standards
from services.eligibility.settings import EligibilitySettings
from shared.messaging.bus import InProcessBus
from shared.pii import PersonalData
from shared.service import ServiceDefinition, create_app

DEFINITION = ServiceDefinition(
    name="eligibility",
    title="SafetyNet eligibility",
    description="Persons and households, means tests, applications and cases, standards, reviews. Publishes `eligibility.case.v1`.",
    migrations=Path(__file__).parent / "migrations",
    routers=(api.router,),
    on_start=standards.resume_recalculations,
    seed=standards.seed_standards,
)


def create(settings: EligibilitySettings | None = None, *, bus: InProcessBus | None = None) -> FastAPI:
    settings = settings or EligibilitySettings()
    app = create_app(DEFINITION, settings, bus=bus)
    app.state.personal_data = PersonalData(settings.pii)
    return app
