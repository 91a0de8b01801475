"""Apache Kafka edge: a safe idempotent producer, the dead-letter topic, and the inbox consumer loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError

from shared.contracts.catalogue import PARTITIONS
from shared.messaging.connection import ConnectionLog, RateLimitFilter
from shared.messaging.envelope import Envelope, MalformedEnvelope
from shared.messaging.inbox import DeadLetter, InboxProcessor, Undecodable, is_infrastructure_failure
from shared.messaging.topics import ensure_topics
from shared.observability import get_logger
from shared.settings import KafkaSettings

log = get_logger(__name__)

DEAD_LETTER_SUFFIX = ".dlq"


def producer_config(settings: KafkaSettings) -> dict[str, Any]:
    """aiokafka's default producer waits for the leader only, without idempotence: events could be lost or doubled."""
    return {
        "bootstrap_servers": settings.bootstrap_servers,
        "client_id": settings.client_id,
        "acks": "all",
        "enable_idempotence": True,
        "request_timeout_ms": 15_000,
        "linger_ms": 5,
    }


def consumer_config(settings: KafkaSettings, group_id: str) -> dict[str, Any]:
    """Offsets are committed by hand after the database commit; auto-commit would commit unprocessed work."""
    return {
        "bootstrap_servers": settings.bootstrap_servers,
        "client_id": settings.client_id,
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
        "session_timeout_ms": settings.session_timeout_ms,
        "heartbeat_interval_ms": max(settings.session_timeout_ms // 3, 500),
        "max_poll_interval_ms": settings.max_poll_interval_ms,
        "max_poll_records": settings.batch_size,
    }


def dead_letter_topic(topic: str) -> str:
    return topic + DEAD_LETTER_SUFFIX


def quiet_client_logs() -> None:
    """Rate-limit the warnings and errors the Kafka client library logs itself (a lost broker makes it
    log dozens of connection errors a second): one line per message per interval, with a count."""
    for name in [n for n in logging.root.manager.loggerDict if n == "aiokafka" or n.startswith("aiokafka.")]:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RateLimitFilter) for f in logger.filters):
            logger.addFilter(RateLimitFilter())


