"""Eligibility and insurance side by side on one bus (in-process or real Kafka), each on its own migrated
database; and a bare insurance database fed events straight through its inbox, served over HTTP on a
`FixedClock` when a test needs its routes on a given day."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from services.eligibility.main import DEFINITION as ELIGIBILITY
from services.insurance.consumers import HANDLERS
from services.insurance.main import DEFINITION as INSURANCE
from services.insurance.main import create
from services.insurance.service.terms import DEMO_INSURER_ID, seed_terms
from services.insurance.settings import InsuranceSettings
from shared.auth import ensure_dev_keypair, mint_token
from shared.clock import Clock, FixedClock, SystemClock
from shared.contracts.base import Event
from shared.contracts.catalogue import registry
from shared.db import UnitOfWork, session_factory
from shared.messaging.bus import InProcessBus
from shared.messaging.inbox import DeadLetter, InboxProcessor
from shared.messaging.tables import outbox
from shared.service import ServiceRuntime
from shared.settings import AuthSettings, DatabaseSettings
from tests.eligibility.conftest import Api, beside_eligibility
from tests.kit import RolledBack, as_delivered

TERMS = (2026, 2027)
"""Seeded explicitly, so the tests do not depend on the year they run in."""

NEW_YEARS = sorted({2027, SystemClock().today().year})
"""The years a year-end test begins: a fixed one, and the year the suite runs in (its 1 January has passed)."""


@pytest.fixture
def clock() -> FixedClock:
    """The day the apps live on: the real today, until a test moves it."""
    return FixedClock(SystemClock().today())


class Tokens:
    def __init__(self, private_key: Path) -> None:
        self._private_key = private_key

    def __call__(
        self, role: str, *districts: str, subject: str = "staff-1", insurer_id: str | None = None
    ) -> dict[str, str]:
        minted = mint_token(
            self._private_key,
            subject=subject,
            roles=[role],
            districts=list(districts),
            insurer_id=insurer_id,
            issuer="test",
            audience="safetynet",
        )
        return {"Authorization": f"Bearer {minted}"}

    def insurer(self, insurer_id: object = DEMO_INSURER_ID, subject: str = "ins-1") -> dict[str, str]:
        return self("insurer", subject=subject, insurer_id=str(insurer_id))


@dataclass
class Pair:
    eligibility: Api
    insurance: httpx.AsyncClient
    insurance_db: AsyncEngine
    eligibility_runtime: ServiceRuntime
    insurance_runtime: ServiceRuntime
    token: Tokens


@contextlib.asynccontextmanager
async def serve_pair(
    migrated_database: Any, keys: Path, clock: Clock | None = None, /, **bus: Any
) -> AsyncIterator[Pair]:
    """Eligibility and insurance running, each on its own migrated database, the terms seeded; `bus` picks
    in-process or Kafka, `clock` the day both live on (the system's by default; positional, so that a
    `**bus` dict never binds it)."""
    async with beside_eligibility(migrated_database, keys, "insurance", clock, **bus) as both:
        await seed_terms(both.other_runtime.unit_of_work(), TERMS)
        yield Pair(
            both.eligibility,
            both.other,
            both.other_db,
            both.eligibility_runtime,
            both.other_runtime,
            Tokens(both.private_key),
        )


@pytest.fixture
async def pair(migrated_database: Any, keys: Path, clock: FixedClock) -> AsyncIterator[Pair]:
    async with serve_pair(migrated_database, keys, clock, bus="in-process") as both:
        yield both


# --- a bare insurance database, fed through its inbox ---------------------------------------------


class FailOnDeadLetter:
    """A handler that fails is a test failure here, not a quiet dead letter."""

    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    async def send(self, letter: DeadLetter) -> None:
        self.letters.append(letter)


@dataclass
class Insurance:
    """Insurance's use cases and inbox without an app: on a database of the test's own (`url`), or inside the
    test's rolled-back transaction on the session's database (`url` None)."""

    sessions: async_sessionmaker[AsyncSession]
    dead_letters: FailOnDeadLetter
    url: str | None = None

    def new_uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, source=INSURANCE.source)

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """A connection in a transaction of its own, committed when the block ends."""
        async with self.sessions() as session, session.begin():
            yield await session.connection()

    async def deliver(self, events: Sequence[Event], *, consumer: str = "insurance") -> None:
        """Through an inbox processor; another `consumer` has an empty inbox, as a rebuild would."""
        processor = InboxProcessor(
            consumer=consumer,
            source=INSURANCE.source,
            sessions=self.sessions,
            handlers=HANDLERS,
            contracts=registry,
            dead_letters=self.dead_letters,
        )
        await processor.process([as_delivered(e, ELIGIBILITY.source) for e in events])
        assert self.dead_letters.letters == [], self.dead_letters.letters

    async def published(self, event_type: str | None = None) -> list[Any]:
        """What the insurance service has put in its outbox, decoded."""
        query = select(outbox).order_by(outbox.c.seq)
        if event_type is not None:
            query = query.where(outbox.c.type == event_type)
        async with self.connection() as connection:
            rows = (await connection.execute(query)).all()
        return [registry.decode(r.type, r.event_id, r.occurred_at, dict(r.payload)) for r in rows]

    async def outbox_size(self) -> int:
        async with self.connection() as connection:
            return int(await connection.scalar(select(func.count()).select_from(outbox)) or 0)


@contextlib.asynccontextmanager
async def bare_insurance(migrated_database: Any, terms: Sequence[int] = TERMS) -> AsyncIterator[Insurance]:
    """A migrated insurance database with the demo insurer and `terms` seeded, and no app."""
    url = await migrated_database(INSURANCE.migrations)
    engine = create_async_engine(url)
    bare = Insurance(session_factory(engine), FailOnDeadLetter(), url)
    try:
        await seed_terms(bare.new_uow(), terms)
        yield bare
    finally:
        await engine.dispose()


@pytest.fixture
async def insurance(rolled_back: Any) -> Insurance:
    """Use cases and the inbox in a transaction on the session's insurance database, rolled back after."""
    transaction = RolledBack(await rolled_back(INSURANCE.migrations), INSURANCE.source)
    bare = Insurance(transaction.sessions, FailOnDeadLetter())
    await seed_terms(bare.new_uow(), TERMS)
    return bare


@dataclass
class Served:
    """The insurance app over a bare database, on a clock; events still reach it through `Insurance.deliver`."""

    client: httpx.AsyncClient
    token: Tokens
    runtime: ServiceRuntime
    app: FastAPI
    """The app itself, for a test that reads a streamed response as it comes (`client` buffers it whole)."""


@contextlib.asynccontextmanager
async def serve(insurance: Insurance, keys: Path, clock: Clock) -> AsyncIterator[Served]:
    assert insurance.url is not None, "an app needs a database of the test's own"
    private_key, public_key = ensure_dev_keypair(keys)
    settings = InsuranceSettings.model_validate(
        {
            "environment": "development",
            "bus": "in-process",
            "database": DatabaseSettings(url=insurance.url),
            "auth": AuthSettings(issuer="test", audience="safetynet", public_key_file=public_key),
        }
    )
    app = create(settings, bus=InProcessBus(), clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://insurance") as client:
            yield Served(client, Tokens(private_key), app.state.runtime, app)
