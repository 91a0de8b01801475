"""Composition root of the payments service: its definition and app factory."""

from pathlib import Path

from fastapi import FastAPI

from services.payments import api
from services.payments.consumers import HANDLERS
from services.payments.service import runs
from services.payments.settings import PaymentsSettings
from shared.app import create_app
from shared.clock import Clock
from shared.messaging.bus import InProcessBus
from shared.service import ServiceDefinition

DEFINITION = ServiceDefinition(
    name="payments",
    title="SafetyNet payments",
    description="Payee and care-facility accounts, entitlements, facility stays, monthly runs, bank files and returns, recoveries, the district-fund ledger. Publishes `payments.payment.v1`.",
    migrations=Path(__file__).parent / "migrations",
    routers=(api.router,),
    handlers=HANDLERS,
    on_start=runs.resume_runs,
)


def create(
    settings: PaymentsSettings | None = None, *, bus: InProcessBus | None = None, clock: Clock | None = None
) -> FastAPI:
    return create_app(DEFINITION, settings or PaymentsSettings(), bus=bus, clock=clock)
