"""Retrying dead letters once their cause is fixed, against real PostgreSQL and the real broker: an event
handled now leaves the dead letters, one refused again is dead-lettered again with its new reason, and
retrying twice does nothing twice."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from shared.contracts.base import Event
from shared.db import UnitOfWork, session_factory
from shared.local.kafka import KafkaBroker
from shared.messaging import redrive
from shared.messaging.kafka import KafkaDeadLetters, KafkaInboxConsumer, KafkaPublisher, dead_letter_topic
from shared.messaging.tables import inbox
from tests.kit import (
    effect_counts,
    item_recorded,
    prepare_database,
    processor_for,
    record_effect,
    relay_for,
    wait_for,
)
from tests.kit.messaging import kafka_settings, raw_records, write_items

pytestmark = pytest.mark.kafka

CONSUMER = "redrive-test"


async def test_a_fixed_cause_clears_its_dead_letter_and_a_lasting_one_is_refused_again(
    new_database: Any, kafka: KafkaBroker, topic: str
) -> None:
    producer_db = await prepare_database(await new_database())
    consumer_db = await prepare_database(await new_database())
    contract = item_recorded(topic)
    broken = {1, 2}  # item 1's cause gets fixed; item 2's does not

    async def handler(uow: UnitOfWork, event: Event) -> None:
        if event.item in broken:  # type: ignore[attr-defined]
            raise KeyError(f"no rule for item {event.item}")  # type: ignore[attr-defined]
        await record_effect(uow, event)

    publisher = KafkaPublisher(kafka_settings(kafka))
    await write_items(session_factory(producer_db), contract, [0, 1, 2])
    assert await relay_for(producer_db, publisher).drain() == 3
    processor = processor_for(
        consumer_db, contract, consumer=CONSUMER, handler=handler, dead_letters=KafkaDeadLetters(publisher)
    )
    consumer = asyncio.create_task(
        KafkaInboxConsumer(processor=processor, settings=kafka_settings(kafka), group_id=f"g-{topic}").run()
    )
    try:
        await wait_for(lambda: inbox_rows(consumer_db, 3))
    finally:
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
    letters = await redrive.dead_lettered(consumer_db, CONSUMER)
    one, two = sorted(letters, key=lambda letter: letter.error or "")
    assert [one.error, two.error] == [
        f"handler failed after 3 attempts: KeyError('no rule for item {n}')" for n in (1, 2)
    ]
    await publisher.start()
    try:
        broken.discard(1)  # the fix is deployed
        outcome = await redrive.retry(processor, consumer_db, kafka_settings(kafka))
        assert outcome == {one.event_id: "processed", two.event_id: "dead_lettered"}
        assert await effect_counts(consumer_db) == (2, 2)
        after = await statuses(consumer_db)
        assert sorted(after.values()) == ["dead_lettered", "processed", "processed"]
        assert (after[one.event_id], after[two.event_id]) == ("processed", "dead_lettered")
        (again,) = await redrive.dead_lettered(consumer_db, CONSUMER)
        assert (again.topic, again.partition, again.offset) == (two.topic, two.partition, two.offset)
        # Refused again: a second copy on the dead-letter topic, with the reason of the retry.
        copies = await raw_records(kafka, dead_letter_topic(topic), 3)
        assert len(copies) == 3

        assert await redrive.retry(processor, consumer_db, kafka_settings(kafka), [one.event_id]) == {}
        broken.clear()
        assert await redrive.retry(processor, consumer_db, kafka_settings(kafka)) == {
            two.event_id: "processed"
        }
        assert await redrive.dead_lettered(consumer_db, CONSUMER) == []
        assert await effect_counts(consumer_db) == (3, 3)
    finally:
        await publisher.stop()
        await producer_db.dispose()
        await consumer_db.dispose()


async def inbox_rows(engine: Any, expected: int) -> bool:
    return len(await statuses(engine)) == expected


async def statuses(engine: Any) -> dict[UUID, str]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(inbox.c.event_id, inbox.c.status).where(inbox.c.consumer == CONSUMER)
        )
        return {row.event_id: row.status for row in rows}
