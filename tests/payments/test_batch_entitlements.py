"""Payments applies runs of approvals and amount changes set-based (batch handlers): the same events delivered
in runs or one by one leave the same entitlements and amounts; a run where someone leaves a case goes event by
event; an amount change for a case not yet approved is parked alone and the rest of its run applied."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from services.eligibility.main import DEFINITION as ELIGIBILITY
from services.payments.consumers import HANDLERS
from services.payments.main import DEFINITION as PAYMENTS
from shared.contracts.base import Event
from shared.contracts.catalogue import registry
from shared.contracts.eligibility import CaseAmountChanged, CaseApproved, MonthlyAmount
from shared.db import session_factory
from shared.messaging.inbox import DeadLetter, InboxProcessor
from shared.messaging.tables import deferred_events
from tests.kit import as_delivered
from tests.kit.payments import approval

STANDARD = uuid4()


def change(
    case: CaseApproved, fen: int, month: str = "2026-07", *, people: Sequence[UUID] | None = None
) -> CaseAmountChanged:
    persons = list(people) if people is not None else [b.person_id for b in case.beneficiaries]
    return CaseAmountChanged(
        case_id=case.case_id,
        from_month=month,
        beneficiaries=[
            MonthlyAmount(person_id=p, base_fen=fen, add_on_fen=0, care_subsidy_fen=0, total_fen=fen)
            for p in persons
        ],
        monthly_amount_fen=fen * len(persons),
        back_pay_months=["2026-07", "2026-08"] if month == "2026-07" else [],
        reason="standard_change",
        standard_id=STANDARD,
        decided_on=date(2026, 9, 1),
    )


class Letters:
    def __init__(self) -> None:
        self.sent: list[DeadLetter] = []

    async def send(self, letter: DeadLetter) -> None:
        self.sent.append(letter)


async def settle(url: str, batches: list[list[Event]]) -> tuple[Sequence[Any], Sequence[Any], int]:
    """Deliver each batch through the payments inbox; the entitlements, amounts and parked events it leaves."""
    engine = create_async_engine(url)
    letters = Letters()
    processor = InboxProcessor(
        consumer=PAYMENTS.name,
        source=PAYMENTS.source,
        sessions=session_factory(engine),
        handlers=HANDLERS,
        contracts=registry,
        dead_letters=letters,
    )
    try:
        for batch in batches:
            await processor.process([as_delivered(event, ELIGIBILITY.source) for event in batch])
        async with engine.connect() as connection:
            entitlements = (
                await connection.execute(
                    text(
                        "SELECT case_id, person_id, benefit, start_month, end_month, end_reason FROM entitlements ORDER BY 1, 2"
                    )
                )
            ).all()
            amounts = (
                await connection.execute(
                    text(
                        "SELECT e.case_id, e.person_id, a.from_month, a.total_fen, a.reason, a.back_pay_months, a.event_id "
                        "FROM entitlement_amounts a JOIN entitlements e ON e.id = a.entitlement_id ORDER BY 1, 2, 3"
                    )
                )
            ).all()
            parked = int(await connection.scalar(select(func.count()).select_from(deferred_events)) or 0)
    finally:
        await engine.dispose()
    assert letters.sent == []
    return entitlements, amounts, parked


async def test_runs_and_single_events_leave_the_same_entitlements(migrated_database: Any) -> None:
    a1, a2, a3, unknown = (approval(n, on=date(2026, 4, 20)) for n in (2, 1, 3, 1))
    standard_change = [change(a1, 41_000), change(a2, 45_000), change(a3, 42_000)]
    corrected = [change(a1, 41_500), change(a3, 43_000, "2026-09")]  # same month again: the later wins
    leaving = change(a3, 44_000, "2026-10", people=[b.person_id for b in a3.beneficiaries][:2])
    batches: list[list[Event]] = [
        [a1, a2, a3],
        [*standard_change, *corrected],
        [leaving, change(unknown, 50_000), change(a2, 46_000, "2026-11")],
    ]

    in_runs = await settle(await migrated_database(PAYMENTS.migrations), batches)
    one_by_one = await settle(
        await migrated_database(PAYMENTS.migrations), [[e] for batch in batches for e in batch]
    )
    assert in_runs == one_by_one

    entitlements, amounts, parked = in_runs
    assert len(entitlements) == 6 and parked == 1  # the unknown case's change waits for its approval
    ended = [row for row in entitlements if row.end_month is not None]
    assert [(row.end_month, row.end_reason) for row in ended] == [(date(2026, 10, 1), "termination")]
    first = {
        row.from_month: row.total_fen for row in amounts if row.person_id == a1.beneficiaries[0].person_id
    }
    assert first == {date(2026, 5, 1): 40_000, date(2026, 7, 1): 41_500}
    assert {row.total_fen for row in amounts if row.person_id == a2.beneficiaries[0].person_id} == {
        40_000,
        45_000,
        46_000,
    }
