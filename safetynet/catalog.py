"""The five services this process can run: each one's definition, settings class and app factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI

from services.eligibility import main as eligibility
from services.eligibility.settings import EligibilitySettings
from services.facilities import main as facilities
from services.facilities.settings import FacilitiesSettings
from services.insurance import main as insurance
from services.insurance.settings import InsuranceSettings
from services.oversight import main as oversight
from services.oversight.settings import OversightSettings
from services.payments import main as payments
from services.payments.settings import PaymentsSettings
from shared.clock import Clock
from shared.messaging.bus import InProcessBus
from shared.service import ServiceDefinition
from shared.settings import ServiceSettings


@dataclass(frozen=True)
class ServiceEntry:
    definition: ServiceDefinition
    settings: type[ServiceSettings]
    create: Callable[..., FastAPI]

    def app(
        self, settings: ServiceSettings, bus: InProcessBus | None = None, clock: Clock | None = None
    ) -> FastAPI:
        return self.create(settings, bus=bus, clock=clock)


SERVICES: dict[str, ServiceEntry] = {
    "eligibility": ServiceEntry(eligibility.DEFINITION, EligibilitySettings, eligibility.create),
    "payments": ServiceEntry(payments.DEFINITION, PaymentsSettings, payments.create),
    "facilities": ServiceEntry(facilities.DEFINITION, FacilitiesSettings, facilities.create),
    "insurance": ServiceEntry(insurance.DEFINITION, InsuranceSettings, insurance.create),
    "oversight": ServiceEntry(oversight.DEFINITION, OversightSettings, oversight.create),
}
