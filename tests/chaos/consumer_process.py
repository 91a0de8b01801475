"""A consumer process for the chaos test: it kills itself once, after a database commit but before
committing the Kafka offsets, the worst moment for an at-least-once consumer."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy.ext.asyncio import create_async_engine

from shared.messaging.kafka import KafkaDeadLetters, KafkaInboxConsumer, KafkaPublisher
from shared.settings import KafkaSettings
from tests.kit import item_recorded, processor_for


class DiesOnceBeforeCommittingOffsets(KafkaInboxConsumer):
    def __init__(self, *, crash_marker: Path, crash_after_offset: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._crash_marker = crash_marker
        self._crash_after_offset = crash_after_offset

    async def commit(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        if not self._crash_marker.exists() and max(offsets.values()) >= self._crash_after_offset:
            self._crash_marker.write_text(str(offsets))
            os.kill(os.getpid(), signal.SIGKILL)
        await super().commit(consumer, offsets)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--crash-marker", type=Path, required=True)
    parser.add_argument("--crash-after-offset", type=int, required=True)
    args = parser.parse_args()
    settings = KafkaSettings(bootstrap_servers=args.bootstrap, session_timeout_ms=6_000, batch_size=200)
    contract = item_recorded(args.topic)
    engine = create_async_engine(args.database)
    publisher = KafkaPublisher(settings)
    processor = processor_for(engine, contract, consumer="chaos", dead_letters=KafkaDeadLetters(publisher))
    consumer = DiesOnceBeforeCommittingOffsets(
        processor=processor,
        settings=settings,
        group_id=f"chaos-{args.topic}",
        crash_marker=args.crash_marker,
        crash_after_offset=args.crash_after_offset,
    )
    await consumer.run()


if __name__ == "__main__":
    asyncio.run(main())
