"""The embedded default: every service in one process, one embedded PostgreSQL, the in-process bus."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
from alembic.script import ScriptDirectory
from fastapi import FastAPI

from safetynet.catalog import SERVICES
from safetynet.demo import DemoCity, bulk
from safetynet.tour import ADMIN, Caller
from services.eligibility.settings import EligibilitySettings
from shared.auth import ensure_dev_keypair
from shared.clock import Clock
from shared.contracts.eligibility import MATCH_CONTEXT
from shared.db import UnitOfWork, create_engine, migrations_behind, session_factory, upgrade
from shared.local import postgres
from shared.messaging.bus import InProcessBus
from shared.pii import BlindIndex, ensure_dev_pii_keys
from shared.settings import AuthSettings, DatabaseSettings, PiiSettings, ServiceSettings
from shared.web import compose

DEV_ISSUER = "safetynet-dev"
DEV_AUDIENCE = "safetynet"
SEEDED_BY = "seed"
"""The actor of seeded rows in the audit logs unless `safetynet seed --by` names one."""


def default_workspace() -> Path:
    """`<repo>/.safetynet` wherever the command runs from; `./.safetynet` when installed without a
    source tree (the container image, which runs `serve`, not the embedded default)."""
    repo = Path(__file__).resolve().parents[1]
    if (repo / "pyproject.toml").is_file() and (repo / "safetynet" / "cli.py").is_file():
        return repo / ".safetynet"
    return Path(".safetynet")


@dataclass(frozen=True)
class Workspace:
    """Where the embedded default keeps its state: `default_workspace()` unless `--workspace` says."""

    root: Path

    @property
    def postgres(self) -> Path:
        return self.root / "postgres"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def kafka(self) -> Path:
        return self.root / "kafka"

    def dev_keys(self) -> tuple[Path, Path]:
        return ensure_dev_keypair(self.keys)


def embedded_settings(
    name: str, server: postgres.PostgresServer, public_key: Path, pii: PiiSettings
) -> ServiceSettings:
    entry = SERVICES[name]
    values: dict[str, object] = {
        "environment": "development",
        "bus": "in-process",
        "database": DatabaseSettings(url=server.url(name)),
        "auth": AuthSettings(issuer=DEV_ISSUER, audience=DEV_AUDIENCE, public_key_file=public_key),
    }
    if "pii" in entry.settings.model_fields:
        values["pii"] = pii
    if (
        "matching_key" in entry.settings.model_fields
    ):  # oversight: what eligibility's index key derives for it
        values["matching_key"] = base64.b64encode(BlindIndex(pii).context_key(MATCH_CONTEXT)).decode()
    # Validated from these values alone: the embedded default ignores any SERVICE_* variables.
    return entry.settings.model_validate(values)


def prepare(workspace: Workspace) -> dict[str, ServiceSettings]:
    """Start PostgreSQL, create, migrate and seed each service's database; returns each service's settings."""
    settings = migrated(workspace)
    asyncio.run(seed(settings))
    return settings


def migrated(
    workspace: Workspace, *, report: Callable[[str, int], None] | None = None
) -> dict[str, ServiceSettings]:
    """Start PostgreSQL, create and migrate each service's database; returns each service's settings.

    With `report`, Alembic's line per migration is not logged; `report(service, migrations applied)` is
    called once per service instead.
    """
    server = postgres.start(workspace.postgres)
    asyncio.run(postgres.ensure_databases(server, list(SERVICES)))
    _, public_key = workspace.dev_keys()
    pii = ensure_dev_pii_keys(workspace.keys)
    settings = {name: embedded_settings(name, server, public_key, pii) for name in SERVICES}
    for name, entry in SERVICES.items():
        if report is None:
            upgrade(entry.definition.migrations, settings[name].database.url)
            continue
        with _counted_migrations() as applied:
            upgrade(entry.definition.migrations, settings[name].database.url)
        report(name, applied.count)
    return settings


class _MigrationCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += record.getMessage().startswith("Running ")  # one line per migration applied


@contextlib.contextmanager
def _counted_migrations() -> Iterator[_MigrationCounter]:
    """Alembic's migration lines counted instead of logged."""
    logger, counter = logging.getLogger("alembic.runtime.migration"), _MigrationCounter()
    saved = logger.propagate, logger.level
    logger.addHandler(counter)
    logger.propagate, logger.level = False, logging.INFO
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.propagate, logger.level = saved


class NotMigrated(RuntimeError):
    """A service's database is not at its migrations' head: seeding waits for `safetynet migrate`."""


async def seed(settings: Mapping[str, ServiceSettings], seeded_by: str = SEEDED_BY) -> dict[str, int | None]:
    """Run the seeder of each service in `settings` against its database, which must be migrated: rows added by
    service, `None` for a service with no reference data. Seeders skip what is already there, so a repeat adds
    nothing. Raises `NotMigrated`, or the database's error, for the first service that cannot be seeded."""
    added: dict[str, int | None] = {}
    for name, service_settings in settings.items():
        definition = SERVICES[name].definition
        engine = create_engine(service_settings.database)
        try:
            async with engine.connect() as connection:
                behind = await migrations_behind(connection, ScriptDirectory(str(definition.migrations)))
            if behind:
                raise NotMigrated(f"{behind}; run `safetynet migrate {name}` first")
            if definition.seed is None:
                added[name] = None
                continue
            uow = UnitOfWork(session_factory(engine), source=definition.source)
            added[name] = await definition.seed(uow, seeded_by=seeded_by)
        finally:
            await engine.dispose()
    return added


@contextlib.asynccontextmanager
async def in_process(
    settings: dict[str, ServiceSettings], private_key: Path, *, clock: Clock, wait_s: float = 120
) -> AsyncIterator[Caller]:
    """Every service running in this process on `clock`, and a client of their API acting as the demo roles
    (who wait up to `wait_s` for what they expect to see)."""
    root = build_app(settings, clock=clock)
    async with root.router.lifespan_context(root):
        transport = httpx.ASGITransport(app=root)
        async with httpx.AsyncClient(transport=transport, base_url="http://safetynet") as client:
            yield Caller(client, private_key, out=None, wait_s=wait_s)


async def load_demo(
    settings: dict[str, ServiceSettings],
    private_key: Path,
    *,
    clock: Clock,
    households: int = 0,
    progress: Callable[[int], object] = lambda _: None,
) -> int:
    """The demo city (`safetynet.demo`) loaded through the services' own API, in this process, and `households`
    more at scale (`safetynet.demo.bulk`, reporting to `progress`); returns how many households it registered
    (0 when they were there already). Waits until every event it caused is handled."""
    # Every thousand bulk households take their events a few seconds to reach every service.
    async with in_process(settings, private_key, clock=clock, wait_s=120 + households / 100) as caller:
        added = await DemoCity(caller, today=clock.today()).load()
        if households:
            eligibility = settings["eligibility"]
            assert isinstance(eligibility, EligibilitySettings)
            added += await bulk.load(eligibility, households, today=clock.today(), progress=progress)
        for name in settings:
            await caller.until(
                ADMIN, f"/{name}/v1/operations/messaging", {}, lambda status: status["outbox_pending"] == 0
            )
    return added


def build_app(settings: dict[str, ServiceSettings], *, clock: Clock | None = None) -> FastAPI:
    bus = InProcessBus()
    apps = {
        name: SERVICES[name].app(service_settings, bus, clock) for name, service_settings in settings.items()
    }
    return compose(apps, title="SafetyNet (embedded)")
