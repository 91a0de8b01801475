"""An event's use case has the same shape as an HTTP one: called on a unit of its own, it commits its own
transaction; called by the inbox on a joined unit, it commits with the inbox record."""

from __future__ import annotations

from sqlalchemy import func, select

from services.payments.models import Entitlement
from services.payments.service.entitlements import open_entitlements
from tests.kit.payments import approval
from tests.payments.conftest import Payments


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
