"""Helpers for tests that drive eligibility: households, the statutory steps, cases, the insurer's identity."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import uvicorn
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.eligibility.domain.means import CountedIncome
from services.eligibility.main import create
from services.eligibility.models import Case, CaseBeneficiary, Household, Person
from services.eligibility.repository import cases as cases_queries
from services.eligibility.settings import EligibilitySettings
from shared.audit import audit_log
from shared.auth import ensure_dev_keypair, mint_token
from shared.clock import SystemClock
from shared.contracts.base import Event
from shared.contracts.catalogue import registry
from shared.contracts.insurance import InsuredEnrolled
from shared.db import UnitOfWork, session_factory
from shared.messaging.bus import InProcessBus
from shared.messaging.outbox import Publisher
from shared.messaging.tables import outbox
from shared.pii import generate_pii_settings
from shared.resident_id import check_character
from shared.settings import AuthSettings, DatabaseSettings
from tests.eligibility.conftest import Api
from tests.kit import prepare_database, relay_for


def resident_id(region: str, birth: str, sequence: str) -> str:
    body = region + birth + sequence
    return body + check_character(body)


HEAD_ID = resident_id("500103", "19500301", "123")

GRANDCHILD_ID = resident_id("500103", "20140901", "456")


def household(district: str = "500103", **changes: Any) -> dict[str, Any]:
    return {
        "district_code": district,
        "area": "urban",
        "members": [
            {
                "id_number": HEAD_ID,
                "name": "张桂兰",
                "birth_date": "1950-03-01",
                "relation": "head",
                "disability_grade": 2,
                "disability_kind": "physical",
            },
            {
                "id_number": GRANDCHILD_ID,
                "name": "张小明",
                "birth_date": "2014-09-01",
                "relation": "grandchild",
                "student": True,
            },
        ],
        "monthly_income_fen": 60_000,
        **changes,
    }


DISTRICT = "500103"

INVESTIGATION: list[dict[str, Any]] = [
    {"kind": "accepted", "on": "2026-10-12"},
    {
        "kind": "data_cross_checked",
        "on": "2026-10-13",
        "details": {"findings": ["tax: no income", "vehicles: none"]},
    },
    {"kind": "home_visited", "on": "2026-10-14", "details": {"investigators": ["inv-a", "inv-b"]}},
    {"kind": "township_reviewed", "on": "2026-10-20"},
    {"kind": "notice_posted", "on": "2026-10-21"},
]

APPROVE: dict[str, Any] = {"kind": "approved", "on": "2026-10-29"}


async def events(engine: AsyncEngine, event_type: str) -> list[Any]:
    """The outbox's events of `event_type`, in the order they were written (a row the relay marks sent moves)."""
    async with engine.connect() as connection:
        rows = (
            await connection.execute(select(outbox).where(outbox.c.type == event_type).order_by(outbox.c.seq))
        ).all()
    return [
        registry.decode(row.type, row.event_id, row.occurred_at, json.loads(json.dumps(row.payload)))
        for row in rows
    ]


