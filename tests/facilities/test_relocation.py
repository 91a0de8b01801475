"""Closing a facility: a relocation plan for every resident (district first, then city), who could not be
placed and why, carrying it out as transfers, and closing once nobody is left."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from tests.facilities.conftest import (
    DISTRICT,
    OTHER_DISTRICT,
    Facilities,
    Served,
    approved,
    assessed,
    chose,
    facility_body,
)


async def test_closing_relocates_every_resident_or_says_who_could_not_be_placed_and_why(
    facilities: Facilities, served: Served
) -> None:
    headers = served.token("reviewer")
    levels = {uuid4(): "full_care", uuid4(): "full_care", uuid4(): "half_care", uuid4(): "self_caring"}
    events: list[Any] = []
    for person, level in levels.items():
        case = approved([person], on=date(2026, 1, 5))
        events += [
            case,
            assessed(case, person, level, date(2026, 1, 6)),
            chose(case, person, level, date(2026, 2, 1)),
        ]
    await facilities.deliver(events)

    closing = (
        await served.client.post("/v1/facilities", json=facility_body("old", 4), headers=headers)
    ).json()
    for request in (await served.client.get("/v1/placement-requests", headers=headers)).json():
        admitted = await served.client.post(
            f"/v1/placement-requests/{request['id']}/admission",
            json={"facility_id": closing["id"]},
            headers=headers,
        )
        assert admitted.status_code == 201, admitted.text
    nearby = (
        await served.client.post("/v1/facilities", json=facility_body("near", 2, suitable=1), headers=headers)
    ).json()
    other = served.token("reviewer", OTHER_DISTRICT)
    far = (
        await served.client.post(
            "/v1/facilities", json=facility_body("far", 1, district=OTHER_DISTRICT), headers=other
        )
    ).json()

    early = await served.client.get(f"/v1/facilities/{closing['id']}/relocation-plan", headers=headers)
    assert early.status_code == 409 and early.json()["errors"][0]["rule"] == "NOT_CLOSING"
    status = await served.client.post(
        f"/v1/facilities/{closing['id']}/status",
        json={"status": "closing", "reason": "building unsafe"},
        headers=headers,
    )
    assert status.status_code == 200, status.text

    plan = (
        await served.client.get(f"/v1/facilities/{closing['id']}/relocation-plan", headers=headers)
    ).json()
    assert plan["carried_out"] is False
    by_person = {UUID(m["person_id"]): m for m in plan["moves"]}
    fulls = [p for p, level in levels.items() if level == "full_care"]
    selfc = next(p for p, level in levels.items() if level == "self_caring")
    half = next(p for p, level in levels.items() if level == "half_care")
    assert {by_person[p]["to_facility_id"] for p in fulls} == {nearby["id"], far["id"]}
    assert by_person[selfc]["to_facility_id"] == nearby["id"] and by_person[selfc]["within_district"] is True
    assert [(UUID(u["person_id"]), u["reason"]) for u in plan["unplaced"]] == [
        (half, "no free disabled-suitable bed in a facility that cares for disabled residents")
    ]

    done = await served.client.post(f"/v1/facilities/{closing['id']}/relocation", headers=headers)
    assert done.status_code == 200 and done.json()["carried_out"] is True and len(done.json()["moves"]) == 3
    assert len(await facilities.published("ResidentTransferred")) == 3
    refused = await served.client.post(
        f"/v1/facilities/{closing['id']}/status",
        json={"status": "closed", "reason": "empty"},
        headers=headers,
    )
    assert refused.status_code == 409 and refused.json()["errors"][0]["rule"] == "RESIDENTS_REMAIN"

    added = await served.client.post(
        f"/v1/facilities/{nearby['id']}/beds",
        json={"beds": [{"label": "new-1", "room": "n1", "disabled_suitable": True}]},
        headers=headers,
    )
    assert added.status_code == 200, added.text
    rest = (await served.client.post(f"/v1/facilities/{closing['id']}/relocation", headers=headers)).json()
    assert [UUID(m["person_id"]) for m in rest["moves"]] == [half] and rest["unplaced"] == []
    closed = await served.client.post(
        f"/v1/facilities/{closing['id']}/status",
        json={"status": "closed", "reason": "empty"},
        headers=headers,
    )
    assert closed.status_code == 200 and closed.json()["beds_occupied"] == 0
    statuses = [e.status for e in await facilities.published("FacilityStatusChanged")]
    assert statuses == ["open", "open", "open", "closing", "closed"]
    residents = await served.client.get(
        "/v1/placements", params={"facility_id": nearby["id"]}, headers=headers
    )
    assert {UUID(r["person_id"]) for r in residents.json()} == {*by_person, half} - {
        p for p, m in by_person.items() if m["to_facility_id"] == far["id"]
    }


async def test_plan_actions_record_targets_and_progress(served: Served) -> None:
    headers = served.token("reviewer")
    facility = (
        await served.client.post("/v1/facilities", json=facility_body("plan", 1), headers=headers)
    ).json()
    body = {
        "district_code": DISTRICT,
        "facility_id": facility["id"],
        "plan_start_year": 2026,
        "action": "renovate",
        "target_start": "2026-06-01",
        "target_end": "2027-06-30",
    }
    created = await served.client.post("/v1/plan-actions", json=body, headers=headers)
    assert created.status_code == 201, created.text
    again = await served.client.post("/v1/plan-actions", json=body, headers=headers)
    assert again.status_code == 409 and again.json()["errors"][0]["rule"] == "ONE_ACTION_PER_PLAN"
    progress = await served.client.post(
        f"/v1/plan-actions/{created.json()['id']}/progress", json={"progress_percent": 40}, headers=headers
    )
    assert progress.json()["progress_percent"] == 40
    new_build = {**body, "facility_id": None, "action": "new_build"}
    refused = await served.client.post("/v1/plan-actions", json=new_build, headers=headers)
    assert refused.status_code == 422 and "project_name" in refused.text
    listed = await served.client.get("/v1/plan-actions", params={"district_code": DISTRICT}, headers=headers)
    assert [a["action"] for a in listed.json()] == ["renovate"]
