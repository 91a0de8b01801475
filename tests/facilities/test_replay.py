"""Replaying every consumed event — again into the same database, and from scratch into a fresh one —
gives the same read models and publishes nothing new; an event before its case's approval waits."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from services.facilities.schemas.facilities import FacilityIn
from services.facilities.schemas.placements import AdmissionIn
from services.facilities.service import facilities as facility_service
from services.facilities.service import placements as placement_service
from shared.auth import Principal, Role
from tests.facilities.conftest import (
    DISTRICT,
    Facilities,
    approved,
    assessed,
    bare_facilities,
    chose,
    facility_body,
    terminated,
)

STAFF = Principal(subject="reviewer-1", roles=frozenset({Role.reviewer}), districts=frozenset({DISTRICT}))
READ_MODELS = {
    "cases": "SELECT * FROM cases ORDER BY case_id",
    "tekun_members": "SELECT * FROM tekun_members ORDER BY case_id, person_id",
    "care_levels": "SELECT * FROM care_levels ORDER BY person_id, assessed_on",
    "placement_requests": "SELECT * FROM placement_requests ORDER BY id",
}


def history() -> list[Any]:
    """Choices made, changed and made again; a reassessment; a death; a dibao case and its end."""
    a, b, c = uuid4(), uuid4(), uuid4()
    case_ab, case_c = approved([a, b], on=date(2026, 1, 5)), approved([c], on=date(2026, 1, 8))
    dibao = approved([uuid4()], on=date(2026, 1, 9), program="dibao")
    return [
        case_ab,
        case_c,
        dibao,
        assessed(case_ab, a, "half_care", date(2026, 1, 6)),
        assessed(case_ab, b, "self_caring", date(2026, 1, 6)),
        chose(case_ab, a, "half_care", date(2026, 1, 10)),
        chose(case_ab, b, "self_caring", date(2026, 1, 11)),
        chose(case_ab, b, "self_caring", date(2026, 1, 20), "dispersed"),
        chose(case_ab, b, "self_caring", date(2026, 2, 3)),
        assessed(case_ab, a, "full_care", date(2026, 2, 4)),
        chose(case_c, c, "full_care", date(2026, 2, 5)),
        terminated(case_c, [c], on=date(2026, 2, 20)),
        terminated(dibao, [dibao.beneficiaries[0].person_id], on=date(2026, 2, 21), reason="income"),
    ]


async def snapshot(facilities: Facilities) -> dict[str, list[tuple[Any, ...]]]:
    return {name: await facilities.rows(sql) for name, sql in READ_MODELS.items()}


async def test_replaying_the_topic_gives_the_same_read_models(
    facilities: Facilities, migrated_database: Any
) -> None:
    events = history()
    await facilities.deliver(events)
    first = await snapshot(facilities)
    statuses = sorted(row[-3] for row in first["placement_requests"])
    assert statuses == ["queued", "queued", "withdrawn", "withdrawn"]  # a, b again; b's first; c's (died)
    requested = len(await facilities.published("PlacementRequested"))
    assert requested == 4

    await facilities.deliver(events, consumer="facilities-replay")
    assert await snapshot(facilities) == first
    assert len(await facilities.published("PlacementRequested")) == requested

    async with bare_facilities(migrated_database) as fresh:
        await fresh.deliver(events)
        assert await snapshot(fresh) == first


async def test_a_replay_after_an_admission_leaves_the_person_in_place(facilities: Facilities) -> None:
    events = history()
    await facilities.deliver(events)
    facility = await facility_service.register(
        facilities.new_uow(),
        STAFF,
        FacilityIn.model_validate(facility_body("home", 3)),
        today=date(2026, 3, 1),
    )
    [(request_id,)] = await facilities.rows(
        "SELECT id FROM placement_requests WHERE status = 'queued' AND care_level = 'full_care'"
    )
    await placement_service.admit(
        facilities.new_uow(), STAFF, request_id, AdmissionIn(facility_id=facility.id), today=date(2026, 3, 1)
    )
    before = await snapshot(facilities)
    await facilities.deliver(events, consumer="facilities-replay")
    assert await snapshot(facilities) == before
    assert await facilities.rows("SELECT count(*) FROM placements WHERE discharged_on IS NULL") == [(1,)]
    assert await facilities.published("ResidentDischarged") == []


async def test_a_death_discharges_the_resident_and_frees_the_bed(facilities: Facilities) -> None:
    person = uuid4()
    case = approved([person], on=date(2026, 1, 5))
    await facilities.deliver([case, chose(case, person, "full_care", date(2026, 1, 10))])
    facility = await facility_service.register(
        facilities.new_uow(),
        STAFF,
        FacilityIn.model_validate(facility_body("home", 1)),
        today=date(2026, 2, 1),
    )
    [(request_id,)] = await facilities.rows("SELECT id FROM placement_requests")
    await placement_service.admit(
        facilities.new_uow(), STAFF, request_id, AdmissionIn(facility_id=facility.id), today=date(2026, 2, 1)
    )
    await facilities.deliver([terminated(case, [person], on=date(2026, 3, 9))])
    [discharged] = await facilities.published("ResidentDischarged")
    assert (discharged.reason, discharged.discharged_on) == ("death", date(2026, 3, 9))
    assert await facilities.rows("SELECT count(*) FROM bed_occupancies WHERE until_on IS NULL") == [(0,)]


async def test_a_choice_before_its_cases_approval_is_parked_then_applied(facilities: Facilities) -> None:
    person = uuid4()
    case = approved([person], on=date(2026, 1, 5))
    await facilities.deliver([chose(case, person, "full_care", date(2026, 1, 10))])
    assert await facilities.rows("SELECT count(*) FROM deferred_events") == [(1,)]
    await facilities.deliver([case])
    assert await facilities.rows("SELECT status FROM placement_requests") == [("queued",)]
