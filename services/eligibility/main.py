"""Composition root of the eligibility service: its definition and app factory."""

from pathlib import Path

from fastapi import FastAPI

from services.eligibility import api
from services.eligibility.consumers import HANDLERS
from services.eligibility.repository.calendar import working_days
from services.eligibility.service import calendar, standards
from services.eligibility.settings import EligibilitySettings
from shared.app import create_app
from shared.clock import Clock
from shared.messaging.bus import InProcessBus
from shared.service import ServiceDefinition, ServiceRuntime


async def resume_background_work(runtime: ServiceRuntime) -> None:
    """Recalculations and deadline recounts a stopped process left unfinished go on where they were."""
    await standards.resume_recalculations(runtime)
    await calendar.resume_recounts(runtime)


DEFINITION = ServiceDefinition(
    name="eligibility",
    title="SafetyNet eligibility",
    description="Persons and households, means tests, applications and cases, standards, reviews, and the "
    "working-day calendar. Publishes `eligibility.case.v1` and `eligibility.calendar.v1`; reads the insured "
    "roster from `insurance.enrollment.v1`.",
    migrations=Path(__file__).parent / "migrations",
    routers=(api.router,),
    handlers=HANDLERS,
    on_start=resume_background_work,
    seed=standards.seed_standards,
    working_days=working_days,
)


def create(
    settings: EligibilitySettings | None = None,
    *,
    bus: InProcessBus | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    return create_app(DEFINITION, settings or EligibilitySettings(), bus=bus, clock=clock)
