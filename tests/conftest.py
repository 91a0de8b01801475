"""Real PostgreSQL and a real Apache Kafka broker, started once per test session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest

from shared.local import kafka as local_kafka
from shared.local import postgres

# One scratch folder per session, beside the repo's own state, so CI's clean clone stays clean.
SCRATCH = (
    Path(os.environ.get("SAFETYNET_TEST_SCRATCH", tempfile.gettempdir())) / f"safetynet-tests-{os.getpid()}"
)


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
def topic() -> str:
    """A fresh topic name per test, so tests never read each other's events."""
    return f"test.{uuid4().hex[:10]}.v1"
