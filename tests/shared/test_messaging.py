"""Outbox, relay and inbox against real PostgreSQL and the real Kafka broker."""

from __future__ import annotations

import asyncio
import functools
import json
from datetime import datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts.base import Event
from shared.db import UnitOfWork, session_factory
from shared.local.kafka import KafkaBroker
from shared.messaging.bus import InProcessBus
from shared.messaging.envelope import Envelope
from shared.messaging.kafka import (
    KafkaDeadLetters,
    KafkaInboxConsumer,
    KafkaPublisher,
    consumer_config,
    dead_letter_topic,
    producer_config,
)
from shared.messaging.outbox import OutboxRelay
from shared.messaging.tables import inbox, outbox
from shared.settings import KafkaSettings
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


class CrashBeforeMarkSent(OutboxRelay):
    """A relay that dies once after the broker acknowledged but before the rows are marked sent."""

    crashed = False

    async def _mark_sent(
        self, connection: AsyncConnection, seqs: list[int], acknowledged_at: datetime
    ) -> None:
        if not self.crashed:
            self.crashed = True
            raise RuntimeError("relay killed between send and mark-sent")
        await super()._mark_sent(connection, seqs, acknowledged_at)


def test_clients_override_the_unsafe_aiokafka_defaults() -> None:
    settings = KafkaSettings()
    producer = producer_config(settings)
    consumer = consumer_config(settings, "payments")
    assert (producer["acks"], producer["enable_idempotence"]) == ("all", True)
    assert (consumer["enable_auto_commit"], consumer["isolation_level"]) == (False, "read_committed")
    assert consumer["auto_offset_reset"] == "earliest"


async def test_rolled_back_business_transaction_leaves_no_event(new_database: Any, topic: str) -> None:
    engine = await prepare_database(await new_database())
    contract = item_recorded(topic)
    sessions = session_factory(engine)
    with pytest.raises(RuntimeError):
        async with sessions() as session, session.begin():
            uow = UnitOfWork(joined=session, source="/t")  # as an inbox consumer's handler runs
            await session.execute(text("INSERT INTO items (item) VALUES (1)"))
            uow.emit(contract(item=1))  # type: ignore[call-arg]
            await uow.commit()  # the outbox row is written inside the outer transaction …
            assert await session.scalar(select(func.count()).select_from(outbox)) == 1
            raise RuntimeError("… which then fails and rolls back")
    with pytest.raises(RuntimeError):
        async with UnitOfWork(sessions, source="/t") as uow:
            await uow.session.execute(text("INSERT INTO items (item) VALUES (2)"))
            uow.emit(contract(item=2))  # type: ignore[call-arg]
            raise RuntimeError("a use case that fails before committing")
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(outbox)) == 0
        assert await connection.scalar(text("SELECT count(*) FROM items")) == 0

    await write_items(sessions, contract, [3])
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(outbox)) == 1
        assert await connection.scalar(text("SELECT count(*) FROM items")) == 1
    await engine.dispose()


async def test_relay_killed_between_send_and_mark_sent_resends_and_inbox_absorbs(
    new_database: Any, kafka: KafkaBroker, topic: str
) -> None:
    producer_db = await prepare_database(await new_database())
    consumer_db = await prepare_database(await new_database())
    contract = item_recorded(topic)
    await write_items(session_factory(producer_db), contract, range(50))

    publisher = KafkaPublisher(kafka_settings(kafka))
    relay = relay_for(producer_db, publisher, relay=CrashBeforeMarkSent, batch_size=100)
    with pytest.raises(RuntimeError, match="between send and mark-sent"):
        await relay.relay_once()
    assert await relay.drain() == 50  # the rows were still pending, so all 50 went again
    assert len(await raw_records(kafka, topic, 100)) == 100  # the broker holds both copies

    processor = processor_for(
        consumer_db, contract, consumer="test-consumer", dead_letters=KafkaDeadLetters(publisher)
    )
    consumer = asyncio.create_task(
        KafkaInboxConsumer(processor=processor, settings=kafka_settings(kafka), group_id=f"g-{topic}").run()
    )
    try:
        await wait_for(lambda: _inbox_count(consumer_db, 50))
        await asyncio.sleep(1)
        assert await effect_counts(consumer_db) == (50, 50)
    finally:
        consumer.cancel()
        await publisher.stop()
    await producer_db.dispose()
    await consumer_db.dispose()


async def _inbox_count(engine: AsyncEngine, expected: int) -> bool:
    async with engine.connect() as connection:
        return (await connection.scalar(select(func.count()).select_from(inbox))) == expected


