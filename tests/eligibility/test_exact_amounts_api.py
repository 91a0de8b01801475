"""Money computed exactly, rounded once, over HTTP: the calculator, approval, a standard change, a review."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.eligibility import CaseAmountChanged, CaseApproved
from tests.eligibility.conftest import Api
from tests.kit.eligibility import DISTRICT, approved_case, events, household, resident_id

THREE_ADULTS: list[dict[str, Any]] = [
    {"birth_date": "1980-01-01", "relation": "head"},
    {"birth_date": "1981-01-01", "relation": "spouse"},
    {"birth_date": "2000-01-01", "relation": "child"},
]


async def test_the_calculator_gives_three_people_with_a_thousand_yuan_exactly_500_at_500(api: Api) -> None:
    body = {
        "program": "dibao",
        "as_of": "2017-06-01",  # the 2017-01-01 standard: urban ¥500
        "district_code": DISTRICT,
        "area": "urban",
        "members": THREE_ADULTS,
        "monthly_income_fen": 100_000,
    }
    response = await api.client.post("/v1/assessments", json=body, headers=api.token("caseworker", DISTRICT))
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["monthly_amount_fen"] == 50_000  # 1,500 − 1,000; not 3 × (50,000 − 33,333) = 50,001
    assert [line["base_fen"] for line in result["breakdown"]["members"]] == [16_667, 16_667, 16_666]
    assert result["breakdown"]["per_capita_income_fen"] == 33_333  # display only


def three_members(**changes: Any) -> dict[str, Any]:
    """The test household with a third member (a spouse aged 74, no add-on) and ¥1,000 a month."""
    base = household(**changes)
    spouse = {
        "id_number": resident_id("500103", "19520615", "222"),
        "name": "李建国",
        "birth_date": "1952-06-15",
        "relation": "spouse",
    }
    return {**base, "members": [*base["members"], spouse], **changes}


async def recalculated(api: Api, effective_from: str, dibao_urban_fen: int) -> None:
    admin = api.token("admin", "*", subject="admin-1")
    body = {"effective_from": effective_from, "parameters": {"dibao_urban_fen": dibao_urban_fen}}
    assert (await api.client.post("/v1/standards", json=body, headers=admin)).status_code == 202
    standard = (
        await api.client.get("/v1/standards/in-force", params={"on": effective_from}, headers=admin)
    ).json()
    for _ in range(100):
        progress = (
            await api.client.get(f"/v1/standards/{standard['id']}/recalculation", headers=admin)
        ).json()
        if progress["status"] == "done":
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the recalculation did not finish: {progress}")


def bases_by_person(beneficiaries: list[Any]) -> list[int]:
    return [b.base_fen for b in sorted(beneficiaries, key=lambda b: b.person_id)]


async def test_approval_and_the_recalculation_compute_the_same_exact_lines(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    # ¥1,000 a month less 5 fen of rigid expenses a year (5/12 fen a month), three members, ¥770:
    # 231,000 − 100,000 + 0.4166… = 131,000.4166… → 131,000 (a deduction rounded up to 1 fen and a
    # floored per capita gave (77,000 − 33,333) × 3 = 131,001).
    await approved_case(
        api, body=three_members(monthly_income_fen=100_000, rigid_expenses_12m_fen={"medical": 5})
    )
    [approved] = await events(eligibility_engine, "CaseApproved")
    assert isinstance(approved, CaseApproved)
    assert sum(b.base_fen for b in approved.beneficiaries) == 131_000
    assert bases_by_person(approved.beneficiaries) == [43_667, 43_667, 43_666]  # leftover fen by person id

    # ¥800 from December: 240,000 − 100,000 + 0.4166… → 140,000, split the same way, in SQL.
    await recalculated(api, "2026-12-01", 80_000)
    [changed] = await events(eligibility_engine, "CaseAmountChanged")
    assert isinstance(changed, CaseAmountChanged)
    assert bases_by_person(changed.beneficiaries) == [46_667, 46_667, 46_666]
    assert changed.monthly_amount_fen - approved.monthly_amount_fen == 140_000 - 131_000
    old = {b.person_id: b.total_fen for b in approved.beneficiaries}
    assert {b.person_id: b.total_fen - old[b.person_id] for b in changed.beneficiaries} == {
        person_id: 3_000 for person_id in old
    }  # each member's back pay a month: exact


async def test_a_review_keeps_the_exact_income_that_a_later_recalculation_uses(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    household_id, case_id = await approved_case(api, body=three_members(monthly_income_fen=100_000))
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    change = three_members(monthly_income_fen=100_001, version=1, reason="pension increase reported")
    assert (
        await api.client.put(f"/v1/households/{household_id}", json=change, headers=caseworker)
    ).status_code == 200
    reviewed = await api.client.post(
        f"/v1/cases/{case_id}/reviews",
        json={"on": "2026-11-20", "reason": "circumstances"},
        headers=caseworker,
    )
    assert reviewed.status_code == 200, reviewed.text
    await recalculated(api, "2026-12-01", 80_000)
    amounts = [
        e for e in await events(eligibility_engine, "CaseAmountChanged") if e.reason == "standard_change"
    ]
    # 240,000 − 100,001 = 139,999 (the income before the review would give 140,000).
    assert sum(b.base_fen for b in amounts[0].beneficiaries) == 139_999
