"""An event's use case has the same shape as an HTTP one: called on a unit of its own, it commits its own
transaction; called by the inbox on a joined unit, it commits with the inbox record."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from sqlalchemy import func, select

from services.payments.models import Entitlement
from services.payments.service.entitlements import open_entitlements
from shared.contracts.eligibility import ApprovedBeneficiary, CaseApproved
from tests.payments.conftest import Payments


def approval(people: int) -> CaseApproved:
    return CaseApproved(
        case_id=uuid4(),
        household_id=uuid4(),
        program="dibao",
        district_code="500103",
        start_month="2027-01",
        beneficiaries=[
            ApprovedBeneficiary(
                person_id=uuid4(),
                base_fen=40_000,
                add_on_fen=0,
                care_subsidy_fen=0,
                total_fen=40_000,
                insurance_categories=["dibao"],
            )
            for _ in range(people)
        ],
        monthly_amount_fen=40_000 * people,
        decided_on=date(2026, 12, 3),
    )


async def count(payments: Payments, case_id: object) -> int:
    async with payments.engine.connect() as connection:
        query = select(func.count()).select_from(Entitlement).where(Entitlement.case_id == case_id)
        return int(await connection.scalar(query) or 0)


async def test_an_event_use_case_commits_on_a_unit_of_its_own_as_a_route_would(payments: Payments) -> None:
    direct = approval(2)
    await open_entitlements(payments.runtime.unit_of_work(), [direct])
    assert await count(payments, direct.case_id) == 2


async def test_the_same_use_case_through_the_inbox_commits_with_the_inbox_record(payments: Payments) -> None:
    delivered = approval(3)
    await payments.deliver([delivered])
    await payments.deliver([delivered])  # redelivered: the inbox absorbs it
    assert await count(payments, delivered.case_id) == 3
