"""What eligibility announces for oversight: households (members as ids, relations and match keys, declared
facts), the relatives register and review dates — a match key equal to the one oversight computes from the
same resident ID with its derived key, and never an ID number or a name on the wire."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.eligibility.main import DEFINITION as ELIGIBILITY
from services.oversight.domain.matching import MatchingIndex
from shared.contracts.eligibility import CaseReviewScheduled, HouseholdRecorded, StaffRelativeFiled
from shared.pii import generate_pii_settings
from tests.eligibility.conftest import serve
from tests.kit.eligibility import DISTRICT, GRANDCHILD_ID, HEAD_ID, approved_case, events, household
from tests.kit.oversight import matching_key_of

PII = generate_pii_settings()
OVERSIGHT_MATCHING = MatchingIndex(matching_key_of(PII))


async def test_households_relatives_and_reviews_are_announced_with_match_keys_only(
    migrated_database: Any, keys: Path
) -> None:
    eligibility_engine = create_async_engine(await migrated_database(ELIGIBILITY.migrations))
    try:
        await announced(eligibility_engine, keys)
    finally:
        await eligibility_engine.dispose()


async def announced(eligibility_engine: AsyncEngine, keys: Path) -> None:
    async with serve(eligibility_engine, keys, bus="in-process", pii=PII) as api:
        household_id, case_id = await approved_case(api, assets={"financial_fen": 700_000})
        reviewer = api.token("reviewer", DISTRICT, subject="rv-1")
        case = (await api.client.get(f"/v1/cases/{case_id}", headers=reviewer)).json()
        body = household(
            assets={"financial_fen": 700_000}, monthly_income_fen=61_000, version=1, reason="pay rise"
        )
        changed = await api.client.put(
            f"/v1/households/{household_id}", json=body, headers=api.token("caseworker", DISTRICT)
        )
        assert changed.status_code == 200, changed.text
        relative = {
            "id_number": GRANDCHILD_ID,
            "staff_id": "cadre-88",
            "relation": "child",
            "district_code": DISTRICT,
        }
        assert (await api.client.post("/v1/relatives", json=relative, headers=reviewer)).status_code == 201

    recorded = await events(eligibility_engine, "HouseholdRecorded")
    assert [e.version for e in recorded] == [1, 2]
    assert all(isinstance(e, HouseholdRecorded) and str(e.household_id) == household_id for e in recorded)
    latest = recorded[-1]
    assert latest.declared.monthly_income_fen == 61_000 and latest.declared.financial_assets_fen == 700_000
    assert [(m.relation, m.match_key) for m in latest.members] == [
        ("head", OVERSIGHT_MATCHING.digest(HEAD_ID).hex()),
        ("grandchild", OVERSIGHT_MATCHING.digest(GRANDCHILD_ID).hex()),
    ]
    (filed,) = await events(eligibility_engine, "StaffRelativeFiled")
    assert isinstance(filed, StaffRelativeFiled)
    assert filed.match_key == OVERSIGHT_MATCHING.digest(GRANDCHILD_ID).hex() and filed.staff_id == "cadre-88"
    (review,) = await events(eligibility_engine, "CaseReviewScheduled")
    assert isinstance(review, CaseReviewScheduled) and review.occasion == "approved"
    assert review.next_review_due == date.fromisoformat(case["next_review_due"])

    wire = json.dumps([e.body() for e in [*recorded, filed]], ensure_ascii=False)
    for personal in (HEAD_ID, GRANDCHILD_ID, HEAD_ID[:14], "张桂兰", "张小明"):
        assert personal not in wire
