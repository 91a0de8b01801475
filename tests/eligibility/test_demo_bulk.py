"""The demo city at scale: households written set-based with the rows and events the API would have written,
read back through the API as any other; loading again adds nothing, a larger count adds only the rest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from safetynet.demo import bulk
from services.eligibility.main import DEFINITION
from services.eligibility.models import Application, Case, CaseBeneficiary, Household, Person
from shared.clock import FixedClock
from shared.messaging.tables import outbox
from shared.resident_id import validate_resident_id
from tests.eligibility.conftest import Api, serve

YEAR_END = date(2027, 1, 1)


@pytest.fixture(params=[date.today(), YEAR_END], ids=["today", "on 1 January"])
async def api(
    request: pytest.FixtureRequest, eligibility_engine: AsyncEngine, keys: Path
) -> AsyncIterator[Api]:
    async with serve(eligibility_engine, keys, FixedClock(request.param), bus="in-process") as client:
        yield client


async def counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        found = {
            model.__tablename__: int(await connection.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Household, Person, Application, Case, CaseBeneficiary)
        }
        for kind in ("HouseholdRecorded", "CaseApproved", "CaseReviewScheduled"):
            found[kind] = int(
                await connection.scalar(select(func.count()).select_from(outbox).where(outbox.c.type == kind))
                or 0
            )
    return found


async def load(api: Api, engine: AsyncEngine, count: int) -> int:
    assert api.app is not None
    runtime = api.app.state.runtime
    today = runtime.clock.today()
    return await bulk.load_households(
        engine, api.app.state.personal_data, count, today=today, source=DEFINITION.source
    )


async def test_bulk_households_are_real_ones_and_loading_again_adds_only_the_missing(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    before = await counts(eligibility_engine)
    assert await load(api, eligibility_engine, 2_500) == 2_500
    after = await counts(eligibility_engine)
    added = {table: after[table] - before[table] for table in after}
    assert added["households"] == 2_500 == added["HouseholdRecorded"]
    assert 0.55 < added["cases"] / 2_500 < 0.75, added
    assert added["cases"] == added["CaseApproved"] == added["CaseReviewScheduled"]
    assert added["applications"] > added["cases"]
    assert await load(api, eligibility_engine, 2_500) == 0
    assert await counts(eligibility_engine) == after
    assert await load(api, eligibility_engine, 3_000) == 500
    final = await counts(eligibility_engine)
    assert final["households"] == after["households"] + 500

    auditor = api.token("auditor", "*", subject="audit-1")
    cases = (await api.client.get("/v1/cases", params={"page_size": 200}, headers=auditor)).json()
    assert cases["total"] == final["cases"] - before["cases"]
    sample: dict[str, Any] = cases["items"][0]
    case = (await api.client.get(f"/v1/cases/{sample['id']}", headers=auditor)).json()
    assert case["status"] == "active" and case["monthly_amount_fen"] > 0
    assert case["monthly_amount_fen"] == sum(b["total_fen"] for b in case["beneficiaries"])
    household = (await api.client.get(f"/v1/households/{sample['household_id']}", headers=auditor)).json()
    assert household["members"][0]["relation"] == "head"
    async with eligibility_engine.connect() as connection:
        states = set(await connection.scalars(text("SELECT DISTINCT state FROM applications")))
        undated = await connection.scalar(
            text(
                "SELECT count(*) FROM applications"
                " WHERE state NOT IN ('new', 'applied') AND decision IS NULL AND decision_due IS NULL"
            )
        )
    assert "approved" in states and len(states) >= 4, states
    assert undated == 0  # an accepted application's decision deadline is counted, as the API counts it


async def test_bulk_resident_ids_are_valid_and_never_drawn_twice() -> None:
    numbers: list[str] = []
    for number in range(0, 40_000, 7):
        district = bulk.DISTRICTS[number % len(bulk.DISTRICTS)]
        block, slot = divmod(number // len(bulk.DISTRICTS), bulk.SLOTS)
        for place, born in enumerate(bulk.births(block)):
            numbers.append(bulk.resident_id(district, born, slot, place))
    assert len(set(numbers)) == len(numbers)
    for resident in numbers[:2_000]:
        validate_resident_id(resident, today=date.today())
