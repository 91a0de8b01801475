"""Dead letters, for an operator: what a consumer refused, and retrying it once the cause is fixed.

The inbox keeps each refused event's id and reason; the record itself waits, unchanged, on `<topic>.dlq`
(with the refusing consumer in its `dlq_consumer` header). A retry reads the copies there and hands each to
the consumer's handler again (`InboxProcessor.retry_dead_letter`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.messaging.envelope import Envelope, MalformedEnvelope
from shared.messaging.inbox import DEAD_LETTERED, InboxProcessor
from shared.messaging.kafka import dead_letter_topic
from shared.messaging.status import DeadLetteredEvent
from shared.messaging.tables import inbox
from shared.settings import KafkaSettings

READ_TIMEOUT_MS = 30_000
"""How long to wait for a dead-letter topic's records before giving up on the broker."""


async def dead_lettered(
    engine: AsyncEngine, consumer: str, event_ids: Collection[UUID] = ()
) -> list[DeadLetteredEvent]:
    """The consumer's dead letters (those of `event_ids`, if given), oldest first."""
    query = select(inbox).where(inbox.c.consumer == consumer, inbox.c.status == DEAD_LETTERED)
    if event_ids:
        query = query.where(inbox.c.event_id.in_(list(event_ids)))
    async with engine.connect() as connection:
        rows = (await connection.execute(query.order_by(inbox.c.processed_at))).mappings()
        return [DeadLetteredEvent.model_validate(dict(row)) for row in rows]


async def retry(
    processor: InboxProcessor, engine: AsyncEngine, settings: KafkaSettings, event_ids: Collection[UUID] = ()
) -> dict[UUID, str]:
    """Retry the consumer's dead letters (those of `event_ids`, or all): what became of each, by event id.

    Besides `InboxProcessor.retry_dead_letter`'s answers, `no_copy` means the record is no longer on the
    dead-letter topic (past its retention) and `unreadable` that its envelope cannot be read: both stay
    dead-lettered. Repeating a retry is safe: an event already handled is `skipped`.
    """
    letters = await dead_lettered(engine, processor.consumer, event_ids)
    wanted = {letter.event_id for letter in letters}
    copies = await _copies(settings, {letter.topic for letter in letters}, processor.consumer, wanted)
    outcome: dict[UUID, str] = {}
    for letter in letters:
        copy = copies.get(letter.event_id)
        if copy is None:
            outcome[letter.event_id] = "no_copy"
        elif isinstance(copy, str):
            outcome[letter.event_id] = "unreadable"
        else:  # as first delivered: the inbox keeps its original topic and position
            delivered = replace(copy, topic=letter.topic, partition=letter.partition, offset=letter.offset)
            outcome[letter.event_id] = await processor.retry_dead_letter(delivered)
    return outcome


async def _copies(
    settings: KafkaSettings, topics: set[str], consumer: str, wanted: set[UUID]
) -> dict[UUID, Envelope | str]:
    """The latest copy of each wanted event on the topics' dead-letter topics (or why it is unreadable)."""
    if not wanted:
        return {}
    reader = AIOKafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers,
        client_id=f"{settings.client_id}-redrive",
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    await reader.start()
    found: dict[UUID, Envelope | str] = {}
    try:
        partitions = await _partitions(settings, [dead_letter_topic(topic) for topic in sorted(topics)])
        if not partitions:
            return {}
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        ends = await reader.end_offsets(partitions)
        remaining = {p for p in partitions if ends[p] > 0}
        while remaining:
            batches = await reader.getmany(*remaining, timeout_ms=READ_TIMEOUT_MS)
            if not batches:
                raise TimeoutError(
                    f"no records from {sorted(p.topic for p in remaining)} in {READ_TIMEOUT_MS} ms"
                )
            for partition, records in batches.items():
                for record in records:
                    _keep(found, record, consumer, wanted)
                if records[-1].offset + 1 >= ends[partition]:
                    remaining.discard(partition)
    finally:
        await reader.stop()
    return found


async def _partitions(settings: KafkaSettings, topics: list[str]) -> list[TopicPartition]:
    """The partitions of those of `topics` that exist (a topic nothing was dead-lettered to may not)."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers, client_id=f"{settings.client_id}-redrive"
    )
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        if topic["error_code"] == 0
        for partition in topic["partitions"]
    ]


def _keep(found: dict[UUID, Envelope | str], record: Any, consumer: str, wanted: set[UUID]) -> None:
    headers = dict(record.headers or ())
    if headers.get("dlq_consumer", b"").decode() != consumer:
        return
    try:
        envelope = Envelope.from_kafka(record)
    except MalformedEnvelope as bad:
        return _keep_unreadable(found, headers, str(bad), wanted)
    if envelope.id in wanted:
        found[envelope.id] = envelope


def _keep_unreadable(
    found: dict[UUID, Envelope | str], headers: dict[str, bytes], reason: str, wanted: set[UUID]
) -> None:
    try:
        event_id = UUID(headers.get("ce_id", b"").decode())
    except ValueError:
        return
    if event_id in wanted:
        found[event_id] = reason
