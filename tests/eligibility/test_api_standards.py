"""The calculator and the standards over HTTP: roles, district scope, problem bodies, recalculation."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.eligibility.conftest import Api
from tests.kit.eligibility import household

DIBAO: dict[str, Any] = {
    "program": "dibao",
    "as_of": "2026-11-29",
    "district_code": "500103",
    "area": "urban",
    "members": [
        {
            "id_number": "11010519491231002X",
            "birth_date": "1949-12-31",
            "relation": "head",
            "disability_grade": 2,
            "disability_kind": "physical",
        },
        {"birth_date": "2014-09-01", "relation": "grandchild", "student": True},
    ],
    "monthly_income_fen": 60_000,
}


async def test_the_calculator_applies_the_standard_in_force(api: Api) -> None:
    response = await api.client.post("/v1/assessments", json=DIBAO, headers=api.token("caseworker", "500103"))
    assert response.status_code == 200, response.text
    body = response.json()
    # 2025-07-01 standard: urban ¥770. Per capita ¥300 → base 2 × ¥470. Add-ons: the grade-2 disabled
    # head, aged 76, gets ¥60 (severe) + ¥40 (disabled); the student ¥100.
    assert body["eligible"] is True and body["reasons"] == []
    assert body["standard_effective_from"] == "2025-07-01"
    assert body["breakdown"]["per_capita_income_fen"] == 30_000
    assert body["monthly_amount_fen"] == 2 * 47_000 + 10_000 + 10_000
    assert "11010519491231002X" not in response.text


async def test_the_calculator_refuses_a_bad_id_number_naming_the_field_and_rule(api: Api) -> None:
    bad = {
        **DIBAO,
        "members": [{**DIBAO["members"][0], "id_number": "110105194912310021"}, DIBAO["members"][1]],
    }
    response = await api.client.post("/v1/assessments", json=bad, headers=api.token("caseworker", "500103"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {
            "field": "members.0.id_number",
            "rule": "check_digit",
            "message": response.json()["errors"][0]["message"],
        }
    ]
    missing = await api.client.post(
        "/v1/assessments", json={**DIBAO, "members": []}, headers=api.token("caseworker", "500103")
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "members"


async def test_the_calculator_is_district_scoped_and_role_checked(api: Api) -> None:
    other_district = await api.client.post(
        "/v1/assessments", json=DIBAO, headers=api.token("caseworker", "500101")
    )
    assert other_district.status_code == 403 and "500103" in other_district.json()["detail"]
    insurer = await api.client.post(
        "/v1/assessments", json=DIBAO, headers=api.token("finance_officer", "500103")
    )
    assert insurer.status_code == 403
    anonymous = await api.client.post("/v1/assessments", json=DIBAO)
    assert anonymous.status_code == 401


async def test_an_admin_publishes_a_standard_and_the_recalculation_runs_in_the_background(api: Api) -> None:
    staff = api.token("caseworker", "500103")
    seeded = (await api.client.get("/v1/standards", headers=staff)).json()
    assert [s["effective_from"] for s in seeded][-1] == "2025-07-01" and len(seeded) == 9

    body: dict[str, Any] = {
        "effective_from": "2026-07-01",
        "parameters": {"dibao_urban_fen": 80_000, "dibao_rural_fen": 66_000, "tekun_basic_fen": 104_000},
        "note": "2026 raise",
    }
    refused = await api.client.post("/v1/standards", json=body, headers=staff)
    assert refused.status_code == 403
    admin = api.token("admin", "*", subject="admin-1")
    accepted = await api.client.post("/v1/standards", json=body, headers=admin)
    assert accepted.status_code == 202, accepted.text
    assert (await api.client.post("/v1/standards", json=body, headers=admin)).status_code == 409

    in_force = (
        await api.client.get("/v1/standards/in-force", params={"on": "2026-08-01"}, headers=staff)
    ).json()
    assert in_force["parameters"]["dibao_urban_fen"] == 80_000
    assert (
        in_force["parameters"]["care_subsidy_full_fen"] == 30_000
    )  # carried over from the previous standard
    url = f"/v1/standards/{in_force['id']}/recalculation"
    for _ in range(50):
        progress = (await api.client.get(url, headers=admin)).json()
        if progress["status"] == "done":
            break
        await asyncio.sleep(0.1)
    assert progress["status"] == "done" and progress["cases_total"] == 0


async def test_any_parameter_can_be_changed_and_bad_ones_are_named(api: Api) -> None:
    admin = api.token("admin", "*", subject="admin-1")
    bad = {"effective_from": "2026-08-01", "parameters": {"dibao_urban_fen": -5, "no_such_thing": 1}}
    refused = await api.client.post("/v1/standards", json=bad, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "field": "parameters.no_such_thing",
            "rule": "known_parameter",
            "message": "not a parameter of the standards",
        }
    ]
    typed = await api.client.post(
        "/v1/standards",
        json={"effective_from": "2026-08-01", "parameters": {"temporary_cap_fen": "lots"}},
        headers=admin,
    )
    assert typed.status_code == 422 and typed.json()["errors"][0]["field"] == "parameters.temporary_cap_fen"
    staff = api.token("caseworker", "500103")
    assert len((await api.client.get("/v1/standards", headers=staff)).json()) == 9  # nothing was stored

    add_on = {"effective_from": "2026-08-01", "parameters": {"add_on_child_student_fen": 12_000}}
    assert (await api.client.post("/v1/standards", json=add_on, headers=admin)).status_code == 202
    assessed = await api.client.post("/v1/assessments", json={**DIBAO, "as_of": "2026-08-15"}, headers=staff)
    assert assessed.json()["monthly_amount_fen"] == 2 * 47_000 + 10_000 + 12_000


async def test_a_district_overrides_its_temporary_table_and_nothing_else(api: Api) -> None:
    admin = api.token("admin", "*", subject="admin-1")
    url = "/v1/standards/districts/500103"
    city_only = {"effective_from": "2026-01-01", "parameters": {"dibao_urban_fen": 99_000}}
    refused = await api.client.post(url, json=city_only, headers=admin)
    assert refused.status_code == 422 and refused.json()["errors"][0]["rule"] == "district_overridable"
    override = {
        "effective_from": "2026-01-01",
        "parameters": {"temporary_cap_fen": 3_000_000, "help_first_limit_fen": 500_000},
    }
    published = await api.client.post(url, json=override, headers=admin)
    assert published.status_code == 201, published.text
    assert published.json()["parameters"]["temporary_cap_fen"] == 3_000_000
    assert (await api.client.post(url, json=override, headers=admin)).status_code == 409

    temporary = {
        **DIBAO,
        "program": "temporary",
        "temporary": {"kind": "emergency", "household_class": "B", "persons": 2, "months": 5},
    }
    here = (
        await api.client.post("/v1/assessments", json=temporary, headers=api.token("caseworker", "500103"))
    ).json()
    elsewhere = (
        await api.client.post(
            "/v1/assessments",
            json={**temporary, "district_code": "500101"},
            headers=api.token("caseworker", "500101"),
        )
    ).json()
    assert here["amount_fen"] == elsewhere["amount_fen"] == 77_000 * 2 * 5
    assert here["help_first_amount_fen"] == 500_000 and elsewhere["help_first_amount_fen"] == 300_000
    assert here["requires_case_by_case_approval"] is False  # ¥7,700 is below both caps
    other = api.token("caseworker", "500101")
    assert (await api.client.get(url, params={"on": "2026-11-29"}, headers=other)).status_code == 403


async def test_households_a_raise_brings_under_the_line_are_flagged_for_review(api: Api) -> None:
    caseworker = api.token("caseworker", "500103")
    near_line = household(monthly_income_fen=2 * 78_000)  # ¥780 per capita: above ¥770, below ¥800
    near = await api.client.post("/v1/households", json=near_line, headers=caseworker)
    assert near.status_code == 201, near.text
    admin = api.token("admin", "*", subject="admin-1")
    body = {
        "effective_from": "2026-07-01",
        "parameters": {"dibao_urban_fen": 80_000, "dibao_rural_fen": 66_000},
    }
    assert (await api.client.post("/v1/standards", json=body, headers=admin)).status_code == 202
    standard = (
        await api.client.get("/v1/standards/in-force", params={"on": "2026-08-01"}, headers=caseworker)
    ).json()
    for _ in range(50):
        progress = (
            await api.client.get(f"/v1/standards/{standard['id']}/recalculation", headers=admin)
        ).json()
        if progress["status"] == "done":
            break
        await asyncio.sleep(0.1)
    assert progress["households_flagged"] == 1
    flagged = (
        await api.client.get(f"/v1/standards/{standard['id']}/newly-qualifying", headers=caseworker)
    ).json()
    assert [(f["household_id"], f["per_capita_income_fen"]) for f in flagged] == [(near.json()["id"], 78_000)]
    elsewhere = api.token("caseworker", "500101")
    assert (
        await api.client.get(f"/v1/standards/{standard['id']}/newly-qualifying", headers=elsewhere)
    ).json() == []
