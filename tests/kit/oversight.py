"""Helpers for tests of the oversight service: a migrated database fed events through its inbox, its app, the
matching key a deployment derives from eligibility's blind-index key, and builders of the events it reads."""

from __future__ import annotations

import base64
import contextlib
import itertools
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.oversight.consumers import HANDLERS
from services.oversight.domain.imports import Source
from services.oversight.domain.matching import MatchingIndex
from services.oversight.main import DEFINITION, create
from services.oversight.schemas.checks import CheckRunIn, CheckRunOut
from services.oversight.service import checks as check_service
from services.oversight.service import imports as import_service
from services.oversight.settings import OversightSettings
from shared.auth import Principal, Role, ensure_dev_keypair, mint_token
from shared.clock import FixedClock
from shared.contracts.base import Event
from shared.contracts.catalogue import registry
from shared.contracts.eligibility import (
    MATCH_CONTEXT,
    CaseApproved,
    DeclaredFacts,
    HouseholdRecorded,
    RecordedMember,
    StaffRelativeFiled,
)
from shared.contracts.types import CareLevel
from shared.db import UnitOfWork, session_factory
from shared.messaging.bus import InProcessBus
from shared.messaging.inbox import DeadLetter, InboxProcessor
from shared.pii import BlindIndex
from shared.settings import AuthSettings, DatabaseSettings, PiiSettings
from tests.kit import as_delivered, case_approved
from tests.kit.eligibility import resident_id

DISTRICT = "500103"
OTHER_DISTRICT = "500104"
TODAY = date(2026, 11, 16)


def matching_key_of(pii: PiiSettings) -> bytes:
    """Oversight's matching key: what eligibility's blind-index key derives for `MATCH_CONTEXT`."""
    return BlindIndex(pii).context_key(MATCH_CONTEXT)


MATCHING_KEY = bytes(range(1, 33))
"""The tests' matching key; `match_key` hashes with it as the app under test does."""


def match_key(resident_id: str) -> str:
    return MatchingIndex(MATCHING_KEY).digest(resident_id).hex()


@dataclass
class Oversight:
    engine: AsyncEngine
    dead_letters: list[DeadLetter] = field(default_factory=list)

    async def send(self, letter: DeadLetter) -> None:
        self.dead_letters.append(letter)

    async def deliver(self, events: Sequence[Event], *, consumer: str = "oversight") -> None:
        """Through an inbox processor; another `consumer` has an empty inbox, as a replay from offset 0."""
        processor = InboxProcessor(
            consumer=consumer,
            source=DEFINITION.source,
            sessions=session_factory(self.engine),
            handlers=HANDLERS,
            contracts=registry,
            dead_letters=self,
        )
        await processor.process([as_delivered(e, "/safetynet/test") for e in events])
        assert self.dead_letters == [], self.dead_letters

    async def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        async with self.engine.begin() as connection:
            return [tuple(r) for r in (await connection.execute(text(sql), params)).all()]


@contextlib.asynccontextmanager
async def bare_oversight(migrated_database: Any) -> AsyncIterator[Oversight]:
    engine = create_async_engine(await migrated_database(DEFINITION.migrations))
    try:
        yield Oversight(engine)
    finally:
        await engine.dispose()


@dataclass
class Served:
    client: httpx.AsyncClient
    private_key: Path

    def token(self, role: str, *districts: str, subject: str = "staff-1") -> dict[str, str]:
        """Headers with a bearer token; an auditor or admin without districts is city-wide."""
        minted = mint_token(
            self.private_key,
            subject=subject,
            roles=[role],
            districts=list(districts or ("*",)),
            issuer="test",
            audience="safetynet",
        )
        return {"Authorization": f"Bearer {minted}"}


@contextlib.asynccontextmanager
async def serve_on(today: date, oversight: Oversight, keys: Path, **settings: Any) -> AsyncIterator[Served]:
    """The oversight app over the test's database, living on `today`, matching with `MATCHING_KEY`."""
    private_key, public_key = ensure_dev_keypair(keys)
    values: dict[str, Any] = {
        "environment": "development",
        "bus": "in-process",
        "database": DatabaseSettings(url=oversight.engine.url.render_as_string(hide_password=False)),
        "auth": AuthSettings(issuer="test", audience="safetynet", public_key_file=public_key),
        "matching_key": base64.b64encode(MATCHING_KEY).decode(),
        **settings,
    }
    app = create(OversightSettings.model_validate(values), bus=InProcessBus(), clock=FixedClock(today))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://oversight") as client:
            yield Served(client, private_key)


def serve(
    oversight: Oversight, keys: Path, **settings: Any
) -> contextlib.AbstractAsyncContextManager[Served]:
    """The oversight app living on `TODAY`."""
    return serve_on(TODAY, oversight, keys, **settings)


# --- the events oversight reads ----------------------------------------------------------------------------


