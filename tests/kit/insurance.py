"""Helpers for tests that drive insurance: approvals and terminations into its roster, roster reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select

from services.insurance.models import RosterEntry
from shared.contracts.eligibility import (
    ApprovedBeneficiary,
    CaseApproved,
    CaseTerminated,
)
from tests.insurance.conftest import Insurance, Pair
from tests.kit import wait_for
from tests.kit.eligibility import APPROVE, DISTRICT, INVESTIGATION, apply, household, steps

_clock = datetime(2026, 1, 1, tzinfo=UTC)


def at() -> datetime:
    """Event times that increase, as eligibility's would for one case."""
    global _clock
    _clock += timedelta(minutes=1)
    return _clock


def approved(
    people: dict[UUID, list[str]],
    *,
    decided_on: date,
    program: str = "dibao",
    district: str = DISTRICT,
    occurred_at: datetime | None = None,
) -> CaseApproved:
    """A case approved on `decided_on` at ¥400 a person; its event a minute after the last one by default."""
    return CaseApproved(
        case_id=uuid4(),
        household_id=uuid4(),
        program=program,
        district_code=district,
        start_month=(decided_on.replace(day=1) + timedelta(days=32)).strftime("%Y-%m"),
        beneficiaries=[
            ApprovedBeneficiary(
                person_id=p,
                base_fen=40_000,
                add_on_fen=0,
                care_subsidy_fen=0,
                total_fen=40_000,
                insurance_categories=c,
            )
            for p, c in people.items()
        ],
        monthly_amount_fen=40_000 * len(people),
        decided_on=decided_on,
        occurred_at=occurred_at or at(),
    )


def terminated(
    case: CaseApproved,
    on: date,
    reason: str = "income",
    persons: list[UUID] | None = None,
    *,
    occurred_at: datetime | None = None,
) -> CaseTerminated:
    """Ended on `on`: paid, and covered, to the end of that month."""
    return CaseTerminated(
        case_id=case.case_id,
        effective_month=(on.replace(day=1) + timedelta(days=32)).strftime("%Y-%m"),
        reason=reason,
        person_ids=persons or [b.person_id for b in case.beneficiaries],
        decided_on=on,
        occurred_at=occurred_at or at(),
    )


async def entries(insurance: Insurance) -> list[tuple[Any, ...]]:
    async with insurance.connection() as connection:
        rows = await connection.execute(
            select(
                RosterEntry.id,
                RosterEntry.person_id,
                RosterEntry.policy_year,
                RosterEntry.district_code,
                RosterEntry.categories,
                RosterEntry.cover_from,
                RosterEntry.cover_until,
                RosterEntry.removal_reason,
                RosterEntry.premium_fen,
            ).order_by(RosterEntry.person_id, RosterEntry.policy_year)
        )
        return [tuple(row) for row in rows]


ACCIDENT = {
    "total_fen": 300_000,
    "basic_insurance_fen": 150_000,
    "medical_assistance_fen": 50_000,
    "out_of_list_fen": 40_000,
}


async def approve_household_with_an_orphan(pair: Pair) -> tuple[str, list[str]]:
    """A dibao household whose grandchild is also an orphan: two insurance categories. Returns (case, persons)."""
    api = pair.eligibility
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    body = household()
    body["members"][1]["orphan"] = True
    created = await api.client.post("/v1/households", json=body, headers=caseworker)
    assert created.status_code == 201, created.text
    application_id = await apply(api, created.json()["id"], caseworker)
    await steps(api, application_id, INVESTIGATION, caseworker)
    decided = await steps(api, application_id, [APPROVE], api.token("reviewer", DISTRICT, subject="rv-1"))
    case = (await api.client.get(f"/v1/cases/{decided['case_id']}", headers=caseworker)).json()
    return str(decided["case_id"]), [b["person_id"] for b in case["beneficiaries"]]


async def roster_of(
    pair: Pair, until: Callable[[list[Any]], bool], *, persons: list[str] | None = None, **params: str
) -> list[Any]:
    """The 2026 roster (of `persons` only, if given: a shared broker carries other tests' cases too) once the
    eligibility relay has delivered (it publishes in the background)."""
    reviewer = pair.token("reviewer", DISTRICT, subject="rv-1")
    found: list[Any] = []

    async def arrived() -> bool:
        nonlocal found
        response = await pair.insurance.get("/v1/terms/2026/roster", params=params, headers=reviewer)
        assert response.status_code == 200, response.text
        found = [e for e in response.json()["entries"] if persons is None or e["person_id"] in persons]
        return until(found)

    await wait_for(arrived, within=30)
    return found
