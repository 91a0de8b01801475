"""Oversight's findings reach eligibility through a real outbox and relay: a rule that stops payment suspends
an active case once, however often it is delivered; every finding about a case is kept for its caseworker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.eligibility.main import DEFINITION
from services.eligibility.models import CaseFinding
from services.eligibility.service.standards import seed_standards
from shared.auth import ensure_dev_keypair
from shared.contracts.oversight import FindingRaised, Rule
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork, session_factory
from shared.messaging.bus import InProcessBus
from tests.eligibility.conftest import Api
from tests.kit import prepare_database
from tests.kit.eligibility import DISTRICT, Upstream, approved_case, audit_rows, events, serve_on_bus

OTHER_DISTRICT = "500106"


@dataclass
class Beside:
    api: Api
    oversight: Upstream
    engine: AsyncEngine

    async def case(self, case_id: str) -> Any:
        headers = self.api.token("caseworker", DISTRICT, subject="cw-1")
        return (await self.api.client.get(f"/v1/cases/{case_id}", headers=headers)).json()

    async def findings(self, case_id: str, district: str = DISTRICT) -> Any:
        headers = self.api.token("caseworker", district, subject="cw-1")
        return await self.api.client.get(f"/v1/cases/{case_id}/findings", headers=headers)


@pytest.fixture
async def beside(eligibility_engine: AsyncEngine, new_database: Any, keys: Path) -> AsyncIterator[Beside]:
    """Eligibility, and a stand-in oversight publishing through its own outbox to eligibility's inbox."""
    bus = InProcessBus()
    oversight_db = await prepare_database(await new_database())
    try:
        async with serve_on_bus(eligibility_engine, keys, bus) as client:
            await seed_standards(UnitOfWork(session_factory(eligibility_engine), source=DEFINITION.source))
            private_key, _ = ensure_dev_keypair(keys)
            yield Beside(
                Api(client, private_key),
                Upstream(oversight_db, bus, source="/safetynet/oversight"),
                eligibility_engine,
            )
    finally:
        await oversight_db.dispose()


def finding(case_id: str | None, rule: Rule, *, suspend: bool, found_on: date) -> FindingRaised:
    return FindingRaised(
        finding_id=uuid4(),
        run_id=uuid4(),
        rule=rule,
        severity="high" if suspend else "medium",
        district_code=DISTRICT,
        case_id=None if case_id is None else UUID(case_id),
        person_id=None,
        suspend_case=suspend,
        evidence={"import_rows": [7], "death_date": found_on.isoformat()},
        found_on=found_on,
    )


async def kept(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(CaseFinding)) or 0)


@pytest.mark.parametrize("found_on", [date.today(), date(2026, 12, 31)], ids=["today", "on 31 December"])
async def test_a_death_found_suspends_the_case_from_the_next_month_once_however_often_delivered(
    beside: Beside, found_on: date
) -> None:
    _, case_id = await approved_case(beside.api)
    death = finding(case_id, "R6", suspend=True, found_on=found_on)

    await beside.oversight.publish(death)
    await beside.oversight.redeliver(death)

    assert (await beside.case(case_id))["status"] == "suspended"
    [suspended] = await events(beside.engine, "CaseSuspended")
    assert str(suspended.case_id) == case_id
    assert suspended.from_month == YearMonth.of(found_on).next().label
    assert (suspended.reason_code, suspended.decided_on) == ("investigation", found_on)
    if found_on == date(2026, 12, 31):
        assert suspended.from_month == "2027-01"
    answer = await beside.findings(case_id)
    assert answer.status_code == 200
    [shown] = answer.json()["findings"]
    assert (shown["finding_id"], shown["rule"], shown["action"]) == (str(death.finding_id), "R6", "suspended")
    assert shown["evidence"] == {"import_rows": [7], "death_date": found_on.isoformat()}
    [audited] = [r for r in await audit_rows(beside.engine) if r["action"] == "case.suspended_on_finding"]
    assert (audited["actor"], audited["subject_id"]) == ("oversight", case_id)
    assert audited["details"]["finding_id"] == str(death.finding_id)


async def test_a_finding_that_does_not_stop_payment_is_noted_and_a_suspended_case_is_not_suspended_again(
    beside: Beside,
) -> None:
    _, case_id = await approved_case(beside.api)
    today = date.today()

    await beside.oversight.publish(finding(case_id, "R1", suspend=False, found_on=today))
    assert (await beside.case(case_id))["status"] == "active"
    await beside.oversight.publish(finding(case_id, "R7", suspend=True, found_on=today))
    await beside.oversight.publish(finding(case_id, "R8", suspend=True, found_on=today))

    assert (await beside.case(case_id))["status"] == "suspended"
    assert len(await events(beside.engine, "CaseSuspended")) == 1
    shown = {f["rule"]: f["action"] for f in (await beside.findings(case_id)).json()["findings"]}
    assert shown == {"R1": "noted", "R7": "suspended", "R8": "noted"}


async def test_findings_naming_no_case_or_an_unknown_case_change_nothing(beside: Beside) -> None:
    _, case_id = await approved_case(beside.api)
    today = date.today()

    await beside.oversight.publish(finding(None, "missed", suspend=False, found_on=today))
    await beside.oversight.publish(finding(str(uuid4()), "R6", suspend=True, found_on=today))

    assert await kept(beside.engine) == 0
    assert (await beside.case(case_id))["status"] == "active"
    assert await events(beside.engine, "CaseSuspended") == []


async def test_a_cases_findings_are_shown_only_in_its_district(beside: Beside) -> None:
    _, case_id = await approved_case(beside.api)
    await beside.oversight.publish(finding(case_id, "R6", suspend=True, found_on=date.today()))

    elsewhere = await beside.findings(case_id, OTHER_DISTRICT)
    assert elsewhere.status_code == 404
    assert "R6" not in elsewhere.text
    assert (await beside.findings(str(uuid4()))).status_code == 404