async def registered(api: Api, body: dict[str, Any] | None = None, **changes: Any) -> str:
    """The test household (or `body`) registered; its id."""
    created = await api.client.post(
        "/v1/households", json=body or household(**changes), headers=api.token("caseworker", DISTRICT)
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def apply(api: Api, household_id: str, headers: dict[str, str], **extra: Any) -> str:
    body = {"household_id": household_id, "program": "dibao", "applied_on": "2026-10-12", **extra}
    response = await api.client.post("/v1/applications", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def steps(
    api: Api, application_id: str, steps: list[dict[str, Any]], headers: dict[str, str]
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for step in steps:
        response = await api.client.post(
            f"/v1/applications/{application_id}/steps", json=step, headers=headers
        )
        assert response.status_code == 200, (step, response.text)
        body = response.json()
    return body


async def approved_case(
    api: Api, program: str = "dibao", *, body: dict[str, Any] | None = None, **household_changes: Any
) -> tuple[str, str]:
    """The test household (or `body`) registered, investigated and approved on 29 October 2026 (a tekun case
    covers the head alone): (household id, case id)."""
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    household_id = await registered(api, body, **household_changes)
    application_id = await apply(api, household_id, caseworker, program=program)
    await steps(api, application_id, INVESTIGATION, caseworker)
    decided = await steps(api, application_id, [APPROVE], api.token("reviewer", DISTRICT, subject="rv-1"))
    return household_id, str(decided["case_id"])


async def approved_with_members(api: Api, program: str) -> tuple[str, dict[str, str]]:
    """A case approved on 29 October 2026 for the test household (the head and a grandchild): its id and the
    members' person ids by relation."""
    household_id, case_id = await approved_case(api, program)
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    members = (await api.client.get(f"/v1/households/{household_id}", headers=caseworker)).json()["members"]
    return case_id, {m["relation"]: m["person_id"] for m in members}


async def assess(api: Api, case_id: str, person_id: str, adl_failed: int, on: str) -> None:
    """The person's self-care assessed on `on`: `adl_failed` of the daily activities they cannot do."""
    body = {"person_id": person_id, "adl_failed": adl_failed, "on": on}
    response = await api.client.post(
        f"/v1/cases/{case_id}/care-assessments",
        json=body,
        headers=api.token("caseworker", DISTRICT, subject="cw-1"),
    )
    assert response.status_code == 200, response.text


async def add_case(
    uow: UnitOfWork,
    standard_id: UUID,
    *,
    program: str,
    area: str,
    per_capita_income_fen: int,
    start_month: date,
    members: list[tuple[list[str], str | None, tuple[int, int, int]]],
    status: str = "active",
    income: CountedIncome | None = None,
    person_ids: list[UUID] | None = None,
) -> UUID:
    """A case as approval stores it; `members` are (add-on kinds, care level, (base, add-on, care) fen).

    `income` is the exact counted income (default: `per_capita_income_fen` for one person, which gives
    `(standard − per_capita_income_fen) × covered`); `person_ids` default to ascending ids, so that the
    members come in the order the leftover fen of a split base go in.
    """
    case_id = uuid4()
    income = income or CountedIncome(12 * per_capita_income_fen, 1)
    ids = person_ids or sorted(uuid4() for _ in members)
    async with uow:
        persons = [
            Person(
                id=person_id,
                id_number_index=uuid4().bytes,
                id_number_cipher=b"x",
                name_cipher=b"x",
                birth_date=date(1960, 1, 1),
                created_by="test",
            )
            for person_id in ids
        ]
        uow.session.add_all(persons)
        household_id = uuid4()
        await uow.session.execute(
            insert(Household).values(
                id=household_id,
                district_code="500101",
                area=area,
                monthly_income_fen=0,
                facts={},
                version=1,
                updated_by="t",
            )
        )
        case = Case(
            id=case_id,
            household_id=household_id,
            program=program,
            district_code="500101",
            area=area,
            status=status,
            start_month=start_month,
            per_capita_income_fen=per_capita_income_fen,
            counted_income_twelfths=income.twelfths_fen,
            income_members=income.members,
            monthly_amount_fen=sum(sum(parts) for *_, parts in members),
            standard_id=standard_id,
            approved_by="reviewer-1",
            approved_on=start_month,
        )
        beneficiaries = [
            CaseBeneficiary(
                case_id=case_id,
                person_id=person.id,
                program=program,
                active=status == "active",
                add_on_kinds=kinds,
                care_level=care,
                base_fen=parts[0],
                add_on_fen=parts[1],
                care_subsidy_fen=parts[2],
                insurance_categories=[program],
            )
            for person, (kinds, care, parts) in zip(persons, members, strict=True)
        ]
        await cases_queries.add_case(uow.session, case, beneficiaries)
        await uow.commit()
    return case_id


HEAD_NAME = "张桂兰"

INSURER = uuid4()

YEAR = SystemClock().today().year
"""Policy years are calendar years; this year's entries are within their claim window today."""


class Upstream:
    """A stand-in for a service whose events eligibility reads (insurance by default): they leave through a
    real outbox and relay."""

    def __init__(
        self, engine: AsyncEngine, publisher: Publisher, source: str = "/safetynet/insurance"
    ) -> None:
        self.engine = engine
        self.relay = relay_for(engine, publisher)
        self.source = source

    async def publish(self, *events: Event) -> None:
        uow = UnitOfWork(session_factory(self.engine), source=self.source)
        async with uow:
            for event in events:
                uow.emit(event)
            await uow.commit()
        await self.relay.drain()

    async def redeliver(self, event: Event) -> None:
        """What a relay that died between the broker's ack and marking the row sent does."""
        async with self.engine.begin() as connection:
            await connection.execute(
                update(outbox).where(outbox.c.event_id == event.event_id).values(sent_at=None)
            )
        assert await self.relay.drain() == 1


@dataclass
class World:
    api: Api
    insurance: Upstream
    private_key: Path

    def insurer(self, insurer_id: object = INSURER, subject: str = "insurer-clerk-1") -> dict[str, str]:
        token = mint_token(
            self.private_key,
            subject=subject,
            roles=["insurer"],
            districts=[],
            insurer_id=str(insurer_id),
            issuer="test",
            audience="safetynet",
        )
        return {"Authorization": f"Bearer {token}"}


@contextlib.asynccontextmanager
async def serve_on_bus(
    engine: AsyncEngine, keys: Path, bus: InProcessBus, *, over_tcp: bool = False
) -> AsyncIterator[httpx.AsyncClient]:
    """The eligibility app on an in-process bus the test holds, as the embedded default runs it;
    `over_tcp` serves it with uvicorn on a local port, for clients outside this process."""
    _, public_key = ensure_dev_keypair(keys)
    settings = EligibilitySettings.model_validate(
        {
            "environment": "development",
            "bus": "in-process",
            "database": DatabaseSettings(url=engine.url.render_as_string(hide_password=False)),
            "auth": AuthSettings(issuer="test", audience="safetynet", public_key_file=public_key),
            "pii": generate_pii_settings(),
        }
    )
    app = create(settings, bus=bus)
    if not over_tcp:
        # As behind a real server: an unexpected error reaches the client as a 500 problem, not an exception.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://eligibility") as client,
        ):
            yield client
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not serving.done(), "uvicorn stopped before it served"
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield client
    finally:
        server.should_exit = True
        await serving


@contextlib.asynccontextmanager
async def world_on(
    engine: AsyncEngine, new_database: Any, keys: Path, *, over_tcp: bool = False
) -> AsyncIterator[World]:
    bus = InProcessBus()
    insurance_db = await prepare_database(await new_database())
    try:
        async with serve_on_bus(engine, keys, bus, over_tcp=over_tcp) as client:
            private_key, _ = ensure_dev_keypair(keys)
            yield World(Api(client, private_key), Upstream(insurance_db, bus), private_key)
    finally:
        await insurance_db.dispose()


async def register_household(api: Api) -> dict[str, UUID]:
    """The test household's two members: the head and the grandchild, by their person ids."""
    created = await api.client.post(
        "/v1/households", json=household(), headers=api.token("caseworker", DISTRICT, subject="cw-1")
    )
    assert created.status_code == 201, created.text
    members = created.json()["members"]
    return {m["relation"]: UUID(m["person_id"]) for m in members}


def enrolled(
    person_id: UUID, *, insurer: UUID = INSURER, year: int = YEAR, month: int = 1
) -> InsuredEnrolled:
    return InsuredEnrolled(
        roster_entry_id=uuid4(),
        person_id=person_id,
        policy_year=year,
        insurer_id=insurer,
        district_code=DISTRICT,
        categories=["dibao"],
        cover_from=date(year, month, 1),
        premium_fen=12_000,
    )


async def audit_rows(engine: AsyncEngine) -> Sequence[Any]:
    async with engine.connect() as connection:
        return (await connection.execute(select(audit_log).order_by(audit_log.c.seq))).mappings().all()