async def test_replaying_a_topic_from_offset_zero_changes_nothing(
    new_database: Any, kafka: KafkaBroker, topic: str
) -> None:
    producer_db = await prepare_database(await new_database())
    consumer_db = await prepare_database(await new_database())
    contract = item_recorded(topic)
    await write_items(session_factory(producer_db), contract, range(200))
    publisher = KafkaPublisher(kafka_settings(kafka))
    relay = relay_for(producer_db, publisher)
    assert await relay.drain() == 200

    processor = processor_for(consumer_db, contract, consumer="replayer")
    for group in ("first-pass", "replay-from-zero"):  # a new group id starts again at offset 0
        group_id = f"{group}-{topic}"
        consumer = asyncio.create_task(
            KafkaInboxConsumer(processor=processor, settings=kafka_settings(kafka), group_id=group_id).run()
        )
        try:
            await wait_for(functools.partial(_committed, kafka, group_id, topic, 200))
        finally:
            consumer.cancel()
        assert await effect_counts(consumer_db) == (200, 200)
    await publisher.stop()
    await producer_db.dispose()
    await consumer_db.dispose()


async def _committed(kafka: KafkaBroker, group: str, topic: str, offset: int) -> bool:
    from aiokafka import TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    committed = offsets.get(TopicPartition(topic, 0))
    return committed is not None and committed.offset >= offset


async def test_poison_messages_go_to_the_dead_letter_topic_and_the_consumer_keeps_going(
    new_database: Any, kafka: KafkaBroker, topic: str
) -> None:
    consumer_db = await prepare_database(await new_database())
    contract = item_recorded(topic)
    good = [contract(item=n) for n in (1, 2)]  # type: ignore[call-arg]
    raw = AIOKafkaProducer(**producer_config(kafka_settings(kafka)))
    await raw.start()
    try:
        await _send(raw, good[0])
        await _send(raw, contract(item=99), body=b'{"type":"ItemRecorded","item":"not a number"}')  # type: ignore[call-arg]
        await raw.send_and_wait(topic, b"no envelope at all", key=b"k")
        await _send(raw, good[1])
    finally:
        await raw.stop()

    publisher = KafkaPublisher(kafka_settings(kafka))
    processor = processor_for(
        consumer_db, contract, consumer="poison-test", dead_letters=KafkaDeadLetters(publisher)
    )
    consumer = asyncio.create_task(
        KafkaInboxConsumer(processor=processor, settings=kafka_settings(kafka), group_id=f"g-{topic}").run()
    )
    try:
        await wait_for(lambda: _committed(kafka, f"g-{topic}", topic, 4))
    finally:
        consumer.cancel()
        await publisher.stop()
    assert await effect_counts(consumer_db) == (2, 2)

    dead = await raw_records(kafka, dead_letter_topic(topic), 2)
    reasons = {record.value: dict(record.headers)["dlq_reason"].decode() for record in dead}
    assert len(dead) == 2
    assert reasons[b"no envelope at all"] == "ce_specversion must be '1.0'"
    invalid = reasons[b'{"type":"ItemRecorded","item":"not a number"}']
    assert invalid.startswith("invalid ItemRecorded") and "item" in invalid
    async with consumer_db.connect() as connection:
        statuses = (
            await connection.execute(select(inbox.c.status, func.count()).group_by(inbox.c.status))
        ).all()
    assert dict(statuses) == {"processed": 2, "dead_lettered": 2}
    await consumer_db.dispose()


async def _send(producer: AIOKafkaProducer, event: Event, body: bytes | None = None) -> None:
    envelope = Envelope(
        id=event.event_id,
        type=event.event_type(),
        source="/t",
        time=event.occurred_at,
        subject=event.key(),
        topic=event.topic,
        key=event.key(),
        data=body or json.dumps(event.body()).encode(),
    )
    await producer.send_and_wait(
        envelope.topic, envelope.data, key=envelope.key.encode(), headers=envelope.kafka_headers()
    )


