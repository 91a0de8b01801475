"""The insurer's identity route: the roster read from `insurance.enrollment.v1` decides who may read whose
identity; every read is audited in its own transaction; everyone else learns nothing, not even existence."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.eligibility.consumers import HANDLERS
from services.eligibility.domain.insured import identity_readable_until, may_read_identity, sex_of
from services.eligibility.main import DEFINITION
from services.eligibility.models import InsuredPerson
from shared.audit import verify_chain
from shared.auth import ensure_dev_keypair
from shared.contracts.insurance import InsuredEnrolled, InsuredRemoved
from shared.db import session_factory
from shared.local.kafka import KafkaBroker
from shared.messaging.inbox import BatchHandler
from shared.messaging.kafka import KafkaPublisher
from shared.messaging.tables import inbox
from shared.pii import mask_resident_id
from shared.settings import KafkaSettings
from tests.eligibility.conftest import serve
from tests.kit import RolledBack, prepare_database, wait_for
from tests.kit.eligibility import (
    DISTRICT,
    GRANDCHILD_ID,
    HEAD_ID,
    HEAD_NAME,
    INSURER,
    YEAR,
    Upstream,
    World,
    audit_rows,
    enrolled,
    register_household,
    world_on,
)
from tests.kit.eligibility import enrolled as enrolled_in

OTHER_INSURER = uuid4()


@pytest.fixture
async def world(eligibility_engine: AsyncEngine, new_database: Any, keys: Path) -> AsyncIterator[World]:
    async with world_on(eligibility_engine, new_database, keys) as world:
        yield world


def removed(entry: InsuredEnrolled, *, until: date, reason: str = "death") -> InsuredRemoved:
    return InsuredRemoved(
        roster_entry_id=entry.roster_entry_id,
        person_id=entry.person_id,
        policy_year=entry.policy_year,
        insurer_id=entry.insurer_id,
        district_code=entry.district_code,
        cover_until=until,
        reason=reason,
    )


def identity_url(person_id: object) -> str:
    return f"/v1/insured/{person_id}/identity"


async def test_the_rostered_insurer_reads_the_identity_and_each_read_is_audited(
    world: World, eligibility_engine: AsyncEngine
) -> None:
    head = (await register_household(world.api))["head"]
    entry = enrolled(head)
    await world.insurance.publish(entry)
    claim_id = uuid4()

    response = await world.api.client.get(
        identity_url(head), params={"claim_id": str(claim_id)}, headers=world.insurer()
    )

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {
        "person_id": str(head),
        "name": HEAD_NAME,
        "id_number": HEAD_ID,
        "birth_date": "1950-03-01",
        "sex": sex_of(HEAD_ID),
        "household_district_code": DISTRICT,
        "policy_years": [
            {
                "policy_year": YEAR,
                "roster_entry_id": str(entry.roster_entry_id),
                "district_code": DISTRICT,
                "cover_from": f"{YEAR}-01-01",
                "cover_until": None,
                "removal_reason": None,
            }
        ],
    }
    (row,) = await audit_rows(eligibility_engine)
    assert (row["actor"], row["action"], row["subject_type"], row["subject_id"], row["district_code"]) == (
        "insurer-clerk-1",
        "identity.read",
        "person",
        str(head),
        DISTRICT,
    )
    assert row["details"] == {
        "insurer_id": str(INSURER),
        "id_number_masked": mask_resident_id(HEAD_ID),
        "claim_id": str(claim_id),
        "policy_years": [YEAR],
    }
    stored = json.dumps({k: v for k, v in row.items() if k not in ("prev_hash", "hash")}, default=str)
    assert HEAD_ID not in stored and HEAD_ID[6:14] not in stored and HEAD_NAME not in stored

    assert (await world.api.client.get(identity_url(head), headers=world.insurer())).status_code == 200
    async with session_factory(eligibility_engine)() as session:
        verification = await verify_chain(session)
    assert (verification.records, verification.intact) == (2, True)

    # Auditors see who read whose identity, and nothing of the identity itself.
    seen = await world.api.client.get(
        "/v1/operations/audit",
        params={"subject_type": "person", "subject_id": str(head)},
        headers=world.api.token("auditor", "*", subject="aud-1"),
    )
    assert seen.status_code == 200 and len(seen.json()) == 2
    assert HEAD_ID not in seen.text and HEAD_NAME not in seen.text


async def test_another_insurer_an_unknown_or_an_unrostered_person_all_get_the_same_404(
    world: World, eligibility_engine: AsyncEngine
) -> None:
    members = await register_household(world.api)
    await world.insurance.publish(enrolled(members["head"]))

    asked = {
        "another insurer's person": (members["head"], world.insurer(OTHER_INSURER)),
        "a registered person on nobody's roster": (members["grandchild"], world.insurer()),
        "an unknown person": (uuid4(), world.insurer()),
    }
    for case, (person_id, headers) in asked.items():
        response = await world.api.client.get(identity_url(person_id), headers=headers)
        assert response.status_code == 404, case
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == f"no insured person {person_id} on your roster", case
        assert (
            HEAD_ID not in response.text and GRANDCHILD_ID not in response.text and "张" not in response.text
        )
    assert await audit_rows(eligibility_engine) == []


async def test_staff_roles_are_refused_and_bad_input_names_the_field(world: World) -> None:
    head = (await register_household(world.api))["head"]
    await world.insurance.publish(enrolled(head))
    for role, districts in (("caseworker", [DISTRICT]), ("auditor", ["*"]), ("admin", ["*"])):
        response = await world.api.client.get(identity_url(head), headers=world.api.token(role, *districts))
        assert response.status_code == 403, role
        assert HEAD_ID not in response.text
    assert (await world.api.client.get(identity_url(head))).status_code == 401

    not_a_uuid = await world.api.client.get(identity_url("not-a-uuid"), headers=world.insurer())
    bad_claim = await world.api.client.get(
        identity_url(head), params={"claim_id": "7"}, headers=world.insurer()
    )
    bad_token = await world.api.client.get(identity_url(head), headers=world.insurer("ACME-LIFE"))
    assert [(r.status_code, r.json()["errors"][0]["field"]) for r in (not_a_uuid, bad_claim, bad_token)] == [
        (422, "person_id"),
        (422, "claim_id"),
        (403, "insurer_id"),
    ]


async def test_a_removed_person_stays_readable_through_the_claim_window_of_their_year(
    world: World,
) -> None:
    members = await register_household(world.api)
    head, grandchild = members["head"], members["grandchild"]
    # The head died in January: the death claim is settled after the removal, so the insurer still reads.
    this_year = enrolled(head)
    await world.insurance.publish(this_year, removed(this_year, until=date(YEAR, 1, 31)))
    response = await world.api.client.get(identity_url(head), headers=world.insurer())
    assert response.status_code == 200, response.text
    (entry,) = response.json()["policy_years"]
    assert (entry["cover_until"], entry["removal_reason"]) == (f"{YEAR}-01-31", "death")

    # An entry of 2018 is long past its claim window (the end of 2019): no identity for it.
    old = enrolled(grandchild, year=2018)
    await world.insurance.publish(old, removed(old, until=date(2018, 6, 30), reason="case_ended"))
    assert (await world.api.client.get(identity_url(grandchild), headers=world.insurer())).status_code == 404


def test_the_claim_window_ends_with_the_year_after_the_policy_year() -> None:
    assert identity_readable_until(2025) == date(2026, 12, 31)
    assert may_read_identity([2025], date(2026, 12, 31))
    assert not may_read_identity([2025], date(2027, 1, 1))
    assert may_read_identity([2024, 2026], date(2027, 1, 1))
    assert not may_read_identity([], date(2026, 1, 1))
    assert (sex_of("110105194912310021"), sex_of("110105194912310037")) == ("female", "male")


async def test_no_audit_record_means_no_identity(world: World, eligibility_engine: AsyncEngine) -> None:
    head = (await register_household(world.api))["head"]
    await world.insurance.publish(enrolled(head))
    async with eligibility_engine.begin() as connection:
        await connection.execute(
            text(
                "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$"
            )
        )
        await connection.execute(
            text("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log EXECUTE FUNCTION refuse_audit()")
        )

    response = await world.api.client.get(identity_url(head), headers=world.insurer())

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert HEAD_ID not in response.text and HEAD_NAME not in response.text
    assert await audit_rows(eligibility_engine) == []


async def test_the_roster_follows_each_entry_and_absorbs_redeliveries(
    world: World, eligibility_engine: AsyncEngine
) -> None:
    members = await register_household(world.api)
    entry = enrolled(members["head"])
    await world.insurance.publish(entry)
    await world.insurance.redeliver(entry)
    # Insurance keeps one entry per person and year: a case ended and approved again reopens it.
    ended = removed(entry, until=date(YEAR, 4, 30), reason="case_ended")
    reopened = entry.model_copy(update={"event_id": uuid4(), "cover_from": date(YEAR, 6, 1)})
    await world.insurance.publish(ended, reopened)
    # A removal whose enrolment never arrived (dead-lettered, say) still records the entry.
    lost = enrolled(members["grandchild"], month=3)
    await world.insurance.publish(removed(lost, until=date(YEAR, 11, 30), reason="moved"))

    async with eligibility_engine.connect() as connection:
        rows = {
            row.person_id: (row.cover_from, row.cover_until, row.removal_reason)
            for row in await connection.execute(
                select(
                    InsuredPerson.person_id,
                    InsuredPerson.cover_from,
                    InsuredPerson.cover_until,
                    InsuredPerson.removal_reason,
                )
            )
        }
        handled = await connection.scalar(
            select(func.count()).select_from(inbox).where(inbox.c.consumer == DEFINITION.name)
        )
    assert handled == 4
    assert rows == {
        members["head"]: (date(YEAR, 6, 1), None, None),
        members["grandchild"]: (None, date(YEAR, 11, 30), "moved"),
    }
    response = await world.api.client.get(identity_url(members["grandchild"]), headers=world.insurer())
    assert response.status_code == 200, response.text
    assert response.json()["policy_years"][0]["cover_from"] is None


@pytest.mark.kafka
async def test_the_roster_arrives_through_kafka_too(
    eligibility_engine: AsyncEngine, new_database: Any, kafka: KafkaBroker, keys: Path
) -> None:
    settings = {"bootstrap_servers": kafka.bootstrap_servers, "session_timeout_ms": 6_000}
    publisher = KafkaPublisher(KafkaSettings(**settings))
    insurance_db = await prepare_database(await new_database())
    try:
        async with serve(eligibility_engine, keys, bus="kafka", kafka=settings) as api:
            private_key, _ = ensure_dev_keypair(keys)
            world = World(api, Upstream(insurance_db, publisher), private_key)
            head = (await register_household(api))["head"]
            await world.insurance.publish(enrolled(head))

            async def readable() -> bool:
                response = await api.client.get(identity_url(head), headers=world.insurer())
                return response.status_code == 200

            await wait_for(readable, within=60, every=0.5)
    finally:
        await publisher.stop()
        await insurance_db.dispose()


async def test_a_run_of_roster_events_for_one_entry_ends_as_its_last_says(
    eligibility_transaction: RolledBack,
) -> None:
    """The read model's batch handlers apply a run in one statement; several events for one entry in a run
    leave what applying them one by one would."""
    person, insurer = uuid4(), uuid4()
    enrolled = enrolled_in(person, insurer=insurer, year=2026, month=11)
    again = enrolled.model_copy(update={"event_id": uuid4(), "cover_from": date(2026, 12, 1)})
    other = enrolled_in(uuid4(), insurer=insurer, year=2026, month=11)
    await HANDLERS["InsuredEnrolled"](eligibility_transaction.new_uow(), enrolled)
    batch = HANDLERS["InsuredEnrolled"]
    assert isinstance(batch, BatchHandler)
    await batch.many(eligibility_transaction.new_uow(), [enrolled, other, again])
    removed = InsuredRemoved(
        **enrolled.model_dump(
            include={"roster_entry_id", "person_id", "insurer_id", "policy_year", "district_code"}
        ),
        cover_until=date(2026, 12, 31),
        reason="case_ended",
    )
    await HANDLERS["InsuredRemoved"](eligibility_transaction.new_uow(), removed)
    rows = {
        row.roster_entry_id: row
        for row in await eligibility_transaction.connection.execute(select(InsuredPerson.__table__))
    }
    assert len(rows) == 2
    assert (rows[enrolled.roster_entry_id].cover_from, rows[enrolled.roster_entry_id].enrolled_event_id) == (
        date(2026, 12, 1),
        again.event_id,
    )
    assert rows[enrolled.roster_entry_id].cover_until == date(2026, 12, 31)
    assert rows[other.roster_entry_id].cover_until is None
