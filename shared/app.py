"""One service's FastAPI app: its runtime started and stopped by the lifespan, the hardening middleware, the
operational routes (health, readiness, metrics, messaging and audit status) and the service's own routers."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query
from prometheus_client import CollectorRegistry

from shared.audit import AuditRecord, ChainVerification, records_about, verify_chain
from shared.auth import Principal, Role, TokenVerifier, require_roles
from shared.calendar_watch import CalendarWatch
from shared.clock import Clock
from shared.messaging.bus import InProcessBus
from shared.messaging.metrics import MessagingWatch
from shared.messaging.status import MessagingStatus, messaging_status
from shared.pii import PersonalData
from shared.service import ServiceDefinition, ServiceRuntime, UnitOfWorkDep
from shared.settings import PiiSettings, ServiceSettings
from shared.web import HttpMetrics, harden, install_operational_routes

Operator = Annotated[Principal, Depends(require_roles(Role.admin, Role.auditor))]

operations = APIRouter(prefix="/v1/operations", tags=["operations"])


@operations.get("/messaging", summary="Outbox backlog and dead-lettered events of this service")
async def get_messaging_status(uow: UnitOfWorkDep, _operator: Operator) -> MessagingStatus:
    async with uow:
        return await messaging_status(uow.session)


@operations.get("/audit", summary="This service's audit records, newest first, by subject")
async def get_audit(
    uow: UnitOfWorkDep,
    _operator: Operator,
    subject_type: Annotated[str | None, Query(max_length=64)] = None,
    subject_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditRecord]:
    async with uow:
        return await records_about(uow.session, subject_type=subject_type, subject_id=subject_id, limit=limit)


@operations.get(
    "/audit/verification", summary="Recompute the audit log's hash chain: is it intact, and where not"
)
async def get_audit_verification(uow: UnitOfWorkDep, _operator: Operator) -> ChainVerification:
    async with uow:
        return await verify_chain(uow.session)


def create_app(
    definition: ServiceDefinition,
    settings: ServiceSettings,
    *,
    bus: InProcessBus | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """The service's FastAPI app; its lifespan starts and stops the runtime. `clock` defaults to the system's."""
    registry = CollectorRegistry()
    runtime = ServiceRuntime(definition, settings, bus=bus, clock=clock, registry=registry)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=definition.title, description=definition.description, version="1.0.0", lifespan=lifespan
    )
    app.state.runtime = runtime
    if isinstance(pii := getattr(settings, "pii", None), PiiSettings):
        app.state.personal_data = PersonalData(pii)
    app.state.token_verifier = TokenVerifier(settings.auth)
    harden(app, max_body_bytes=settings.max_body_bytes, metrics=HttpMetrics(registry, definition.name))
    messaging = MessagingWatch(
        runtime.engine, registry, service=definition.name, consumer=lambda: runtime.consumer
    )
    calendar = CalendarWatch(runtime, registry) if definition.working_days is not None else None

    async def watch() -> list[str]:
        return [*await messaging(), *(await calendar() if calendar is not None else [])]

    install_operational_routes(app, registry=registry, ready=runtime.ready, watch=watch)
    app.include_router(operations)
    for router in definition.routers:
        app.include_router(router)
    return app
