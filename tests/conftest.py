"""Real PostgreSQL and a real Apache Kafka broker, started once per test session; each service's migrations
applied once per session to a template database that every test's database is copied from."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction, create_async_engine

from shared.db import upgrade
from shared.local import kafka as local_kafka
from shared.local import postgres
from shared.observability import configure_logging

# One scratch folder per session, beside the repo's own state, so CI's clean clone stays clean.
SCRATCH = (
    Path(os.environ.get("SAFETYNET_TEST_SCRATCH", tempfile.gettempdir())) / f"safetynet-tests-{os.getpid()}"
)


@pytest.fixture(scope="session", autouse=True)
def logging_as_deployed() -> None:
    """JSON log lines as every process writes them, not structlog's development console (whose rich
    tracebacks render every local variable of a logged error: seconds per error)."""
    configure_logging("INFO")


@pytest.fixture(scope="session")
def pg() -> Iterator[postgres.PostgresServer]:
    server = postgres.start(SCRATCH / "postgres", durable=False)
    yield server
    postgres.destroy(SCRATCH / "postgres")


@pytest.fixture(scope="session")
def kafka() -> Iterator[local_kafka.KafkaBroker]:
    broker = local_kafka.start(SCRATCH / "kafka")
    yield broker
    local_kafka.stop(SCRATCH / "kafka")


CreateDatabase = Callable[[], Awaitable[str]]
MigratedDatabase = Callable[[Path], Awaitable[str]]
RolledBackDatabase = Callable[[Path], Awaitable[AsyncConnection]]


class Templates:
    """Each service's migrations applied once per session to a template database, made on first use: a copy
    of it costs ~20 ms where migrating costs ~300 ms. And one migrated database per service for the session,
    which tests share inside transactions they roll back."""

    def __init__(self, pg: postgres.PostgresServer) -> None:
        self._pg = pg
        self._templates: dict[Path, str] = {}
        self._shared: dict[Path, AsyncEngine] = {}
        self._made: list[str] = []

    async def copy(self, connection: asyncpg.Connection, migrations: Path) -> str:
        """A new database with `migrations` applied; returns its name."""
        template = self._templates.get(migrations)
        if template is None:
            template = await self._create(connection, f"template_{uuid4().hex[:12]}", None)
            await asyncio.to_thread(upgrade, migrations, self._pg.url(template))
            self._templates[migrations] = template
        return await self._create(connection, f"t_{uuid4().hex[:12]}", template)

    async def shared(self, migrations: Path) -> AsyncEngine:
        """The session's one migrated database of `migrations`."""
        engine = self._shared.get(migrations)
        if engine is None:
            connection = await asyncpg.connect(self._pg.dsn("postgres"))
            try:
                name = await self.copy(connection, migrations)
            finally:
                await connection.close()
            self._made.append(name)
            engine = self._shared[migrations] = create_async_engine(self._pg.url(name))
        return engine

    async def _create(self, connection: asyncpg.Connection, name: str, template: str | None) -> str:
        copying = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        await connection.execute(f'CREATE DATABASE "{name}"{copying}')
        return name

    async def close(self) -> None:
        for engine in self._shared.values():
            await engine.dispose()
        connection = await asyncpg.connect(self._pg.dsn("postgres"))
        try:
            for name in [*self._made, *self._templates.values()]:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


@pytest.fixture(scope="session")
async def templates(pg: postgres.PostgresServer) -> AsyncIterator[Templates]:
    made = Templates(pg)
    yield made
    await made.close()


@pytest.fixture
async def new_database(pg: postgres.PostgresServer) -> AsyncIterator[CreateDatabase]:
    """Creates empty databases for one test and drops them afterwards; returns their asyncpg-style URLs."""
    created: list[str] = []

    async def create() -> str:
        name = f"t_{uuid4().hex[:12]}"
        await postgres.ensure_databases(pg, [name])
        created.append(name)
        return pg.url(name)

    yield create
    connection = await asyncpg.connect(pg.dsn("postgres"))
    try:
        for name in created:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture
async def migrated_database(
    pg: postgres.PostgresServer, templates: Templates
) -> AsyncIterator[MigratedDatabase]:
    """Creates databases with a service's migrations applied, for tests whose apps, relays or consumers
    need committed data other connections see; drops them afterwards; returns their URLs. A test of
    the migrations themselves uses `new_database`."""
    created: list[str] = []
    connection = await asyncpg.connect(pg.dsn("postgres"))

    async def create(migrations: Path) -> str:
        name = await templates.copy(connection, migrations)
        created.append(name)
        return pg.url(name)

    try:
        yield create
        for name in created:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture
async def rolled_back(templates: Templates) -> AsyncIterator[RolledBackDatabase]:
    """A connection to the session's migrated database of a service, inside a transaction rolled back when
    the test ends: use cases run on it through `tests.kit.RolledBack`, each unit of work committing to a
    savepoint, and leave nothing for the next test. For use cases without an app, relay or consumer."""
    opened: list[tuple[AsyncConnection, AsyncTransaction]] = []

    async def begin(migrations: Path) -> AsyncConnection:
        connection = await (await templates.shared(migrations)).connect()
        opened.append((connection, await connection.begin()))
        return connection

    yield begin
    for connection, transaction in opened:
        await transaction.rollback()
        await connection.close()


@pytest.fixture
def topic() -> str:
    """A fresh topic name per test, so tests never read each other's events."""
    return f"test.{uuid4().hex[:10]}.v1"
