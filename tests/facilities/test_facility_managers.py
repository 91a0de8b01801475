"""Facility managers on real PostgreSQL: a manager of facility A reads and acts on A only; facility B of the
same district answers 404 and is left out of every list; district staff keep the district's work; a
manager's token without well-formed `facility_ids` is refused."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from tests.facilities.conftest import DISTRICT, Facilities, Served, approved, chose, facility_body

SAFETY_ITEM = {
    "kind": "fire",
    "severity": "major",
    "description": "extinguisher expired",
    "found_on": "2026-03-01",
    "responsible_person": "院长 王立",
    "deadline": "2026-03-31",
}


async def register(served: Served, name: str) -> dict[str, Any]:
    created = await served.client.post(
        "/v1/facilities", json=facility_body(name, 2), headers=served.token("reviewer")
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def queued(facilities: Facilities, count: int) -> list[UUID]:
    """Placement requests of `count` half-care persons of the district, oldest first."""
    persons = [uuid4() for _ in range(count)]
    for person in persons:
        case = approved([person], on=date(2026, 1, 5))
        await facilities.deliver([case, chose(case, person, "half_care", date(2026, 2, 1))])
    ids = dict(await facilities.rows("SELECT person_id, id FROM placement_requests"))
    return [ids[p] for p in persons]


def assert_not_found(response: httpx.Response) -> None:
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_manager_of_a_acts_on_a_and_learns_nothing_of_b(
    facilities: Facilities, served: Served
) -> None:
    a, b = await register(served, "A home"), await register(served, "B home")
    manager = served.token("facility_manager", subject="manager-a", facilities=[a["id"]])
    reviewer = served.token("reviewer")
    to_a, to_b, by_staff = await queued(facilities, 3)

    read = await served.client.get(f"/v1/facilities/{a['id']}", headers=manager)
    assert read.status_code == 200 and read.json()["id"] == a["id"]
    assert_not_found(await served.client.get(f"/v1/facilities/{b['id']}", headers=manager))
    listed = await served.client.get("/v1/facilities", params={"district_code": DISTRICT}, headers=manager)
    assert [f["id"] for f in listed.json()] == [a["id"]]

    # The queue is the district's: the manager admits from it, into A only.
    queue = await served.client.get("/v1/placement-requests", headers=manager)
    assert [r["id"] for r in queue.json()] == [str(r) for r in (to_a, to_b, by_staff)]
    admitted = await served.client.post(
        f"/v1/placement-requests/{to_a}/admission", json={"facility_id": a["id"]}, headers=manager
    )
    assert admitted.status_code == 201, admitted.text
    assert_not_found(
        await served.client.post(
            f"/v1/placement-requests/{to_b}/admission", json={"facility_id": b["id"]}, headers=manager
        )
    )
    assert await facilities.rows("SELECT status FROM placement_requests WHERE id = :r", r=to_b) == [
        ("queued",)
    ]
    in_b = await served.client.post(
        f"/v1/placement-requests/{by_staff}/admission", json={"facility_id": b["id"]}, headers=reviewer
    )
    assert in_b.status_code == 201, in_b.text

    residents = await served.client.get("/v1/placements", headers=manager)
    assert [r["id"] for r in residents.json()] == [admitted.json()["id"]]
    of_b = await served.client.get("/v1/placements", params={"facility_id": b["id"]}, headers=manager)
    assert of_b.status_code == 200 and of_b.json() == []
    assert_not_found(
        await served.client.post(
            f"/v1/placements/{in_b.json()['id']}/discharge", json={"reason": "death"}, headers=manager
        )
    )

    item = await served.client.post(
        f"/v1/facilities/{a['id']}/safety-items", json=SAFETY_ITEM, headers=manager
    )
    assert item.status_code == 201, item.text
    assert_not_found(
        await served.client.post(f"/v1/facilities/{b['id']}/safety-items", json=SAFETY_ITEM, headers=manager)
    )
    on_b = await served.client.post(
        f"/v1/facilities/{b['id']}/safety-items", json=SAFETY_ITEM, headers=reviewer
    )
    assert on_b.status_code == 201
    items = await served.client.get("/v1/safety-items", headers=manager)
    assert [i["id"] for i in items.json()] == [item.json()["id"]]

    bed_b = (await served.client.get(f"/v1/facilities/{b['id']}", headers=reviewer)).json()["beds"][1]["id"]
    assert_not_found(
        await served.client.put(
            f"/v1/facilities/{b['id']}/beds/{bed_b}/service",
            json={"in_service": False, "reason": "broken"},
            headers=manager,
        )
    )
    assert_not_found(
        await served.client.post(
            f"/v1/facilities/{b['id']}/beds",
            json={"beds": [{"label": "x1", "room": "r9", "disabled_suitable": True}]},
            headers=manager,
        )
    )

    occupancy = await served.client.get("/v1/kpis/occupancy", headers=manager)
    assert [(f["facility_id"], f["occupied"]) for f in occupancy.json()["facilities"]] == [(a["id"], 1)]
    assert [(d["district_code"], d["beds"]) for d in occupancy.json()["districts"]] == [(DISTRICT, 2)]

    discharged = await served.client.post(
        f"/v1/placements/{admitted.json()['id']}/discharge", json={"reason": "returned_home"}, headers=manager
    )
    assert discharged.status_code == 200 and discharged.json()["discharged_on"] == "2026-03-02"
    audit = await served.client.get("/v1/operations/audit", headers=served.token("auditor", "*"))
    assert ("placement.discharged", "manager-a") in [(r["action"], r["actor"]) for r in audit.json()]


async def test_plan_actions_of_other_facilities_and_new_builds_are_left_out(
    facilities: Facilities, served: Served
) -> None:
    a, b = await register(served, "A home"), await register(served, "B home")
    reviewer = served.token("reviewer")
    plan = {"district_code": DISTRICT, "plan_start_year": 2026, "target_start": "2026-04-01"}
    for facility_id, action in ((a["id"], "renovate"), (b["id"], "keep"), (None, "new_build")):
        added = await served.client.post(
            "/v1/plan-actions",
            json={
                **plan,
                "facility_id": facility_id,
                "action": action,
                "target_end": "2027-12-31",
                "project_name": "new home" if facility_id is None else None,
            },
            headers=reviewer,
        )
        assert added.status_code == 201, added.text
    manager = served.token("facility_manager", facilities=[a["id"]])
    seen = await served.client.get("/v1/plan-actions", headers=manager)
    assert [(p["facility_id"], p["action"]) for p in seen.json()] == [(a["id"], "renovate")]
    assert len((await served.client.get("/v1/plan-actions", headers=reviewer)).json()) == 3


async def test_district_work_stays_with_district_staff(facilities: Facilities, served: Served) -> None:
    a, b = await register(served, "A home"), await register(served, "B home")
    manager = served.token("facility_manager", facilities=[a["id"]])
    [request] = await queued(facilities, 1)
    stay = await served.client.post(
        f"/v1/placement-requests/{request}/admission", json={"facility_id": a["id"]}, headers=manager
    )
    item = await served.client.post(
        f"/v1/facilities/{a['id']}/safety-items", json=SAFETY_ITEM, headers=manager
    )
    refused = {
        "status": await served.client.post(
            f"/v1/facilities/{a['id']}/status",
            json={"status": "renovating", "reason": "roof"},
            headers=manager,
        ),
        "transfer": await served.client.post(
            f"/v1/placements/{stay.json()['id']}/transfer", json={"to_facility_id": b["id"]}, headers=manager
        ),
        "closure": await served.client.post(
            f"/v1/safety-items/{item.json()['id']}/closure",
            json={"evidence": "replaced"},
            headers=served.token("facility_manager", subject="manager-2", facilities=[a["id"]]),
        ),
        "care rate": await served.client.get("/v1/kpis/care-rate", headers=manager),
        "relocation plan": await served.client.get(
            f"/v1/facilities/{a['id']}/relocation-plan", headers=manager
        ),
        "register": await served.client.post(
            "/v1/facilities", json=facility_body("C home", 1), headers=manager
        ),
    }
    assert {what: r.status_code for what, r in refused.items()} == dict.fromkeys(refused, 403)
    closed = await served.client.post(
        f"/v1/safety-items/{item.json()['id']}/closure",
        json={"evidence": "replaced"},
        headers=served.token("caseworker", subject="caseworker-1"),
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


@pytest.mark.parametrize(
    ("facility_ids", "reason"),
    [
        (None, "a facility manager needs facility_ids"),
        ([], "a facility manager needs facility_ids"),
        ("3f1c2e4a-0b6e-4b59-9a3e-5f8f1d2c3b4a", "'facility_ids' must be a list"),
        (["home-a"], "must hold facility UUIDs"),
        ([7], "'facility_ids' must be a list of strings"),
        ([str(uuid4()) for _ in range(51)], "at most 50"),
    ],
    ids=["missing", "empty", "not-a-list", "not-a-uuid", "not-a-string", "too-many"],
)
async def test_a_manager_token_without_well_formed_facility_ids_is_refused(
    facilities: Facilities, served: Served, facility_ids: Any, reason: str
) -> None:
    claims: dict[str, Any] = {"sub": "manager-x", "roles": ["facility_manager"], "districts": [DISTRICT]}
    if facility_ids is not None:
        claims["facility_ids"] = facility_ids
    answer = await served.client.get("/v1/facilities", headers=served.token.signed(**claims))
    assert answer.status_code == 401, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert reason in answer.json()["detail"]
