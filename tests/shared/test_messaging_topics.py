"""Business topics are created with their declared partition count before anything is sent or consumed, never
by the broker's auto-creation (one partition); a topic that exists is left as it is."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.contracts.catalogue import PARTITIONS, TOPICS
from shared.local.kafka import KafkaBroker
from shared.messaging.kafka import KafkaPublisher
from shared.messaging.topics import ensure_topics
from tests.kit import as_delivered, item_recorded
from tests.kit.messaging import kafka_settings


def test_every_topic_declares_its_partitions_and_the_calendar_keeps_one() -> None:
    assert set(PARTITIONS) == set(TOPICS)
    assert all(count >= 1 for count in PARTITIONS.values())
    # Every service reads the whole calendar in order; one partition keeps its years in order too.
    assert PARTITIONS["eligibility.calendar.v1"] == 1


async def partition_counts(kafka: KafkaBroker, topics: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        return {
            d["topic"]: len(d["partitions"])
            for d in await admin.describe_topics(topics)
            if not d["error_code"]
        }
    finally:
        await admin.close()


@pytest.mark.kafka
async def test_the_publisher_creates_a_declared_topic_with_its_partitions_before_its_first_send(
    kafka: KafkaBroker, topic: str
) -> None:
    contract = item_recorded(topic)
    publisher = KafkaPublisher(kafka_settings(kafka), partitions={topic: 3})
    try:
        await publisher.publish([as_delivered(contract(item=1), "/safetynet/test")])  # type: ignore[call-arg]
    finally:
        await publisher.stop()
    assert await partition_counts(kafka, [topic]) == {topic: 3}


@pytest.mark.kafka
async def test_an_existing_topic_keeps_its_partitions(kafka: KafkaBroker, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
    await ensure_topics(kafka_settings(kafka), [topic], partitions={topic: 4})
    assert await partition_counts(kafka, [topic]) == {topic: 1}