def household(
    members: Sequence[tuple[UUID, str]],
    *,
    household_id: UUID | None = None,
    version: int = 1,
    district: str = DISTRICT,
    on: date = date(2026, 1, 5),
    **declared: Any,
) -> HouseholdRecorded:
    """A household of `members` (person id, resident ID); the first is the head."""
    facts: dict[str, Any] = {
        "monthly_income_fen": 30_000,
        "financial_assets_fen": 0,
        "vehicle_exemption_evidenced": False,
        "study_abroad_self_funded": False,
        "premiums_and_private_fees_fen_per_year": 0,
        **declared,
    }
    return HouseholdRecorded(
        household_id=household_id or uuid4(),
        version=version,
        district_code=district,
        area="urban",
        members=[
            RecordedMember(person_id=p, relation="head" if i == 0 else "child", match_key=match_key(rid))
            for i, (p, rid) in enumerate(members)
        ],
        declared=DeclaredFacts(**facts),
        recorded_on=on,
    )


def approved(
    home: HouseholdRecorded,
    persons: Sequence[UUID] | None = None,
    *,
    on: date = date(2026, 1, 20),
    program: str = "dibao",
    amount: int = 40_000,
    care_level: CareLevel | None = None,
) -> CaseApproved:
    """A case of `home` covering `persons` (default: every member) from the month after `on`."""
    covered = persons if persons is not None else [m.person_id for m in home.members]
    return case_approved(
        covered,
        on=on,
        program=program,
        district=home.district_code,
        amount=amount,
        household_id=home.household_id,
        care_level=care_level,
    )


# --- checks ------------------------------------------------------------------------------------------------

AUDITOR = Principal(subject="auditor-1", roles=frozenset({Role.auditor}), city_wide=True)
PARAMETERS = {"urban_standard_fen": 77_000, "rural_standard_fen": 63_000, "housing_guarantee_area_m2": 20}


def person(number: int, birth: str = "19600101") -> tuple[UUID, str]:
    """A person id and a valid resident ID, distinct per `number`."""
    return uuid4(), resident_id("500103", birth, f"{number:03d}")


async def load(oversight: Oversight, source: Source, header: str, *rows: str) -> None:
    """Rows of another department's file, imported as the service does (every row must be good)."""
    content = (header + "\n" + "".join(f"{row}\n" for row in rows)).encode()
    report = await import_service.import_file(
        UnitOfWork(session_factory(oversight.engine), source=DEFINITION.source),
        MatchingIndex(MATCHING_KEY),
        AUDITOR,
        source=source,
        mode="all_or_nothing",
        file_name=f"{source}.csv",
        file_format="csv",
        content=content,
        today=TODAY,
        max_rows=1_000,
    )
    assert report.rows_loaded == len(rows)


async def run(
    oversight: Oversight, *rules: str, caller: Principal = AUDITOR, as_of: date = TODAY, **body: Any
) -> CheckRunOut:
    request = CheckRunIn.model_validate(
        {"rules": list(rules) or None, "as_of": as_of, "parameters": PARAMETERS, **body}
    )
    uow = UnitOfWork(session_factory(oversight.engine), source=DEFINITION.source)
    return await check_service.run_checks(uow, caller, request, today=TODAY)


async def hits(oversight: Oversight, rule: str) -> set[tuple[UUID | None, UUID | None]]:
    """(case, person) of every finding of `rule`."""
    return {
        (r[0], r[1])
        for r in await oversight.rows("SELECT case_id, person_id FROM findings WHERE rule = :r", r=rule)
    }


# --- problem lists, supervision, purchased services --------------------------------------------------------

_PERSON_NUMBERS = itertools.count(1)


def unit_of_work(oversight: Oversight) -> UnitOfWork:
    return UnitOfWork(session_factory(oversight.engine), source=DEFINITION.source)


async def cases(
    oversight: Oversight,
    count: int,
    *,
    district: str = DISTRICT,
    on: date = date(2026, 11, 10),
    relatives: bool = False,
) -> list[UUID]:
    """`count` cases of one-person households in `district`, approved `on`, each person with a resident ID
    of their own; `relatives`: each person is also filed in the staff-relatives register."""
    events: list[Event] = []
    for _ in range(count):
        number = next(_PERSON_NUMBERS)
        rid = resident_id("500103", f"{1930 + number // 1000:04d}0101", f"{number % 1000:03d}")
        home = household([(uuid4(), rid)], district=district, on=on)
        events += [home, approved(home, on=on)]
        if relatives:
            events.append(
                StaffRelativeFiled(
                    relative_id=uuid4(),
                    match_key=match_key(rid),
                    staff_id="staff-9",
                    relation="sibling",
                    district_code=district,
                    filed_on=on,
                )
            )
    await oversight.deliver(events)
    return [e.case_id for e in events if isinstance(e, CaseApproved)]
