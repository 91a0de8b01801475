"""Eligibility and insurance side by side on one bus (in-process or real Kafka), each on its own migrated
database; and a bare insurance database fed events straight through its inbox."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.eligibility.main import DEFINITION as ELIGIBILITY
from services.insurance.consumers import HANDLERS
from services.insurance.main import DEFINITION as INSURANCE
from services.insurance.service.terms import DEMO_INSURER_ID, seed_terms
from shared.auth import mint_token
from shared.contracts.base import Event
from shared.contracts.catalogue import registry
from shared.db import UnitOfWork, session_factory, upgrade
from shared.messaging.envelope import Envelope
from shared.messaging.inbox import DeadLetter, InboxProcessor
from shared.messaging.tables import outbox
from shared.service import ServiceRuntime
from tests.eligibility.conftest import Api, beside_eligibility

TERMS = (2026, 2027)
"""Seeded explicitly, so the tests do not depend on the year they run in."""


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
async def serve_pair(new_database: Any, keys: Path, **bus: Any) -> AsyncIterator[Pair]:
    """Eligibility and insurance running, each on its own migrated database, the terms seeded; `bus` picks
    in-process or Kafka."""
    async with beside_eligibility(new_database, keys, "insurance", **bus) as both:
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
async def pair(new_database: Any, tmp_path: Path) -> AsyncIterator[Pair]:
    async with serve_pair(new_database, tmp_path / "keys", bus="in-process") as both:
        yield both


# --- a bare insurance database, fed through its inbox ---------------------------------------------


class FailOnDeadLetter:
    """A handler that fails is a test failure here, not a quiet dead letter."""

    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    async def send(self, letter: DeadLetter) -> None:
        self.letters.append(letter)


def envelope(event: Event) -> Envelope:
    """The event as eligibility's relay would deliver it: same id, same time."""
    return Envelope(
        id=event.event_id,
        type=event.event_type(),
        source=ELIGIBILITY.source,
        time=event.occurred_at,
        subject=event.subject(),
        topic=event.topic,
        key=event.key(),
        data=json.dumps(event.body()).encode(),
    )


@dataclass
class Insurance:
    engine: AsyncEngine
    dead_letters: FailOnDeadLetter

    def new_uow(self) -> UnitOfWork:
        return UnitOfWork(session_factory(self.engine), source=INSURANCE.source)

    async def deliver(self, events: Sequence[Event], *, consumer: str = "insurance") -> None:
        """Through an inbox processor; another `consumer` has an empty inbox, as a rebuild would."""
        processor = InboxProcessor(
            consumer=consumer,
            source=INSURANCE.source,
            sessions=session_factory(self.engine),
            handlers=HANDLERS,
            contracts=registry,
            dead_letters=self.dead_letters,
        )
        await processor.process([envelope(e) for e in events])
        assert self.dead_letters.letters == [], self.dead_letters.letters

    async def published(self, event_type: str | None = None) -> list[Any]:
        """What the insurance service has put in its outbox, decoded."""
        query = select(outbox).order_by(outbox.c.seq)
        if event_type is not None:
            query = query.where(outbox.c.type == event_type)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [registry.decode(r.type, r.event_id, r.occurred_at, dict(r.payload)) for r in rows]

    async def outbox_size(self) -> int:
        async with self.engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(outbox)) or 0)


@pytest.fixture
async def insurance(new_database: Any) -> AsyncIterator[Insurance]:
    url = await new_database()
    await asyncio.to_thread(upgrade, INSURANCE.migrations, url)
    engine = create_async_engine(url)
    bare = Insurance(engine, FailOnDeadLetter())
    await seed_terms(bare.new_uow(), TERMS)
    yield bare
    await engine.dispose()
