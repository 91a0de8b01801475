"""Eligibility and payments side by side on one in-process bus, each with its own migrated database; and
payments alone on a `FixedClock`, fed eligibility's events straight through its inbox, for the flows
whose dates matter (a year end)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.eligibility.main import DEFINITION as ELIGIBILITY
from services.payments.consumers import HANDLERS
from services.payments.main import DEFINITION as PAYMENTS
from services.payments.main import create
from services.payments.settings import PaymentsSettings
from shared.auth import ensure_dev_keypair, mint_token
from shared.clock import Clock, FixedClock, SystemClock
from shared.contracts.base import Event
from shared.contracts.catalogue import registry
from shared.messaging.bus import InProcessBus
from shared.messaging.inbox import DeadLetter, InboxProcessor
from shared.pii import generate_pii_settings
from shared.service import ServiceRuntime
from shared.settings import AuthSettings, DatabaseSettings
from tests.eligibility.conftest import Api, beside_eligibility
from tests.kit import as_delivered

NEW_YEARS = sorted({2027, SystemClock().today().year})
"""The years a year-end test begins: a fixed one, and the year the suite runs in (its 1 January has passed)."""


@pytest.fixture
def clock() -> FixedClock:
    """The day the apps live on: the real today, until a test moves it."""
    return FixedClock(SystemClock().today())


@dataclass
class Pair:
    eligibility: Api
    payments: httpx.AsyncClient
    payments_db: AsyncEngine
    eligibility_runtime: ServiceRuntime
    payments_runtime: ServiceRuntime


def keyed(headers: dict[str, str]) -> dict[str, str]:
    """Headers for a money-moving POST: a fresh Idempotency-Key each time."""
    return {**headers, "Idempotency-Key": uuid4().hex}


async def prepared(
    pair: Pair, month: str, headers: dict[str, str], district: str = "500103"
) -> dict[str, Any]:
    """Start a district's run for the month and wait for its background preparation to finish."""
    return await prepared_by(pair.payments, month, headers, district)


async def prepared_by(
    client: httpx.AsyncClient, month: str, headers: dict[str, str], district: str = "500103"
) -> dict[str, Any]:
    """`prepared`, through any client of the payments app."""
    started = await client.post(
        "/v1/runs", json={"district_code": district, "month": month}, headers=keyed(headers)
    )
    assert started.status_code == 202, started.text
    for _ in range(200):
        run = (await client.get(f"/v1/runs/{started.json()['id']}", headers=headers)).json()
        if run["status"] != "preparing":
            return dict(run)
        await asyncio.sleep(0.05)
    raise AssertionError(f"run {run} did not finish preparing")


@contextlib.asynccontextmanager
async def serve_pair(
    migrated_database: Any, keys: Path, clock: Clock | None = None, /, **bus: Any
) -> AsyncIterator[Pair]:
    """Eligibility and payments running, each on its own migrated database; `bus` picks in-process or Kafka,
    `clock` the day both live on (the system's by default; positional, so that a `**bus` dict never binds
    it)."""
    async with beside_eligibility(migrated_database, keys, "payments", clock, **bus) as both:
        yield Pair(both.eligibility, both.other, both.other_db, both.eligibility_runtime, both.other_runtime)


@pytest.fixture
async def pair(migrated_database: Any, keys: Path, clock: FixedClock) -> AsyncIterator[Pair]:
    async with serve_pair(migrated_database, keys, clock, bus="in-process") as both:
        yield both


# --- payments alone, on a clock, fed eligibility's events through its inbox ------------------------


@dataclass
class Payments:
    """The payments app on `clock`; `deliver` hands it eligibility's events as its consumer would."""

    client: httpx.AsyncClient
    engine: AsyncEngine
    runtime: ServiceRuntime
    clock: FixedClock
    private_key: Path
    dead_letters: list[DeadLetter] = field(default_factory=list)

    def token(self, role: str, *districts: str, subject: str) -> dict[str, str]:
        minted = mint_token(
            self.private_key,
            subject=subject,
            roles=[role],
            districts=list(districts),
            issuer="test",
            audience="safetynet",
        )
        return {"Authorization": f"Bearer {minted}"}

    async def send(self, letter: DeadLetter) -> None:
        self.dead_letters.append(letter)

    async def deliver(self, events: Sequence[Event]) -> None:
        """Each event as eligibility's relay would deliver it (same id, same time), through the inbox; a
        handler that fails is a test failure, not a quiet dead letter."""
        processor = InboxProcessor(
            consumer=PAYMENTS.name,
            source=PAYMENTS.source,
            sessions=self.runtime.sessions,
            handlers=HANDLERS,
            contracts=registry,
            dead_letters=self,
        )
        await processor.process([as_delivered(event, ELIGIBILITY.source) for event in events])
        assert self.dead_letters == [], self.dead_letters


@pytest.fixture
async def payments(migrated_database: Any, keys: Path, clock: FixedClock) -> AsyncIterator[Payments]:
    url = await migrated_database(PAYMENTS.migrations)
    private_key, public_key = ensure_dev_keypair(keys)
    settings = PaymentsSettings.model_validate(
        {
            "environment": "development",
            "bus": "in-process",
            "database": DatabaseSettings(url=url),
            "auth": AuthSettings(issuer="test", audience="safetynet", public_key_file=public_key),
            "pii": generate_pii_settings(),
        }
    )
    app = create(settings, bus=InProcessBus(), clock=clock)
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://payments") as client:
            yield Payments(client, runtime.engine, runtime, clock, private_key)
