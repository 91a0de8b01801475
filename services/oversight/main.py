"""Composition root of the oversight service: its definition and app factory."""

from pathlib import Path

from fastapi import FastAPI

from services.oversight import api
from services.oversight.api.dashboard import router as dashboard
from services.oversight.consumers import HANDLERS
from services.oversight.service.checks import keep_the_check_schedule
from services.oversight.settings import OversightSettings
from shared.app import create_app
from shared.clock import Clock
from shared.messaging.bus import InProcessBus
from shared.service import ServiceDefinition

DEFINITION = ServiceDefinition(
    name="oversight",
    title="SafetyNet oversight",
    description="External data imports, checks and findings, problem lists, rectifications, spot checks, service contracts and district KPIs. Publishes `oversight.finding.v1`.",
    migrations=Path(__file__).parent / "migrations",
    routers=(api.router, dashboard),
    handlers=HANDLERS,
    on_start=keep_the_check_schedule,
)


def create(
    settings: OversightSettings | None = None, *, bus: InProcessBus | None = None, clock: Clock | None = None
) -> FastAPI:
    return create_app(DEFINITION, settings or OversightSettings(), bus=bus, clock=clock)
