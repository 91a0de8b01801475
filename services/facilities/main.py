"""Composition root of the facilities service: its definition and app factory."""

from pathlib import Path

from fastapi import FastAPI

from services.facilities import api
from services.facilities.consumers import HANDLERS
from services.facilities.settings import FacilitiesSettings
from shared.app import create_app
from shared.clock import Clock
from shared.messaging.bus import InProcessBus
from shared.service import ServiceDefinition

DEFINITION = ServiceDefinition(
    name="facilities",
    title="SafetyNet facilities",
    description="Care facilities, beds, safety rectification, 5-year plan actions, placements and the care-rate KPI. Publishes `facilities.placement.v1`.",
    migrations=Path(__file__).parent / "migrations",
    routers=(api.router,),
    handlers=HANDLERS,
)


def create(
    settings: FacilitiesSettings | None = None, *, bus: InProcessBus | None = None, clock: Clock | None = None
) -> FastAPI:
    return create_app(DEFINITION, settings or FacilitiesSettings(), bus=bus, clock=clock)
