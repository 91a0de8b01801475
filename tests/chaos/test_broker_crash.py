"""No loss, no duplicates: 10,000 events through the outbox while the broker is SIGKILLed and restarted
and the consuming process dies once between its database commit and its offset commit."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from shared.db import session_factory
from shared.local import kafka as local_kafka
from shared.local.kafka import KafkaBroker
from shared.messaging.kafka import KafkaPublisher
from shared.messaging.tables import outbox
from shared.settings import KafkaSettings
from tests.kit import effect_counts, item_recorded, prepare_database, relay_for, wait_for
from tests.kit.messaging import write_items

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

EVENTS = 10_000
PER_TRANSACTION = 100
REPO = Path(__file__).resolve().parents[2]


def start_consumer(kafka: KafkaBroker, database: str, topic: str, marker: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.chaos.consumer_process",
            "--bootstrap",
            kafka.bootstrap_servers,
            "--database",
            database,
            "--topic",
            topic,
            "--crash-marker",
            str(marker),
            "--crash-after-offset",
            str(EVENTS // 2),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )


async def test_no_loss_no_duplicates_across_a_broker_crash_and_a_consumer_crash(
    new_database: Any, kafka: KafkaBroker, topic: str, tmp_path: Path
) -> None:
    producer_url, consumer_url = await new_database(), await new_database()
    producer_db = await prepare_database(producer_url)
    consumer_db = await prepare_database(consumer_url)
    contract = item_recorded(topic)
    sessions = session_factory(producer_db)
    marker = tmp_path / "consumer-crashed"

    async def sent() -> int:
        async with producer_db.connect() as connection:
            return int(
                await connection.scalar(
                    select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_not(None))
                )
                or 0
            )

    async def writer() -> None:
        for start in range(0, EVENTS, PER_TRANSACTION):
            await write_items(sessions, contract, range(start, start + PER_TRANSACTION))
            await asyncio.sleep(0.02)  # a stream of business transactions, not one burst

    publisher = KafkaPublisher(KafkaSettings(bootstrap_servers=kafka.bootstrap_servers))
    relay = relay_for(producer_db, publisher, batch_size=200, poll_interval_s=0.05)
    relay_task = asyncio.create_task(relay.run())
    writing = asyncio.create_task(writer())
    consumer = start_consumer(kafka, consumer_url, topic, marker)
    restarts = 0
    try:
        await wait_for(lambda: _at_least(sent, 3_000), within=120)
        old_pid = kafka.pid
        local_kafka.stop(kafka.home, kill=True)  # SIGKILL mid-stream
        await asyncio.sleep(2)
        restarted = local_kafka.start(kafka.home, port=kafka.port)
        assert restarted.pid != old_pid

        async def all_consumed() -> bool:
            nonlocal consumer, restarts
            if consumer.poll() is not None:
                assert consumer.returncode == -signal.SIGKILL, (
                    "the consumer died of something other than the planned kill"
                )
                restarts += 1
                consumer = start_consumer(kafka, consumer_url, topic, marker)
            return (await effect_counts(consumer_db))[1] == EVENTS

        await wait_for(all_consumed, within=300, every=0.5)
        await writing
        await asyncio.sleep(3)  # let any redelivery after the crash land before counting
    finally:
        relay_task.cancel()
        writing.cancel()
        consumer.terminate()
        consumer.wait(timeout=30)
        await publisher.stop()

    assert marker.exists() and restarts == 1, (
        "the consumer was to be killed exactly once before committing offsets"
    )
    assert await sent() == EVENTS
    assert await effect_counts(consumer_db) == (EVENTS, EVENTS)
    await producer_db.dispose()
    await consumer_db.dispose()


async def _at_least(count: Any, threshold: int) -> bool:
    return bool(await count() >= threshold)
