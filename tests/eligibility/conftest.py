"""The eligibility app on a migrated database of its own per test; use cases without an app in a transaction on
the session's database, rolled back after the test."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from safetynet.catalog import SERVICES
from services.eligibility.main import DEFINITION, create
from services.eligibility.service import standards as service
from services.eligibility.settings import EligibilitySettings
from shared.auth import ensure_dev_keypair, mint_token
from shared.clock import Clock
from shared.db import UnitOfWork
from shared.messaging.bus import InProcessBus
from shared.pii import generate_pii_settings
from shared.service import ServiceRuntime
from shared.settings import AuthSettings, DatabaseSettings
from tests.kit import RolledBack


@pytest.fixture
async def eligibility_engine(migrated_database: Any) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(await migrated_database(DEFINITION.migrations))
    yield engine
    await engine.dispose()


@pytest.fixture
async def eligibility_transaction(rolled_back: Any) -> RolledBack:
    """Use cases without an app, in a transaction on the session's eligibility database, rolled back after."""
    return RolledBack(await rolled_back(DEFINITION.migrations), DEFINITION.source)


@pytest.fixture
def new_uow(eligibility_transaction: RolledBack) -> Callable[[], UnitOfWork]:
    return eligibility_transaction.new_uow


@pytest.fixture
def connection(eligibility_transaction: RolledBack) -> AsyncConnection:
    """What `new_uow`'s units have written, uncommitted to anyone else."""
    return eligibility_transaction.connection


@contextlib.asynccontextmanager
async def serve(
    engine: AsyncEngine, keys: Path, clock: Clock | None = None, /, *, seeded: bool = True, **bus: Any
) -> AsyncIterator[Api]:
    """The eligibility app with its lifespan running and the standards seeded unless `seeded` is false; `bus`
    picks the bus, `clock` the day it lives on (the system's by default)."""
    private_key, public_key = ensure_dev_keypair(keys)
    settings = EligibilitySettings.model_validate(
        {
            "environment": "development",
            "database": DatabaseSettings(url=engine.url.render_as_string(hide_password=False)),
            "auth": AuthSettings(issuer="test", audience="safetynet", public_key_file=public_key),
            "pii": generate_pii_settings(),
            **bus,
        }
    )
    app = create(settings, bus=InProcessBus() if settings.bus == "in-process" else None, clock=clock)
    async with app.router.lifespan_context(app):
        if seeded:
            await service.seed_standards(app.state.runtime.unit_of_work())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://eligibility") as client:
            yield Api(client, private_key, app)


@pytest.fixture
async def api(eligibility_engine: AsyncEngine, keys: Path) -> AsyncIterator[Api]:
    """The eligibility app on the in-process bus."""
    async with serve(eligibility_engine, keys, bus="in-process") as client:
        yield client


class Api:
    """An HTTP client of the eligibility app and a way to mint the callers' tokens; `app` when the test
    serves it in this process."""

    def __init__(self, client: httpx.AsyncClient, private_key: Path, app: FastAPI | None = None) -> None:
        self.client = client
        self._private_key = private_key
        self.app = app

    def token(
        self, role: str, *districts: str, subject: str = "staff-1", also: tuple[str, ...] = ()
    ) -> dict[str, str]:
        minted = mint_token(
            self._private_key,
            subject=subject,
            roles=[role, *also],
            districts=list(districts),
            issuer="test",
            audience="safetynet",
        )
        return {"Authorization": f"Bearer {minted}"}


@dataclass
class Other:
    """A service beside eligibility: its HTTP client, its database and its runtime."""

    client: httpx.AsyncClient
    db: AsyncEngine
    runtime: ServiceRuntime


@dataclass
class Beside:
    """Eligibility and consumers of its events, each on its own migrated database, on one bus: `others` by
    service name; `other`, `other_db` and `other_runtime` when there is one."""

    eligibility: Api
    eligibility_runtime: ServiceRuntime
    others: dict[str, Other]
    private_key: Path

    @property
    def _only(self) -> Other:
        [only] = self.others.values()
        return only

    @property
    def other(self) -> httpx.AsyncClient:
        return self._only.client

    @property
    def other_db(self) -> AsyncEngine:
        return self._only.db

    @property
    def other_runtime(self) -> ServiceRuntime:
        return self._only.runtime


@contextlib.asynccontextmanager
async def beside_eligibility(
    migrated_database: Any,
    keys: Path,
    names: str | tuple[str, ...],
    clock: Clock | None = None,
    /,
    **bus: Any,
) -> AsyncIterator[Beside]:
    """Eligibility and the service(s) `names` running, standards seeded; `bus` picks in-process or Kafka,
    `clock` the day all live on (positional, so a `**bus` dict never binds it). Personal-data keys are
    generated for each service with a `pii` section."""
    names = (names,) if isinstance(names, str) else names
    entries = {each: SERVICES[each] for each in ("eligibility", *names)}
    urls = {each: await migrated_database(entry.definition.migrations) for each, entry in entries.items()}
    private_key, public_key = ensure_dev_keypair(keys)
    common: dict[str, Any] = {
        "environment": "development",
        "auth": AuthSettings(issuer="test", audience="safetynet", public_key_file=public_key),
        **bus,
    }
    in_process = InProcessBus() if common.get("bus") == "in-process" else None
    apps = {
        each: entry.app(
            entry.settings.model_validate(
                {
                    **common,
                    "database": DatabaseSettings(url=urls[each]),
                    **({"pii": generate_pii_settings()} if "pii" in entry.settings.model_fields else {}),
                }
            ),
            bus=in_process,
            clock=clock,
        )
        for each, entry in entries.items()
    }
    async with contextlib.AsyncExitStack() as stack:
        engines = {each: create_async_engine(urls[each]) for each in names}
        for engine in engines.values():
            stack.push_async_callback(engine.dispose)
        for app in apps.values():
            await stack.enter_async_context(app.router.lifespan_context(app))
        eligibility = apps["eligibility"]
        await service.seed_standards(eligibility.state.runtime.unit_of_work())
        clients = {
            each: await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{each}")
            )
            for each, app in apps.items()
        }
        yield Beside(
            Api(clients["eligibility"], private_key),
            eligibility.state.runtime,
            {each: Other(clients[each], engines[each], apps[each].state.runtime) for each in names},
            private_key,
        )
