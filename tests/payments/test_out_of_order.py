"""A case's amount change that reaches payments before the case's approval, through the real Kafka broker
and across a consumer restart: parked in payments' database, applied once the approval has come."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from services.payments.consumers import HANDLERS
from services.payments.main import DEFINITION as PAYMENTS
from services.payments.models import Entitlement, EntitlementAmount
from shared.contracts.base import ContractRegistry, Event
from shared.contracts.eligibility import ApprovedBeneficiary, CaseAmountChanged, CaseApproved, MonthlyAmount
from shared.db import session_factory
from shared.local.kafka import KafkaBroker
from shared.messaging.envelope import Envelope
from shared.messaging.inbox import DeadLetter, DeferralPolicy, InboxProcessor
from shared.messaging.kafka import KafkaInboxConsumer, producer_config
from shared.messaging.tables import deferred_events, inbox
from tests.kit import wait_for
from tests.kit.messaging import kafka_settings

pytestmark = pytest.mark.kafka

AMOUNT, RAISED = 57_000, 60_000


class Collected:
    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    async def send(self, letter: DeadLetter) -> None:
        self.letters.append(letter)


async def test_an_amount_change_before_its_approval_is_applied_on_top_of_it_across_a_restart(
    migrated_database: Any, kafka: KafkaBroker, topic: str
) -> None:
    url = await migrated_database(PAYMENTS.migrations)
    engine = create_async_engine(url)

    # eligibility's case contracts, on this test's own topic (the handlers check the contract by type)
    class Approved(CaseApproved):
        pass

    class Changed(CaseAmountChanged):
        pass

    Approved.topic = Changed.topic = topic
    contracts = ContractRegistry()
    contracts.register(Approved, Changed)
    dead = Collected()

    def new_processor() -> InboxProcessor:
        return InboxProcessor(
            consumer=PAYMENTS.name,
            source=PAYMENTS.source,
            sessions=session_factory(engine),
            handlers={t: HANDLERS[t] for t in ("CaseApproved", "CaseAmountChanged")},
            contracts=contracts,
            dead_letters=dead,
            deferral=DeferralPolicy(give_up_after=timedelta(minutes=5), first_retry=timedelta(seconds=1)),
        )

    case_id, people = uuid4(), [uuid4(), uuid4()]
    approved = Approved(
        case_id=case_id,
        household_id=uuid4(),
        program="dibao",
        district_code="500103",
        start_month="2027-03",
        beneficiaries=[
            ApprovedBeneficiary(
                person_id=p,
                base_fen=AMOUNT,
                add_on_fen=0,
                care_subsidy_fen=0,
                total_fen=AMOUNT,
                insurance_categories=["dibao"],
            )
            for p in people
        ],
        monthly_amount_fen=2 * AMOUNT,
        decided_on=date(2027, 2, 10),
        occurred_at=datetime(2027, 2, 10, 9, tzinfo=UTC),
    )
    changed = Changed(
        case_id=case_id,
        from_month="2027-04",
        beneficiaries=[
            MonthlyAmount(person_id=p, base_fen=RAISED, add_on_fen=0, care_subsidy_fen=0, total_fen=RAISED)
            for p in people
        ],
        monthly_amount_fen=2 * RAISED,
        back_pay_months=["2027-04", "2027-05"],
        reason="standard_change",
        standard_id=uuid4(),
        decided_on=date(2027, 6, 2),
        occurred_at=datetime(2027, 6, 2, 9, tzinfo=UTC),
    )

    async def rows(table: Any) -> int:
        async with engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(table)) or 0)

    group = f"payments-{topic}"
    await _send(kafka, changed)  # the amount change overtakes the approval
    first = asyncio.create_task(
        KafkaInboxConsumer(processor=new_processor(), settings=kafka_settings(kafka), group_id=group).run()
    )
    try:
        await wait_for(lambda: _equals(rows(deferred_events), 1), within=30)
    finally:
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first  # the consumer stops (its offset committed past the parked change)
    assert await rows(inbox) == 0

    await _send(kafka, approved)
    second = asyncio.create_task(
        KafkaInboxConsumer(processor=new_processor(), settings=kafka_settings(kafka), group_id=group).run()
    )
    try:
        await wait_for(lambda: _equals(rows(inbox), 2), within=30)
    finally:
        second.cancel()
        with pytest.raises(asyncio.CancelledError):
            await second

    assert dead.letters == []
    assert await rows(deferred_events) == 0
    async with engine.connect() as connection:
        statuses = (
            await connection.execute(select(inbox.c.status, func.count()).group_by(inbox.c.status))
        ).all()
        amounts = (
            await connection.execute(
                select(
                    Entitlement.person_id,
                    Entitlement.start_month,
                    EntitlementAmount.from_month,
                    EntitlementAmount.total_fen,
                    EntitlementAmount.reason,
                    EntitlementAmount.back_pay_months,
                )
                .join(EntitlementAmount, EntitlementAmount.entitlement_id == Entitlement.id)
                .where(Entitlement.case_id == case_id)
                .order_by(Entitlement.person_id, EntitlementAmount.from_month)
            )
        ).all()
    assert dict(statuses) == {"processed": 2}
    march, april, may = date(2027, 3, 1), date(2027, 4, 1), date(2027, 5, 1)
    assert [tuple(row) for row in amounts] == [
        line
        for p in sorted(people)
        for line in (
            (p, march, march, AMOUNT, "approved", []),
            (p, march, april, RAISED, "standard_change", [april, may]),  # back pay: the difference for each
        )
    ]
    await engine.dispose()


async def _equals(value: Any, expected: int) -> bool:
    return bool(await value == expected)


async def _send(kafka: KafkaBroker, event: Event) -> None:
    from aiokafka import AIOKafkaProducer

    envelope = Envelope(
        id=event.event_id,
        type=event.event_type(),
        source="/safetynet/eligibility",
        time=event.occurred_at,
        subject=event.subject(),
        topic=event.topic,
        key=event.key(),
        data=json.dumps(event.body()).encode(),
    )
    producer = AIOKafkaProducer(**producer_config(kafka_settings(kafka)))
    await producer.start()
    try:
        await producer.send_and_wait(
            envelope.topic, envelope.data, key=envelope.key.encode(), headers=envelope.kafka_headers()
        )
    finally:
        await producer.stop()