async def test_a_handler_that_keeps_failing_is_dead_lettered_after_bounded_retries(
    new_database: Any, topic: str
) -> None:
    consumer_db = await prepare_database(await new_database())
    contract = item_recorded(topic)
    calls: list[int] = []

    async def flaky(uow: UnitOfWork, event: Event) -> None:
        calls.append(event.item)  # type: ignore[attr-defined]
        await record_effect(uow, event)  # its effect must be rolled back with the failure
        if event.item == 13:  # type: ignore[attr-defined]
            raise ValueError("cannot handle 13")

    processor = processor_for(consumer_db, contract, consumer="flaky", handler=flaky)
    bus = InProcessBus()
    bus.subscribe(processor)
    producer_db = await prepare_database(await new_database())
    await write_items(session_factory(producer_db), contract, [12, 13, 14])
    relay = relay_for(producer_db, bus)
    assert await relay.drain() == 3
    assert calls.count(13) == 1 + 3  # once in the optimistic batch pass, then three isolated attempts
    assert (calls.count(12), calls.count(14)) == (
        2,
        1,
    )  # neighbours: redone in the second pass, never retried
    assert await effect_counts(consumer_db) == (2, 2)
    async with consumer_db.connect() as connection:
        error = await connection.scalar(select(inbox.c.error).where(inbox.c.status == "dead_lettered"))
    assert error is not None and "cannot handle 13" in error and "3 attempts" in error
    await producer_db.dispose()
    await consumer_db.dispose()


async def test_in_process_bus_gives_the_same_inbox_guarantees(new_database: Any, topic: str) -> None:
    producer_db = await prepare_database(await new_database())
    consumer_db = await prepare_database(await new_database())
    contract = item_recorded(topic)
    processor = processor_for(consumer_db, contract, consumer="embedded")
    bus = InProcessBus()
    bus.subscribe(processor)
    await write_items(session_factory(producer_db), contract, range(30))
    relay = relay_for(producer_db, bus, relay=CrashBeforeMarkSent)
    with pytest.raises(RuntimeError):
        await relay.relay_once()  # delivered to the consumer, then died before marking sent
    assert await relay.drain() == 30  # delivered again …
    assert await effect_counts(consumer_db) == (30, 30)  # … and absorbed
    await producer_db.dispose()
    await consumer_db.dispose()


class SlowBroker:
    """Acknowledges after `delay_s`; meanwhile notes whether any session of the database held a transaction open."""

    def __init__(self, engine: AsyncEngine, delay_s: float) -> None:
        self.engine, self.delay_s, self.open_transactions = engine, delay_s, -1

    async def publish(self, envelopes: Any) -> None:
        await asyncio.sleep(self.delay_s)
        async with self.engine.connect() as connection:
            self.open_transactions = int(
                await connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                    )
                )
                or 0
            )


async def test_the_relay_waits_for_the_broker_outside_any_transaction_and_records_its_acknowledgement(
    new_database: Any, topic: str
) -> None:
    engine = await prepare_database(await new_database())
    await write_items(session_factory(engine), item_recorded(topic), [1, 2])
    broker = SlowBroker(engine, delay_s=1.0)
    first, second = relay_for(engine, broker), relay_for(engine, broker)
    assert await first.relay_once() == 2 and broker.open_transactions == 0
    async with engine.connect() as connection:
        waited = await connection.scalar(
            text("SELECT min(extract(epoch FROM sent_at - created_at)) FROM outbox")
        )
    assert waited >= 1.0  # sent_at is when the broker acknowledged, not when the round began

    await write_items(session_factory(engine), item_recorded(topic), [3])
    broker.delay_s = 0.5
    racing = await asyncio.gather(first.relay_once(), _after(0.1, second.relay_once()))
    assert sorted(racing) == [0, 1]  # while one relay publishes, the other stands by
    await engine.dispose()


async def _after(delay_s: float, work: Any) -> Any:
    await asyncio.sleep(delay_s)
    return await work


async def test_rows_past_their_retention_are_purged_in_batches_and_nothing_else(
    new_database: Any, topic: str
) -> None:
    engine = await prepare_database(await new_database())
    await write_items(session_factory(engine), item_recorded(topic), range(7))
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE outbox SET sent_at = now() - interval '8 days' WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT 5)"
            )
        )
        await connection.execute(
            text(
                "UPDATE outbox SET sent_at = now() - interval '6 days' WHERE sent_at IS NULL AND seq = (SELECT max(seq) FROM outbox)"
            )
        )
    relay = relay_for(engine, InProcessBus(), retention_days=7)
    assert await relay.purge_sent(batch_size=2) == 5
    async with engine.connect() as connection:
        left = (
            (await connection.execute(text("SELECT sent_at IS NULL FROM outbox ORDER BY seq")))
            .scalars()
            .all()
        )
    assert left == [True, False]  # the pending row, and the one sent 6 days ago
    assert await relay.purge_sent() == 0
    await engine.dispose()
