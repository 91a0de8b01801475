"""A migrated facilities database per test, fed eligibility's events through its inbox, and its app over
that database on a `FixedClock`; builders for the eligibility events it consumes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.eligibility.main import DEFINITION as ELIGIBILITY
from services.facilities.consumers import HANDLERS
from services.facilities.main import DEFINITION as FACILITIES
from services.facilities.main import create
from services.facilities.settings import FacilitiesSettings
from shared.auth import ensure_dev_keypair, mint_token
from shared.clock import FixedClock
from shared.contracts.base import Event
from shared.contracts.catalogue import registry
from shared.contracts.eligibility import (
    CareLevelAssessed,
    CaseApproved,
    CaseTerminated,
    SupportModeChosen,
)
from shared.contracts.types import CareLevel, YearMonth
from shared.db import UnitOfWork, session_factory
from shared.messaging.bus import InProcessBus
from shared.messaging.inbox import DeadLetter, InboxProcessor
from shared.messaging.tables import outbox
from shared.settings import AuthSettings, DatabaseSettings
from tests.kit import as_delivered, case_approved

DISTRICT = "500103"
OTHER_DISTRICT = "500104"


class DeadLetters:
    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    async def send(self, letter: DeadLetter) -> None:
        self.letters.append(letter)


@dataclass
class Facilities:
    engine: AsyncEngine
    dead_letters: DeadLetters

    def new_uow(self) -> UnitOfWork:
        return UnitOfWork(session_factory(self.engine), source=FACILITIES.source)

    async def deliver(self, events: Sequence[Event], *, consumer: str = "facilities") -> None:
        """Through an inbox processor; another `consumer` has an empty inbox, as a replay from offset 0."""
        processor = InboxProcessor(
            consumer=consumer,
            source=FACILITIES.source,
            sessions=session_factory(self.engine),
            handlers=HANDLERS,
            contracts=registry,
            dead_letters=self.dead_letters,
        )
        await processor.process([as_delivered(e, ELIGIBILITY.source) for e in events])
        assert self.dead_letters.letters == [], self.dead_letters.letters

    async def published(self, event_type: str) -> list[Any]:
        async with self.engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(outbox).where(outbox.c.type == event_type).order_by(outbox.c.seq)
                )
            ).all()
        return [registry.decode(r.type, r.event_id, r.occurred_at, dict(r.payload)) for r in rows]

    async def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        async with self.engine.begin() as connection:
            return [tuple(r) for r in (await connection.execute(text(sql), params)).all()]


@contextlib.asynccontextmanager
async def bare_facilities(migrated_database: Any) -> AsyncIterator[Facilities]:
    url = await migrated_database(FACILITIES.migrations)
    engine = create_async_engine(url, pool_size=60, max_overflow=0)
    try:
        yield Facilities(engine, DeadLetters())
    finally:
        await engine.dispose()


@pytest.fixture
async def facilities(migrated_database: Any) -> AsyncIterator[Facilities]:
    async with bare_facilities(migrated_database) as bare:
        yield bare


class Tokens:
    def __init__(self, private_key: Path) -> None:
        self._private_key = private_key

    def __call__(
        self, role: str, *districts: str, subject: str = "staff-1", facilities: Sequence[str] = ()
    ) -> dict[str, str]:
        """Headers with a bearer token; `facilities` are a facility manager's `facility_ids`."""
        minted = mint_token(
            self._private_key,
            subject=subject,
            roles=[role],
            districts=list(districts or (DISTRICT,)),
            facility_ids=facilities,
            issuer="test",
            audience="safetynet",
        )
        return {"Authorization": f"Bearer {minted}"}

    def signed(self, **claims: Any) -> dict[str, str]:
        """Headers with a token of these claims (beside issuer, audience and times) signed by the trusted key,
        for claims `mint_token` refuses to write."""
        now = int(datetime.now(UTC).timestamp())
        payload = {"iss": "test", "aud": "safetynet", "iat": now, "exp": now + 600, **claims}
        key = serialization.load_pem_private_key(self._private_key.read_bytes(), password=None)
        return {"Authorization": f"Bearer {jwt.encode(payload, key, algorithm='RS256')}"}  # type: ignore[arg-type]


@dataclass
class Served:
    client: httpx.AsyncClient
    token: Tokens
    clock: FixedClock


@pytest.fixture
async def served(facilities: Facilities, keys: Path) -> AsyncIterator[Served]:
    """The facilities app over the test's database, living on 2026-03-02 until a test moves the clock."""
    private_key, public_key = ensure_dev_keypair(keys)
    settings = FacilitiesSettings.model_validate(
        {
            "environment": "development",
            "bus": "in-process",
            "database": DatabaseSettings(url=facilities.engine.url.render_as_string(hide_password=False)),
            "auth": AuthSettings(issuer="test", audience="safetynet", public_key_file=public_key),
        }
    )
    clock = FixedClock(date(2026, 3, 2))
    app = create(settings, bus=InProcessBus(), clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://facilities") as client:
            yield Served(client, Tokens(private_key), clock)


# --- eligibility's events ------------------------------------------------------------------------------


def approved(
    persons: Sequence[UUID],
    *,
    on: date,
    district: str = DISTRICT,
    program: str = "tekun",
    care_level: CareLevel | None = None,
) -> CaseApproved:
    return case_approved(
        persons, on=on, program=program, district=district, amount=97_500, care_level=care_level
    )


def assessed(case: CaseApproved, person: UUID, level: str, on: date) -> CareLevelAssessed:
    failed = {"self_caring": 0, "half_care": 2, "full_care": 5}[level]
    return CareLevelAssessed(
        case_id=case.case_id, person_id=person, care_level=level, adl_failed=failed, assessed_on=on
    )


def chose(
    case: CaseApproved, person: UUID, level: str, on: date, mode: str = "centralised"
) -> SupportModeChosen:
    return SupportModeChosen(
        case_id=case.case_id,
        person_id=person,
        district_code=case.district_code,
        support_mode=mode,
        care_level=level,
        chosen_on=on,
    )


def terminated(
    case: CaseApproved, persons: Sequence[UUID], *, on: date, reason: str = "death"
) -> CaseTerminated:
    return CaseTerminated(
        case_id=case.case_id,
        effective_month=YearMonth.of(on).next().label,
        reason=reason,
        person_ids=list(persons),
        decided_on=on,
    )


def facility_body(
    name: str, beds: int, *, suitable: int | None = None, district: str = DISTRICT, disabled_care: bool = True
) -> dict[str, Any]:
    """A facility with `beds` beds, the first `suitable` (all by default) disabled-suitable."""
    suitable = beds if suitable is None else suitable
    return {
        "district_code": district,
        "kind": "township_home",
        "name": name,
        "address": "test street 1",
        "cares_for_disabled": disabled_care,
        "staff_count": 10,
        "safety_grade": "B",
        "beds": [
            {"label": f"b{i:03d}", "room": f"r{i // 2}", "disabled_suitable": i < suitable}
            for i in range(beds)
        ],
    }
