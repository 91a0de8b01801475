"""The messaging gauges the alerts read, against real PostgreSQL and the real broker: the outbox backlog and its
age, dead-lettered and parked events, and the consumer group's lag while a handler is stuck and after."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from shared.contracts.base import Event
from shared.db import UnitOfWork, session_factory
from shared.errors import NotYet
from shared.local.kafka import KafkaBroker
from shared.messaging.kafka import KafkaInboxConsumer, KafkaPublisher
from shared.messaging.metrics import ConsumerMetrics, MessagingWatch
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
from tests.kit.messaging import kafka_settings, write_items

pytestmark = pytest.mark.kafka

SERVICE = "metrics-test"


def gauge(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, {"service": SERVICE, **labels})


async def test_the_gauges_follow_the_backlog_the_letters_and_the_lag(
    new_database: Any, kafka: KafkaBroker, topic: str
) -> None:
    producer_db = await prepare_database(await new_database())
    consumer_db = await prepare_database(await new_database())
    contract = item_recorded(topic)
    stuck, release = asyncio.Event(), asyncio.Event()

    async def handler(uow: UnitOfWork, event: Event) -> None:
        item = event.item  # type: ignore[attr-defined]
        if item == 0:
            stuck.set()
            await release.wait()
        if item == 1:
            raise ValueError("a malformed fact: dead-lettered after its attempts")
        if item == 2:
            raise NotYet("waits for an event that never comes: parked")
        await record_effect(uow, event)

    producers = CollectorRegistry()
    producer_watch = MessagingWatch(producer_db, producers, service=SERVICE)
    await write_items(session_factory(producer_db), contract, range(6))
    await producer_watch()
    assert gauge(producers, "safetynet_outbox_pending_events") == 6
    assert gauge(producers, "safetynet_outbox_oldest_pending_age_seconds") > 0  # type: ignore[operator]

    publisher = KafkaPublisher(kafka_settings(kafka))
    assert await relay_for(producer_db, publisher).drain() == 6
    await producer_watch()
    assert gauge(producers, "safetynet_outbox_pending_events") == 0
    assert gauge(producers, "safetynet_outbox_oldest_pending_age_seconds") == 0

    consumers = CollectorRegistry()
    consumer = KafkaInboxConsumer(
        processor=processor_for(
            consumer_db,
            contract,
            consumer="metrics-consumer",
            handler=handler,
            metrics=ConsumerMetrics(consumers, service=SERVICE),
        ),
        settings=kafka_settings(kafka),
        group_id=f"g-{topic}",
    )
    consumer_watch = MessagingWatch(consumer_db, consumers, service=SERVICE, consumer=lambda: consumer)
    running = asyncio.create_task(consumer.run())
    try:
        await asyncio.wait_for(stuck.wait(), 30)
        await consumer_watch()
        lag = {
            int(sample.labels["partition"]): sample.value
            for metric in consumers.collect()
            if metric.name == "safetynet_consumer_lag_records"
            for sample in metric.samples
            if sample.labels["topic"] == topic
        }
        assert sum(lag.values()) == 6, lag  # nothing committed while the first batch is stuck

        release.set()
        await wait_for(lambda: effects_are(consumer_db, 4))  # 0, 3, 4, 5

        async def caught_up() -> bool:
            await consumer_watch()
            lags = [
                sample.value
                for metric in consumers.collect()
                if metric.name == "safetynet_consumer_lag_records"
                for sample in metric.samples
            ]
            return bool(lags) and sum(lags) == 0

        await wait_for(caught_up, within=30)
        assert gauge(consumers, "safetynet_inbox_dead_lettered_events") == 1
        assert gauge(consumers, "safetynet_inbox_deferred_events") == 1
        # What the consumer did, counted once committed: the parked event is in neither count.
        settled = {"type": "ItemRecorded"}
        assert gauge(consumers, "safetynet_events_settled_total", **settled, outcome="processed") == 4
        assert gauge(consumers, "safetynet_events_settled_total", **settled, outcome="dead_lettered") == 1
        handler_calls = gauge(consumers, "safetynet_handler_duration_seconds_count", **settled)
        assert handler_calls is not None and handler_calls >= 6  # item 1 three times, at least
        batches = gauge(consumers, "safetynet_inbox_batch_duration_seconds_count")
        assert batches is not None and batches >= 1
        slow = gauge(consumers, "safetynet_handler_duration_seconds_sum", **settled)
        assert slow is not None and slow > 0
    finally:
        release.set()
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await publisher.stop()
        await producer_db.dispose()
        await consumer_db.dispose()


async def effects_are(engine: Any, expected: int) -> bool:
    return (await effect_counts(engine))[0] == expected


async def test_a_consumer_not_connected_reports_no_lag(new_database: Any, topic: str) -> None:
    engine = await prepare_database(await new_database())
    consumer = KafkaInboxConsumer(
        processor=processor_for(engine, item_recorded(topic), consumer="idle"),
        settings=KafkaSettings(bootstrap_servers="127.0.0.1:9"),
        group_id=f"g-{topic}",
    )
    registry = CollectorRegistry()
    await MessagingWatch(engine, registry, service=SERVICE, consumer=lambda: consumer)()
    assert [
        s for m in registry.collect() if m.name == "safetynet_consumer_lag_records" for s in m.samples
    ] == []
    assert gauge(registry, "safetynet_inbox_dead_lettered_events") == 0
    await engine.dispose()