class KafkaPublisher:
    """The outbox relay's publisher: returns once the broker acknowledged every envelope (acks=all)."""

    def __init__(
        self,
        settings: KafkaSettings,
        *,
        connection: ConnectionLog | None = None,
        partitions: Mapping[str, int] = PARTITIONS,
    ) -> None:
        """`partitions`: the topics created, each with its partition count, before the first send."""
        self._settings = settings
        self._partitions = partitions
        self._producer: AIOKafkaProducer | None = None
        self._connection = connection or ConnectionLog("publisher")
        quiet_client_logs()

    async def start(self) -> None:
        if self._producer is None:
            producer = AIOKafkaProducer(**producer_config(self._settings))
            try:
                # Before the first send, which would have the broker auto-create a topic with its default count.
                await ensure_topics(self._settings, self._partitions, partitions=self._partitions)
                await producer.start()
            except KafkaError as exc:
                self._connection.failed(exc)
                raise
            self._producer = producer

    async def stop(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            await producer.stop()

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        await self.start()
        assert self._producer is not None
        try:
            pending = [
                await self._producer.send(
                    envelope.topic,
                    value=envelope.data,
                    key=envelope.key.encode(),
                    headers=envelope.kafka_headers(),
                )
                for envelope in envelopes
            ]
            await asyncio.gather(*pending)
        except KafkaError as exc:
            # A producer that lost its broker may hold a stale idempotence state: start afresh.
            self._connection.failed(exc)
            await self.stop()
            raise
        self._connection.succeeded()

    async def send_raw(
        self, topic: str, *, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        await self.start()
        assert self._producer is not None
        await self._producer.send_and_wait(topic, value=value, key=key, headers=headers)


class KafkaDeadLetters:
    """Copies an unhandleable record to `<topic>.dlq`, unchanged, with the reason in `dlq_*` headers."""

    def __init__(self, publisher: KafkaPublisher) -> None:
        self._publisher = publisher

    async def send(self, letter: DeadLetter) -> None:
        reason_headers = [
            ("dlq_consumer", letter.consumer.encode()),
            ("dlq_reason", letter.reason.encode()[:4000]),
            ("dlq_attempts", str(letter.attempts).encode()),
        ]
        if letter.envelope is not None:
            original = letter.envelope
            await self._publisher.send_raw(
                dead_letter_topic(original.topic),
                key=original.key.encode(),
                value=original.data,
                headers=original.kafka_headers() + reason_headers,
            )
        elif letter.undecodable is not None:
            bad = letter.undecodable
            await self._publisher.send_raw(
                dead_letter_topic(bad.topic),
                key=bad.key,
                value=bad.value,
                headers=[*bad.headers, *reason_headers],
            )


def decode(record: Any) -> Envelope | Undecodable:
    try:
        return Envelope.from_kafka(record)
    except MalformedEnvelope as bad:
        return Undecodable(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value,
            headers=tuple(record.headers or ()),
            reason=str(bad),
        )


class KafkaInboxConsumer:
    """Feeds a consumer group's records to an InboxProcessor; commits offsets only after the database."""

    def __init__(
        self,
        *,
        processor: InboxProcessor,
        settings: KafkaSettings,
        group_id: str,
        sweep_every: float = 1.0,
        connection: ConnectionLog | None = None,
    ) -> None:
        self._processor = processor
        self._settings = settings
        self._group_id = group_id
        self._sweep_every = sweep_every  # seconds between looks for parked events that are due
        self._connection = connection or ConnectionLog(
            "consumer", failure="consumer restarting", recovery="consumer connected again"
        )
        self._live: AIOKafkaConsumer | None = None
        quiet_client_logs()

    async def lag(self) -> dict[tuple[str, int], int]:
        """Records after the group's committed offset, per assigned partition; empty while not connected.

        Asks the broker (end offsets, committed offsets), so it is right even while a handler is busy.
        """
        consumer = self._live
        if consumer is None or not (assigned := sorted(consumer.assignment())):
            return {}
        ends = await consumer.end_offsets(assigned)
        lag = {}
        for partition in assigned:
            committed = await consumer.committed(partition)
            if committed is None:
                committed = (await consumer.beginning_offsets([partition]))[partition]
            lag[(partition.topic, partition.partition)] = max(ends[partition] - committed, 0)
        return lag

    async def run(self) -> None:
        """Consume until cancelled, reconnecting after broker or database outages."""
        backoff = 0.2
        while True:
            consumer = AIOKafkaConsumer(
                *self._processor.topics, **consumer_config(self._settings, self._group_id)
            )
            try:
                await ensure_topics(self._settings, self._processor.topics)
                await consumer.start()
                self._connection.succeeded()
                backoff = 0.2
                self._live = consumer
                await self._consume(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._connection.failed(exc, group=self._group_id, retry_in=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                self._live = None
                await asyncio.shield(consumer.stop())

    async def _consume(self, consumer: AIOKafkaConsumer) -> None:
        loop = asyncio.get_running_loop()
        swept = loop.time()
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=self._settings.batch_size)
            if batches:
                await self._process_poll(consumer, batches)
            if loop.time() - swept >= self._sweep_every:
                # Parked events live in the database, not at an offset: a failure here restarts the loop.
                while await self._processor.retry_deferred() >= self._processor.deferral.batch_size:
                    pass
                swept = loop.time()

    async def _process_poll(
        self, consumer: AIOKafkaConsumer, batches: dict[TopicPartition, list[Any]]
    ) -> None:
        """Everything one poll returned, from all the partitions it came from, in one transaction: each
        partition's records stay in their order, and a topic of many partitions, each with a few records,
        costs one commit rather than one per partition."""
        items = [decode(record) for records in batches.values() for record in records]
        backoff = 0.2
        while True:
            try:
                await self._processor.process(items)
                break
            except Exception as exc:
                if not is_infrastructure_failure(exc):
                    raise
                log.warning(
                    "batch not processed; retrying", group=self._group_id, error=repr(exc), retry_in=backoff
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
        await self.commit(
            consumer, {partition: records[-1].offset + 1 for partition, records in batches.items()}
        )

    async def commit(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        """After the database commit. If this fails the batch is redelivered, and the inbox absorbs it.

        A partition that moved to another instance of the service while its batch was processed (one joined
        or left the group) refuses the commit: its new owner starts from the last committed offset and finds
        the batch in the inbox, so this instance carries on with the partitions it still has.
        """
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as moved:
            log.info(
                "offsets not committed: the partition was reassigned", group=self._group_id, error=repr(moved)
            )
