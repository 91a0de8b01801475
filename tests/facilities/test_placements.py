"""Placements on real PostgreSQL: the queue's order from eligibility's events, 50 admissions racing for
3 beds, the fire-safety rule, and refused input that changes nothing."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy.exc import IntegrityError

from services.facilities.schemas.facilities import FacilityIn
from services.facilities.schemas.placements import AdmissionIn
from services.facilities.service import facilities as facility_service
from services.facilities.service import placements as placement_service
from shared.auth import Principal, Role
from shared.contracts.eligibility import CareLevelAssessed
from shared.errors import Conflict
from tests.facilities.conftest import (
    DISTRICT,
    Facilities,
    Served,
    approved,
    assessed,
    chose,
    facility_body,
)

STAFF = Principal(subject="reviewer-1", roles=frozenset({Role.reviewer}), districts=frozenset({DISTRICT}))
DAY = date(2026, 3, 2)


async def queue_persons(
    facilities: Facilities, levels: list[str], *, on: date = date(2026, 2, 1)
) -> list[UUID]:
    """One 特困 case per person, each assessed and choosing centralised support in the given order."""
    persons = [uuid4() for _ in levels]
    events: list[Any] = []
    for person, level in zip(persons, levels, strict=True):
        case = approved([person], on=date(2026, 1, 5))
        events += [case, assessed(case, person, level, date(2026, 1, 6)), chose(case, person, level, on)]
    await facilities.deliver(events)
    return persons


async def request_ids(facilities: Facilities) -> dict[UUID, UUID]:
    return dict(await facilities.rows("SELECT person_id, id FROM placement_requests"))


async def test_the_queue_is_full_care_then_half_then_self_caring_then_by_waiting_time(
    facilities: Facilities, served: Served
) -> None:
    early, late = date(2026, 1, 10), date(2026, 2, 10)
    selfc = await queue_persons(facilities, ["self_caring"], on=early)
    half_late = await queue_persons(facilities, ["half_care"], on=late)
    full_late = await queue_persons(facilities, ["full_care"], on=late)
    half_early = await queue_persons(facilities, ["half_care"], on=early)
    full_early = await queue_persons(facilities, ["full_care"], on=early)

    answer = await served.client.get(
        "/v1/placement-requests", params={"district_code": DISTRICT}, headers=served.token("reviewer")
    )
    assert answer.status_code == 200, answer.text
    order = [UUID(r["person_id"]) for r in answer.json()]
    assert order == [*full_early, *full_late, *half_early, *half_late, *selfc]
    assert [r["position"] for r in answer.json()] == [1, 2, 3, 4, 5]
    assert len(await facilities.published("PlacementRequested")) == 5

    # Reassessed as full care, the self-caring person (who chose first, on the early day) now leads.
    case_id = (
        await facilities.rows("SELECT case_id FROM placement_requests WHERE person_id = :p", p=selfc[0])
    )[0][0]
    await facilities.deliver(
        [
            CareLevelAssessed(
                case_id=case_id, person_id=selfc[0], care_level="full_care", adl_failed=5, assessed_on=late
            )
        ]
    )
    again = await served.client.get("/v1/placement-requests", headers=served.token("reviewer"))
    assert [UUID(r["person_id"]) for r in again.json()][:3] == [selfc[0], *full_early, *full_late]


async def test_fifty_concurrent_admissions_for_the_last_three_beds_admit_exactly_three(
    facilities: Facilities,
) -> None:
    facility = await facility_service.register(
        facilities.new_uow(), STAFF, FacilityIn.model_validate(facility_body("race", 10)), today=DAY
    )
    residents = await queue_persons(facilities, ["full_care"] * 7)
    requests = await request_ids(facilities)
    for person in residents:
        await placement_service.admit(
            facilities.new_uow(), STAFF, requests[person], AdmissionIn(facility_id=facility.id), today=DAY
        )
    racers = await queue_persons(facilities, ["full_care"] * 50)
    requests = await request_ids(facilities)

    async def admit(person: UUID) -> Any:
        return await placement_service.admit(
            facilities.new_uow(), STAFF, requests[person], AdmissionIn(facility_id=facility.id), today=DAY
        )

    outcomes = await asyncio.gather(*(admit(p) for p in racers), return_exceptions=True)
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(won) == 3
    assert all(isinstance(o, Conflict) for o in lost), lost
    assert {e.errors[0].rule for e in lost if isinstance(e, Conflict)} <= {
        "NO_FREE_SUITABLE_BED",
        "BED_TAKEN",
    }
    [(open_stays, beds_held, beds)] = await facilities.rows(
        "SELECT (SELECT count(*) FROM placements WHERE discharged_on IS NULL),"
        " (SELECT count(DISTINCT bed_id) FROM bed_occupancies WHERE until_on IS NULL),"
        " (SELECT count(*) FROM beds WHERE in_service)"
    )
    assert open_stays == beds_held == beds == 10
    statuses = dict(await facilities.rows("SELECT status, count(*) FROM placement_requests GROUP BY status"))
    assert statuses == {"admitted": 10, "queued": 47}
    assert len(await facilities.published("ResidentAdmitted")) == 10


async def test_the_database_refuses_a_second_open_stay_on_a_bed(facilities: Facilities) -> None:
    facility = await facility_service.register(
        facilities.new_uow(), STAFF, FacilityIn.model_validate(facility_body("one bed", 1)), today=DAY
    )
    [person] = await queue_persons(facilities, ["full_care"])
    placement = await placement_service.admit(
        facilities.new_uow(),
        STAFF,
        (await request_ids(facilities))[person],
        AdmissionIn(facility_id=facility.id),
        today=DAY,
    )
    with pytest.raises(IntegrityError, match="uq_bed_occupancies_one_open_per_bed"):
        await facilities.rows(
            "INSERT INTO bed_occupancies (id, placement_id, facility_id, bed_id, from_on)"
            " SELECT gen_random_uuid(), placement_id, facility_id, bed_id, from_on FROM bed_occupancies"
            " WHERE placement_id = :p",
            p=placement.id,
        )


async def test_a_facility_with_an_overdue_critical_fire_item_refuses_admission_naming_the_rule(
    facilities: Facilities, served: Served
) -> None:
    headers = served.token("reviewer")
    created = await served.client.post("/v1/facilities", json=facility_body("fire", 4), headers=headers)
    assert created.status_code == 201, created.text
    facility_id = created.json()["id"]
    item = await served.client.post(
        f"/v1/facilities/{facility_id}/safety-items",
        json={
            "kind": "fire",
            "severity": "critical",
            "description": "fire exit blocked",
            "found_on": "2026-02-01",
            "responsible_person": "院长 王立",
            "deadline": "2026-02-15",
        },
        headers=headers,
    )
    assert item.status_code == 201 and item.json()["overdue"] is True
    overdue = await served.client.get(
        "/v1/safety-items", params={"overdue": "true", "district_code": DISTRICT}, headers=headers
    )
    assert [i["id"] for i in overdue.json()] == [item.json()["id"]]

    [person] = await queue_persons(facilities, ["full_care"])
    request_id = (await request_ids(facilities))[person]
    refused = await served.client.post(
        f"/v1/placement-requests/{request_id}/admission", json={"facility_id": facility_id}, headers=headers
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert "OPEN_CRITICAL_FIRE_ITEM" in problem["detail"]
    assert (
        problem["errors"][0]["rule"] == "OPEN_CRITICAL_FIRE_ITEM"
        and problem["errors"][0]["field"] == "facility_id"
    )
    assert await facilities.rows("SELECT status FROM placement_requests") == [("queued",)]

    # The opener cannot close it; a second person can, with evidence, and the admission then goes through.
    closure = {"evidence": "exit cleared, checked by the fire brigade"}
    same = await served.client.post(
        f"/v1/safety-items/{item.json()['id']}/closure", json=closure, headers=headers
    )
    assert same.status_code == 403 and same.json()["errors"][0]["rule"] == "SECOND_PERSON"
    second = served.token("caseworker", subject="caseworker-2")
    closed = await served.client.post(
        f"/v1/safety-items/{item.json()['id']}/closure", json=closure, headers=second
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    admitted = await served.client.post(
        f"/v1/placement-requests/{request_id}/admission", json={"facility_id": facility_id}, headers=headers
    )
    assert admitted.status_code == 201, admitted.text
    audit = await served.client.get("/v1/operations/audit", headers=served.token("auditor", "*"))
    assert [(r["action"], r["actor"]) for r in audit.json()][:4] == [
        ("placement.admitted", "staff-1"),
        ("safety_item.closed", "caseworker-2"),
        ("safety_item.opened", "staff-1"),
        ("facility.registered", "staff-1"),
    ]


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({**facility_body("x", 1), "district_code": "5001"}, "district_code", "string_pattern_mismatch"),
        ({**facility_body("x", 1), "staff_count": -1}, "staff_count", "greater_than_equal"),
        ({**facility_body("x", 1), "kind": "hotel"}, "kind", "literal_error"),
        ({**facility_body("x", 1), "name": "n" * 201}, "name", "string_too_long"),
        ({**facility_body("x", 1), "surprise": 1}, "surprise", "extra_forbidden"),
    ],
)
async def test_bad_input_is_a_problem_naming_field_and_rule_and_changes_nothing(
    facilities: Facilities, served: Served, body: dict[str, Any], field: str, rule: str
) -> None:
    answer = await served.client.post("/v1/facilities", json=body, headers=served.token("reviewer"))
    assert answer.status_code == 422
    assert {"field": field, "rule": rule} in [
        {"field": e["field"], "rule": e["rule"]} for e in answer.json()["errors"]
    ]
    assert await facilities.rows("SELECT count(*) FROM facilities") == [(0,)]


async def test_refusals_outside_the_callers_district_and_role(facilities: Facilities, served: Served) -> None:
    other = await served.client.post(
        "/v1/facilities", json=facility_body("x", 1, district="500104"), headers=served.token("reviewer")
    )
    assert other.status_code == 403 and other.json()["errors"][0]["rule"] == "OUT_OF_SCOPE"
    auditor = await served.client.post(
        "/v1/facilities", json=facility_body("x", 1), headers=served.token("auditor", "*")
    )
    assert auditor.status_code == 403
    assert await facilities.rows("SELECT count(*) FROM facilities") == [(0,)]


async def test_a_transfer_moves_the_resident_and_a_dispersed_choice_sends_them_home(
    facilities: Facilities, served: Served
) -> None:
    headers = served.token("reviewer")
    first = (
        await served.client.post("/v1/facilities", json=facility_body("first", 1), headers=headers)
    ).json()
    plain = (
        await served.client.post(
            "/v1/facilities", json=facility_body("plain", 1, suitable=0), headers=headers
        )
    ).json()
    second = (
        await served.client.post("/v1/facilities", json=facility_body("second", 1), headers=headers)
    ).json()
    person = uuid4()
    case = approved([person], on=date(2026, 1, 5))
    await facilities.deliver([case, chose(case, person, "half_care", date(2026, 2, 1))])
    request_id = (await request_ids(facilities))[person]
    stay = await served.client.post(
        f"/v1/placement-requests/{request_id}/admission", json={"facility_id": first["id"]}, headers=headers
    )
    assert stay.status_code == 201, stay.text

    unsuitable = await served.client.post(
        f"/v1/placements/{stay.json()['id']}/transfer", json={"to_facility_id": plain["id"]}, headers=headers
    )
    assert unsuitable.status_code == 409 and unsuitable.json()["errors"][0]["rule"] == "NO_FREE_SUITABLE_BED"
    served.clock.set(date(2026, 3, 10))
    moved = await served.client.post(
        f"/v1/placements/{stay.json()['id']}/transfer", json={"to_facility_id": second["id"]}, headers=headers
    )
    assert moved.status_code == 200 and moved.json()["facility_id"] == second["id"]
    [transferred] = await facilities.published("ResidentTransferred")
    assert (transferred.from_facility_id, transferred.transferred_on) == (
        UUID(first["id"]),
        date(2026, 3, 10),
    )

    await facilities.deliver([chose(case, person, "half_care", date(2026, 4, 1), "dispersed")])
    [discharged] = await facilities.published("ResidentDischarged")
    assert (discharged.reason, discharged.facility_id, discharged.discharged_on) == (
        "returned_home",
        UUID(second["id"]),
        date(2026, 4, 1),
    )
    gone = await served.client.post(
        f"/v1/placements/{stay.json()['id']}/discharge", json={"reason": "death"}, headers=headers
    )
    assert gone.status_code == 409 and gone.json()["errors"][0]["rule"] == "DISCHARGED"
