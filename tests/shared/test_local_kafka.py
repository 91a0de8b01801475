"""The local broker starts, keeps acknowledged messages across a SIGKILL and restarts on its port."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.local import kafka as local_kafka

TOPIC = "local-kafka.test.v1"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("kafka")
    yield home
    local_kafka.stop(home, kill=True)


async def _create_topic(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(TOPIC, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()


async def _produce(bootstrap: str, key: bytes, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(TOPIC, value, key=key)
    finally:
        await producer.stop()


async def _consume(bootstrap: str, group: str, count: int) -> list[bytes]:
    """Read `count` messages as consumer group `group`, then commit what was read."""
    consumer = AIOKafkaConsumer(
        TOPIC,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        values: list[bytes] = []
        async with asyncio.timeout(30):
            while len(values) < count:
                batches = await consumer.getmany(timeout_ms=500)
                values += [record.value for records in batches.values() for record in records]
        await consumer.commit()
        return values
    finally:
        await consumer.stop()


async def _committed(bootstrap: str, group: str) -> int | None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        offset: int | None = await consumer.committed(TopicPartition(TOPIC, 0))
        return offset
    finally:
        await consumer.stop()


def test_a_pid_file_naming_another_process_is_neither_reported_nor_signalled(tmp_path: Path) -> None:
    assert local_kafka.status(tmp_path) is None
    (tmp_path / local_kafka.PID_FILE).write_text(f"{os.getpid()}\n")
    (tmp_path / local_kafka.PORTS_FILE).write_text('{"port": 1, "controller_port": 2}\n')
    assert local_kafka.status(tmp_path) is None
    local_kafka.stop(tmp_path, kill=True)  # must not kill this test process
    assert not (tmp_path / local_kafka.PID_FILE).exists()


@pytest.mark.kafka
async def test_acknowledged_messages_survive_sigkill_and_restart_on_the_same_port(home: Path) -> None:
    broker = await asyncio.to_thread(local_kafka.start, home)
    assert local_kafka.status(home) == broker
    assert await asyncio.to_thread(local_kafka.start, home) == broker, (
        "a second start returns the running one"
    )

    await _create_topic(broker.bootstrap_servers)
    await _produce(broker.bootstrap_servers, b"case-1", b"before")
    assert await _consume(broker.bootstrap_servers, "readers", 1) == [b"before"]

    await asyncio.to_thread(local_kafka.stop, home, kill=True)
    assert local_kafka.status(home) is None

    restarted = await asyncio.to_thread(local_kafka.start, home, port=broker.port)
    assert (restarted.port, restarted.controller_port) == (broker.port, broker.controller_port)
    assert restarted.pid != broker.pid
    assert await _committed(restarted.bootstrap_servers, "readers") == 1
    assert await _consume(restarted.bootstrap_servers, "replayers", 1) == [b"before"]

    # A kill from outside leaves the PID file behind; it must not block the next start.
    # Started at once, while the killed JVM may still be dying.
    os.kill(restarted.pid, signal.SIGKILL)
    assert (home / local_kafka.PID_FILE).read_text().strip() == str(restarted.pid)
    again = await asyncio.to_thread(local_kafka.start, home, port=broker.port)
    assert again.pid not in (broker.pid, restarted.pid)
    await _produce(again.bootstrap_servers, b"case-1", b"after")
    assert await _consume(again.bootstrap_servers, "readers", 1) == [b"after"]

    await asyncio.to_thread(local_kafka.stop, home)
    assert local_kafka.status(home) is None
    assert not (home / local_kafka.PID_FILE).exists()
