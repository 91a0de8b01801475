"""Dynamic management over HTTP: reviews that change the amount from the next month, care-level assessments."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.eligibility import CareLevelAssessed, CaseAmountChanged
from tests.eligibility.conftest import Api
from tests.kit.eligibility import DISTRICT, HEAD_ID, approved_case, events, household


async def test_a_review_after_a_change_of_income_changes_the_amount_from_the_next_month(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    household_id, case_id = await approved_case(api)
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    unchanged = await api.client.post(
        f"/v1/cases/{case_id}/reviews", json={"on": "2026-11-02"}, headers=caseworker
    )
    assert unchanged.status_code == 200, unchanged.text
    assert await events(eligibility_engine, "CaseAmountChanged") == []  # no material change, no new amount

    change = household(monthly_income_fen=90_000, version=1, reason="pension increase reported")
    assert (
        await api.client.put(f"/v1/households/{household_id}", json=change, headers=caseworker)
    ).status_code == 200
    reviewed = await api.client.post(
        f"/v1/cases/{case_id}/reviews",
        json={"on": "2026-11-20", "reason": "circumstances"},
        headers=caseworker,
    )
    assert reviewed.status_code == 200, reviewed.text
    # per capita ¥450 now: 2 × (770 − 450) + the same ¥200 of add-ons
    assert reviewed.json()["monthly_amount_fen"] == 2 * 32_000 + 20_000
    assert reviewed.json()["next_review_due"] == "2027-11-20"
    [event] = await events(eligibility_engine, "CaseAmountChanged")
    assert isinstance(event, CaseAmountChanged)
    assert (event.from_month, event.reason, event.back_pay_months) == ("2026-12", "circumstances", [])
    assert event.monthly_amount_fen == 84_000


async def test_a_household_that_no_longer_qualifies_is_refused_with_the_reason(api: Api) -> None:
    household_id, case_id = await approved_case(api)
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    rich = household(monthly_income_fen=200_000, version=1, reason="both found work")
    assert (
        await api.client.put(f"/v1/households/{household_id}", json=rich, headers=caseworker)
    ).status_code == 200
    refused = await api.client.post(
        f"/v1/cases/{case_id}/reviews", json={"on": "2026-11-20"}, headers=caseworker
    )
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["rule"] == "INCOME_ABOVE_STANDARD"


async def test_a_care_assessment_sets_the_tekun_care_subsidy(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    alone: dict[str, Any] = {
        "members": [{"id_number": HEAD_ID, "name": "张桂兰", "birth_date": "1950-03-01", "relation": "head"}],
        "monthly_income_fen": 0,
    }
    _, case_id = await approved_case(api, program="tekun", **alone)
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    case = (await api.client.get(f"/v1/cases/{case_id}", headers=caseworker)).json()
    assert case["monthly_amount_fen"] == 100_100  # ¥1001 basic living; self-care not yet assessed
    person_id = case["beneficiaries"][0]["person_id"]

    assessed = await api.client.post(
        f"/v1/cases/{case_id}/care-assessments",
        json={"person_id": person_id, "adl_failed": 5, "on": "2026-11-10"},
        headers=caseworker,
    )
    assert assessed.status_code == 200, assessed.text
    assert assessed.json()["monthly_amount_fen"] == 100_100 + 30_000
    assert assessed.json()["beneficiaries"][0]["care_level"] == "full_care"
    [level] = await events(eligibility_engine, "CareLevelAssessed")
    assert isinstance(level, CareLevelAssessed) and (level.care_level, level.adl_failed) == ("full_care", 5)
    [amount] = await events(eligibility_engine, "CaseAmountChanged")
    assert (
        isinstance(amount, CaseAmountChanged)
        and amount.from_month == "2026-12"
        and amount.monthly_amount_fen == 130_100
    )


async def test_reviews_and_care_assessments_are_district_scoped(api: Api) -> None:
    _, case_id = await approved_case(api)
    other = api.token("caseworker", "500101", subject="cw-x")
    assert (
        await api.client.post(f"/v1/cases/{case_id}/reviews", json={"on": "2026-11-20"}, headers=other)
    ).status_code == 404
    care = {"person_id": "00000000-0000-4000-8000-000000000000", "adl_failed": 2, "on": "2026-11-20"}
    assert (
        await api.client.post(f"/v1/cases/{case_id}/care-assessments", json=care, headers=other)
    ).status_code == 404
    own = api.token("caseworker", DISTRICT, subject="cw-1")
    assert (
        await api.client.post(f"/v1/cases/{case_id}/care-assessments", json=care, headers=own)
    ).status_code == 409
