"""The care rate from the API equals a hand count on a seeded district, on days before and after an
admission and a discharge, per district, city-wide and as a monthly trend; occupancy beside it."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from shared.clock import SystemClock
from tests.facilities.conftest import (
    DISTRICT,
    OTHER_DISTRICT,
    Facilities,
    Served,
    approved,
    assessed,
    chose,
    facility_body,
    terminated,
)

APPROVED, ASSESSED, CHOSEN = date(2026, 1, 5), date(2026, 1, 6), date(2026, 2, 1)


async def rate(served: Served, on: str, **params: Any) -> dict[str, Any]:
    headers = params.pop("headers", None) or served.token("reviewer")
    answer = await served.client.get("/v1/kpis/care-rate", params={"on": on, **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_the_care_rate_is_the_hand_count_before_and_after_an_admission_and_a_discharge(
    facilities: Facilities, served: Served
) -> None:
    # A full care, B half care, C self-caring, D full care at home, F full care (dies in April) in the
    # district; E half care in another district.
    a, b, c, d, e, f = (uuid4() for _ in range(6))
    levels = {
        a: "full_care",
        b: "half_care",
        c: "self_caring",
        d: "full_care",
        e: "half_care",
        f: "full_care",
    }
    cases = {p: approved([p], on=APPROVED, district=OTHER_DISTRICT if p == e else DISTRICT) for p in levels}
    events: list[Any] = []
    for person, level in levels.items():
        mode = "dispersed" if person in (d, e, f) else "centralised"
        events += [cases[person], assessed(cases[person], person, level, ASSESSED)]
        events.append(chose(cases[person], person, level, CHOSEN, mode))
    await facilities.deliver(events)
    headers = served.token("reviewer")
    facility = (
        await served.client.post("/v1/facilities", json=facility_body("home", 5), headers=headers)
    ).json()
    requests: dict[UUID, str] = {
        UUID(r["person_id"]): r["id"]
        for r in (await served.client.get("/v1/placement-requests", headers=headers)).json()
    }

    async def admit(person: UUID, on: date) -> str:
        served.clock.set(on)
        answer = await served.client.post(
            f"/v1/placement-requests/{requests[person]}/admission",
            json={"facility_id": facility["id"]},
            headers=headers,
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    stay_a = await admit(a, date(2026, 3, 2))
    await admit(c, date(2026, 3, 2))
    await admit(b, date(2026, 4, 10))
    await facilities.deliver([terminated(cases[f], [f], on=date(2026, 4, 15))])
    served.clock.set(date(2026, 5, 20))
    left = await served.client.post(
        f"/v1/placements/{stay_a}/discharge", json={"reason": "returned_home"}, headers=headers
    )
    assert left.status_code == 200 and left.json()["discharged_on"] == "2026-05-20"

    # Hand count (disabled = A, B, D, F while supported; C is self-caring and never counts):
    hand = {
        "2026-03-01": (4, 0),  # before any admission
        "2026-03-02": (4, 1),  # A admitted that day
        "2026-04-30": (4, 2),  # A and B in; F supported to the end of April
        "2026-05-20": (3, 1),  # A discharged that day; F no longer supported
    }
    for on, (disabled, placed) in hand.items():
        overall = (await rate(served, on, district_code=DISTRICT))["overall"]
        assert (overall["disabled_persons"], overall["in_facilities"]) == (disabled, placed), on
    april = (await rate(served, "2026-04-30", district_code=DISTRICT))["overall"]
    assert april["rate"] == "0.5000"
    assert (
        april["target_in_force"] == {"due_on": "2020-12-31", "rate": "0.5000"}
        and april["meets_target"] is True
    )
    may = (await rate(served, "2026-05-20", district_code=DISTRICT))["overall"]
    assert may["rate"] == "0.3333" and may["meets_target"] is False

    city = await rate(
        served, "2026-04-30", headers=served.token("auditor", "*"), trend_from="2026-02", trend_to="2026-05"
    )
    assert (city["overall"]["disabled_persons"], city["overall"]["in_facilities"]) == (5, 2)
    assert {r["district_code"]: (r["disabled_persons"], r["in_facilities"]) for r in city["districts"]} == {
        DISTRICT: (4, 2),
        OTHER_DISTRICT: (1, 0),
    }
    assert [(t["month"], t["disabled_persons"], t["in_facilities"]) for t in city["trend"]] == [
        ("2026-02", 5, 0),
        ("2026-03", 5, 1),
        ("2026-04", 5, 2),
        ("2026-05", 4, 1),
    ]

    occupancy = await served.client.get("/v1/kpis/occupancy", params={"on": "2026-05-20"}, headers=headers)
    [row] = occupancy.json()["facilities"]
    assert (row["beds"], row["available"], row["occupied"], row["occupancy"]) == (5, 5, 2, "0.4000")
    assert occupancy.json()["districts"][0]["utilisation"] == "0.4000"


async def test_a_staff_member_cannot_read_another_districts_rate(served: Served) -> None:
    answer = await served.client.get(
        "/v1/kpis/care-rate", params={"district_code": OTHER_DISTRICT}, headers=served.token("reviewer")
    )
    assert answer.status_code == 403


async def test_a_bad_day_or_month_is_a_problem_naming_the_parameter(served: Served) -> None:
    answer = await served.client.get(
        "/v1/kpis/care-rate",
        params={"on": "2026-02-30", "trend_from": "2026-13"},
        headers=served.token("reviewer"),
    )
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"on", "trend_from"}


async def test_on_todays_year_across_its_end_a_level_known_at_approval_counts_and_an_admission_moves_the_rate(
    facilities: Facilities, served: Served
) -> None:
    """The flow on the year the suite runs in, across New Year: a person approved with a care level (no
    separate assessment) counts from the decision day; admitted on 31 December, discharged on 2 January."""
    year = SystemClock().today().year
    person = uuid4()
    case = approved([person], on=date(year, 12, 1), care_level="half_care")
    await facilities.deliver([case, chose(case, person, "half_care", date(year, 12, 2))])
    headers = served.token("reviewer")
    facility = (
        await served.client.post("/v1/facilities", json=facility_body("year end", 1), headers=headers)
    ).json()
    [request] = (await served.client.get("/v1/placement-requests", headers=headers)).json()
    served.clock.set(date(year, 12, 31))
    admitted = await served.client.post(
        f"/v1/placement-requests/{request['id']}/admission",
        json={"facility_id": facility["id"]},
        headers=headers,
    )
    assert admitted.status_code == 201, admitted.text
    served.clock.set(date(year + 1, 1, 2))
    left = await served.client.post(
        f"/v1/placements/{admitted.json()['id']}/discharge", json={"reason": "returned_home"}, headers=headers
    )
    assert left.status_code == 200, left.text

    hand = {
        date(year, 11, 30): (0, 0),  # before the decision
        date(year, 12, 1): (1, 0),  # disabled from the decision, at home
        date(year, 12, 31): (1, 1),
        date(year + 1, 1, 1): (1, 1),
        date(year + 1, 1, 2): (1, 0),  # discharged that day
    }
    for on, counted in hand.items():
        overall = (await rate(served, on.isoformat(), district_code=DISTRICT))["overall"]
        assert (overall["disabled_persons"], overall["in_facilities"]) == counted, on
    trend = (
        await rate(
            served, date(year + 1, 1, 2).isoformat(), trend_from=f"{year}-12", trend_to=f"{year + 1}-01"
        )
    )["trend"]
    assert [(t["month"], t["disabled_persons"]) for t in trend] == [(f"{year}-12", 1), (f"{year + 1}-01", 1)]
