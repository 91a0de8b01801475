"""Announcing the registry again: every household at its current version and every filed relative who is
registered, with the same match keys and facts as when they were recorded, in batches, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from services.eligibility.service.announcements import announce_registry
from shared.messaging.tables import outbox
from tests.eligibility.conftest import Api
from tests.kit.eligibility import DISTRICT, HEAD_ID, audit_rows, events, household, registered, resident_id

NOT_REGISTERED_ID = resident_id("500103", "19700101", "888")
ANNOUNCED_ON = date(2027, 1, 1)


async def forget_announcements(engine: AsyncEngine) -> None:
    """As if the registry had been recorded before eligibility announced it."""
    async with engine.begin() as connection:
        await connection.execute(
            delete(outbox).where(outbox.c.type.in_(["HouseholdRecorded", "StaffRelativeFiled"]))
        )


def as_recorded(event: Any) -> dict[str, Any]:
    """The event's facts, members in any order."""
    facts = event.model_dump(mode="json", exclude={"event_id", "occurred_at", "recorded_on"})
    return {**facts, "members": sorted(facts["members"], key=lambda member: member["person_id"])}


async def test_announcing_again_repeats_each_household_at_its_current_version_and_each_registered_relative(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    first = await registered(api)
    other = household(
        members=[
            {
                "id_number": resident_id("500103", "19620715", "321"),
                "name": "李建国",
                "birth_date": "1962-07-15",
                "relation": "head",
            }
        ]
    )
    second = await registered(api, other)
    current = (await api.client.get(f"/v1/households/{first}", headers=caseworker)).json()
    change = {**household(monthly_income_fen=30_000), "version": current["version"], "reason": "income fell"}
    assert (
        await api.client.put(f"/v1/households/{first}", json=change, headers=caseworker)
    ).status_code == 200
    reviewer = api.token("reviewer", DISTRICT, subject="rv-1")
    for number in (HEAD_ID, NOT_REGISTERED_ID):
        relative = {
            "id_number": number,
            "staff_id": "cadre-88",
            "relation": "parent",
            "district_code": DISTRICT,
        }
        assert (await api.client.post("/v1/relatives", json=relative, headers=reviewer)).status_code == 201
    recorded = {e.household_id: e for e in await events(eligibility_engine, "HouseholdRecorded")}
    filed_keys = {e.match_key for e in await events(eligibility_engine, "StaffRelativeFiled")}
    await forget_announcements(eligibility_engine)
    assert api.app is not None
    runtime, pii = api.app.state.runtime, api.app.state.personal_data
    advanced: list[int] = []

    done = await announce_registry(
        runtime.unit_of_work, pii, today=ANNOUNCED_ON, announced_by="ops-1", batch=1, progress=advanced.append
    )

    assert (done.households, done.relatives, done.relatives_not_registered) == (2, 1, 1)
    assert advanced == [1, 1, 1, 1]
    announced = await events(eligibility_engine, "HouseholdRecorded")
    assert sorted(str(e.household_id) for e in announced) == sorted([first, second])
    for event in announced:
        latest = max(
            (e for e in recorded.values() if e.household_id == event.household_id), key=lambda e: e.version
        )
        assert as_recorded(event) == as_recorded(latest)
        assert event.recorded_on == ANNOUNCED_ON
    assert {str(e.household_id): e.version for e in announced}[first] == 2
    [relative] = await events(eligibility_engine, "StaffRelativeFiled")
    assert relative.match_key in filed_keys
    assert relative.match_key == next(
        m.match_key
        for e in announced
        for m in e.members
        if m.relation == "head" and str(e.household_id) == first
    )
    [audited] = [r for r in await audit_rows(eligibility_engine) if r["action"] == "registry.announced"]
    assert audited["actor"] == "ops-1"
    assert audited["details"] == {"households": 2, "relatives": 1, "relatives_not_registered": 1}
    assert HEAD_ID not in str([e.model_dump(mode="json") for e in announced])
