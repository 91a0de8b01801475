"""Business topics with their declared partition counts: created by whichever process of a service reaches the
broker first, never left to the broker's auto-creation (which would give them its default count: 1 locally, 6 in
docker-compose)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import for_code

from shared.contracts.catalogue import PARTITIONS
from shared.observability import get_logger
from shared.settings import KafkaSettings

log = get_logger(__name__)

TOPIC_ALREADY_EXISTS = 36
MAX_REPLICAS = 3
"""A new topic is replicated to this many brokers, or to all of them when the cluster has fewer (one node
locally and in the tests), so the same code creates topics on either."""

_ensured: set[tuple[str, str]] = set()
"""(bootstrap servers, topic) this process has seen with its partitions: one admin round trip per topic."""


async def ensure_topics(
    settings: KafkaSettings, topics: Collection[str], *, partitions: Mapping[str, int] = PARTITIONS
) -> None:
    """Create those of `topics` that have a declared partition count and do not exist yet; raises KafkaError
    when the broker refuses. An existing topic is left as it is: adding partitions moves keys between them,
    which breaks their order, so it is an operator's planned step, and a topic with fewer partitions than
    declared is only logged."""
    wanted = {
        topic: partitions[topic]
        for topic in topics
        if topic in partitions and (settings.bootstrap_servers, topic) not in _ensured
    }
    if not wanted:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers, client_id=settings.client_id)
    await admin.start()
    try:
        replicas = min(MAX_REPLICAS, len((await admin.describe_cluster())["brokers"]))
        response = await admin.create_topics(
            [
                NewTopic(topic, num_partitions=count, replication_factor=replicas)
                for topic, count in wanted.items()
            ]
        )
        existing = []
        for topic, code, *message in response.topic_errors:
            if code == TOPIC_ALREADY_EXISTS:
                existing.append(topic)
            elif code:
                raise for_code(code)(f"creating topic {topic}: {message[0] if message else ''}")
        if existing:
            for described in await admin.describe_topics(existing):
                topic, found = described["topic"], len(described["partitions"])
                if found < wanted[topic]:
                    log.warning(
                        "topic has fewer partitions than declared",
                        topic=topic,
                        found=found,
                        declared=wanted[topic],
                    )
    finally:
        await admin.close()
    _ensured.update((settings.bootstrap_servers, topic) for topic in wanted)
