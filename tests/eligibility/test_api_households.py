"""The household registry over HTTP: encrypted and masked identity, versions, district scope on every route."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.eligibility.models import Person
from tests.eligibility.conftest import Api
from tests.kit.eligibility import GRANDCHILD_ID, HEAD_ID, household


async def test_registering_a_household_encrypts_and_masks_identity(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    caseworker = api.token("caseworker", "500103")
    created = await api.client.post("/v1/households", json=household(), headers=caseworker)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["version"] == 1 and len(body["members"]) == 2
    head = body["members"][0]
    assert head["id_number_masked"] == HEAD_ID[:3] + "*" * 11 + HEAD_ID[-4:]
    assert head["name_masked"] == "张**"
    assert HEAD_ID not in created.text and "张桂兰" not in created.text
    async with eligibility_engine.connect() as connection:
        stored = (await connection.execute(select(Person.id_number_cipher, Person.name_cipher))).all()
    assert all(HEAD_ID.encode() not in row[0] and "张桂兰".encode() not in row[1] for row in stored)


async def test_bad_members_are_refused_with_every_field_and_rule_and_nothing_is_written(api: Api) -> None:
    caseworker = api.token("caseworker", "500103")
    bad = household()
    bad["members"][0] = {**bad["members"][0], "birth_date": "1950-03-02"}
    bad["members"][1] = {
        **bad["members"][1],
        "id_number": GRANDCHILD_ID[:-1] + ("0" if GRANDCHILD_ID[-1] != "0" else "1"),
    }
    refused = await api.client.post("/v1/households", json=bad, headers=caseworker)
    assert refused.status_code == 422
    rules = {(e["field"], e["rule"]) for e in refused.json()["errors"]}
    assert rules == {("members.0.birth_date", "matches_id_number"), ("members.1.id_number", "check_digit")}
    two_heads = household()
    two_heads["members"][1]["relation"] = "head"
    assert (await api.client.post("/v1/households", json=two_heads, headers=caseworker)).json()["errors"][0][
        "rule"
    ] == "one_head"
    listed = await api.client.get("/v1/households", headers=caseworker)
    assert listed.json()["total"] == 0


async def test_a_person_belongs_to_one_household(api: Api) -> None:
    caseworker = api.token("caseworker", "500103")
    assert (await api.client.post("/v1/households", json=household(), headers=caseworker)).status_code == 201
    again = await api.client.post("/v1/households", json=household(), headers=caseworker)
    assert again.status_code == 409
    assert {e["rule"] for e in again.json()["errors"]} == {"one_household"}


async def test_changes_are_versioned_with_who_and_why_and_stale_versions_are_refused(api: Api) -> None:
    caseworker = api.token("caseworker", "500103", subject="caseworker-7")
    created = (await api.client.post("/v1/households", json=household(), headers=caseworker)).json()
    url = f"/v1/households/{created['id']}"
    change = household(monthly_income_fen=90_000, version=1, reason="new job reported")
    changed = await api.client.put(url, json=change, headers=caseworker)
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2 and changed.json()["monthly_income_fen"] == 90_000
    stale = await api.client.put(url, json=change, headers=caseworker)
    assert stale.status_code == 409 and stale.json()["errors"][0]["field"] == "version"
    versions = (await api.client.get(f"{url}/versions", headers=caseworker)).json()
    assert [(v["version"], v["reason"], v["changed_by"]) for v in versions] == [
        (1, "registered", "caseworker-7"),
        (2, "new job reported", "caseworker-7"),
    ]
    assert HEAD_ID not in str(versions)


async def test_a_caseworker_of_another_district_can_neither_read_nor_change(api: Api) -> None:
    own = api.token("caseworker", "500103")
    other = api.token("caseworker", "500101")
    created = (await api.client.post("/v1/households", json=household(), headers=own)).json()
    url = f"/v1/households/{created['id']}"

    assert (await api.client.get(url, headers=other)).status_code == 404
    assert (await api.client.get(f"{url}/versions", headers=other)).status_code == 404
    assert (
        await api.client.put(url, json=household(version=1, reason="x"), headers=other)
    ).status_code == 403
    moved = household(district="500101", version=1, reason="moving it into my district")
    assert (await api.client.put(url, json=moved, headers=other)).status_code == 404
    assert (await api.client.get("/v1/households", headers=other)).json()["total"] == 0
    assert (
        await api.client.get("/v1/households", params={"district_code": "500103"}, headers=other)
    ).status_code == 403
    assert (await api.client.post("/v1/households", json=household(), headers=other)).status_code == 403
    assert (await api.client.get(url, headers=own)).status_code == 200
    auditor = api.token("auditor", "*")
    assert (await api.client.get(url, headers=auditor)).status_code == 200


async def test_an_applicant_sees_only_their_own_household(api: Api) -> None:
    created = (
        await api.client.post("/v1/households", json=household(), headers=api.token("caseworker", "500103"))
    ).json()
    member = created["members"][0]["person_id"]
    url = f"/v1/households/{created['id']}"
    assert (await api.client.get(url, headers=api.token("applicant", subject=member))).status_code == 200
    stranger = "00000000-0000-4000-8000-000000000000"
    assert (await api.client.get(url, headers=api.token("applicant", subject=stranger))).status_code == 404
    assert (
        await api.client.get("/v1/households", headers=api.token("applicant", subject=member))
    ).status_code == 403


async def test_incomes_by_category_give_the_counted_income(api: Api) -> None:
    caseworker = api.token("caseworker", "500103")
    incomes = [
        {"category": "wages", "monthly_fen": 40_000, "member_index": 0},
        {"category": "basic_residents_pension", "monthly_fen": 18_000, "member_index": 0},
        {"category": "scholarship", "monthly_fen": 5_000, "member_index": 1},
        {"category": "property", "monthly_fen": 2_000},
    ]
    body = household(incomes=incomes)
    del body["monthly_income_fen"]
    created = await api.client.post("/v1/households", json=body, headers=caseworker)
    assert created.status_code == 201, created.text
    assert created.json()["monthly_income_fen"] == 42_000  # the pension and the scholarship are not counted
    assert [i["category"] for i in created.json()["facts"]["incomes"]] == [i["category"] for i in incomes]

    contradicting = {**household(incomes=incomes), "monthly_income_fen": 60_000}
    refused = await api.client.post("/v1/households", json=contradicting, headers=caseworker)
    assert refused.status_code == 422 and "42000" in refused.text
    neither = household()
    del neither["monthly_income_fen"]
    assert (await api.client.post("/v1/households", json=neither, headers=caseworker)).status_code == 422
    stranger = household(incomes=[{"category": "wages", "monthly_fen": 1, "member_index": 7}])
    assert (await api.client.post("/v1/households", json=stranger, headers=caseworker)).status_code == 422
