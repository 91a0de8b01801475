"""Real PostgreSQL and a real Apache Kafka broker, started once per test session (shared by pytest-xdist's
workers); each service's migrations applied once per worker to a template database that every test's
database is copied from."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction, create_async_engine

from shared.auth import ensure_dev_keypair
from shared.db import upgrade
from shared.local import kafka as local_kafka
from shared.local import postgres
from shared.observability import configure_logging

_RUN = "SAFETYNET_TEST_RUN"
"""The session's scratch folder, chosen by the controlling process and inherited by pytest-xdist's workers,
so every worker uses the one PostgreSQL server and the one Kafka broker the first of them starts."""


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller (or the only process): it owns the servers
        root = Path(os.environ.get("SAFETYNET_TEST_SCRATCH", tempfile.gettempdir()))
        os.environ[_RUN] = str(root / f"safetynet-tests-{os.getpid()}")


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput") and _RUN in os.environ:
        scratch = Path(os.environ.pop(_RUN))
        if (scratch / "kafka").exists():
            local_kafka.stop(scratch / "kafka")
        if (scratch / "postgres").exists():
            postgres.destroy(scratch / "postgres")
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests of the shared broker (one kills it) run one after another on one worker, as do the
    command-line tests of the one embedded workspace: `pytest -n 3 --dist loadgroup`. A test with a
    broker of its own runs anywhere."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "kafka" in names:
            item.add_marker(pytest.mark.xdist_group("kafka"))
        elif "embedded" in names:
            item.add_marker(pytest.mark.xdist_group("embedded"))


@contextlib.contextmanager
def _first_worker_starts(name: str) -> Iterator[Path]:
    """The scratch folder of `name`, under a lock: whichever worker comes first starts the server, the
    others find it running (`start` returns a running server as it is)."""
    scratch = Path(os.environ[_RUN])
    scratch.mkdir(parents=True, exist_ok=True)
    with (scratch / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield scratch / name


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One development signing key pair for the session's apps and tokens: an RSA key costs ~0.1 s to make."""
    directory = tmp_path_factory.mktemp("keys")
    ensure_dev_keypair(directory)
    return directory


@pytest.fixture(scope="session", autouse=True)
def logging_as_deployed() -> None:
    """JSON log lines as every process writes them, not structlog's development console (whose rich
    tracebacks render every local variable of a logged error: seconds per error)."""
    configure_logging("INFO")


@pytest.fixture(scope="session")
def pg() -> postgres.PostgresServer:
    """The session's PostgreSQL server (stopped and removed when the session ends)."""
    with _first_worker_starts("postgres") as home:
        return postgres.start(home, durable=False)


@pytest.fixture(scope="session")
def kafka() -> local_kafka.KafkaBroker:
    """The session's Kafka broker (stopped when the session ends)."""
    with _first_worker_starts("kafka") as home:
        return local_kafka.start(home)


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
