"""Scale-out: two processes of the payments consumer share a topic's partitions; one is SIGKILLed mid-stream,
the other takes its partitions over, and every approval becomes its entitlements exactly once."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import GroupCoordinatorNotAvailableError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.eligibility.main import DEFINITION as ELIGIBILITY
from services.payments.main import DEFINITION as PAYMENTS
from shared.local.kafka import KafkaBroker
from shared.messaging.kafka import KafkaPublisher
from shared.messaging.topics import ensure_topics
from tests.chaos.payments_process import approvals_on
from tests.kit import as_delivered, case_approved, wait_for
from tests.kit.messaging import kafka_settings

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

APPROVALS = 1_200
PER_SEND = 40
PARTITIONS = 4
KILL_AFTER = APPROVALS // 4
REPO = Path(__file__).resolve().parents[2]


def start_instance(
    kafka: KafkaBroker, database: str, topic: str, group: str, name: str
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.chaos.payments_process",
            "--bootstrap",
            kafka.bootstrap_servers,
            "--database",
            database,
            "--topic",
            topic,
            "--group",
            group,
            "--instance",
            name,
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )


async def members(kafka: KafkaBroker, group: str) -> tuple[str, list[str]]:
    """The group's state and its members' client ids (none while a fresh broker makes its offsets topic)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        described = (await admin.describe_consumer_groups([group]))[0].to_object()["groups"][0]
    except GroupCoordinatorNotAvailableError:
        return "", []
    finally:
        await admin.close()
    return described["state"], sorted(member["client_id"] for member in described["members"])


async def settled(payments: AsyncEngine) -> tuple[int, int, int, dict[str, int]]:
    """Entitlements, the cases they are of, amount rows, and the inbox's rows by status."""
    async with payments.connect() as connection:
        entitlements, cases = (
            await connection.execute(text("SELECT count(*), count(DISTINCT case_id) FROM entitlements"))
        ).one()
        amounts = await connection.scalar(text("SELECT count(*) FROM entitlement_amounts"))
        statuses = (
            await connection.execute(text("SELECT status, count(*) FROM inbox GROUP BY status"))
        ).all()
    return entitlements, cases, amounts, {status: count for status, count in statuses}


async def test_the_survivor_takes_over_and_every_approval_is_entitled_once(
    migrated_database: Any, kafka: KafkaBroker, topic: str
) -> None:
    url = await migrated_database(PAYMENTS.migrations)
    payments = create_async_engine(url)
    settings = kafka_settings(kafka)
    await ensure_topics(settings, [topic], partitions={topic: PARTITIONS})
    group = f"payments-{topic}"
    contract = approvals_on(topic)
    approvals = [
        contract.model_validate(case_approved([uuid4()], on=date.today()).model_dump())
        for _ in range(APPROVALS)
    ]
    instances = {
        name: start_instance(kafka, url, topic, group, name) for name in ("payments-a", "payments-b")
    }
    publisher = KafkaPublisher(settings)

    async def stream() -> None:
        for first in range(0, APPROVALS, PER_SEND):
            await publisher.publish(
                [as_delivered(event, ELIGIBILITY.source) for event in approvals[first : first + PER_SEND]]
            )
            await asyncio.sleep(0.05)  # a stream of approvals, not one burst

    async def both_joined() -> bool:
        return await members(kafka, group) == ("Stable", ["payments-a", "payments-b"])

    async def entitled() -> int:
        return (await settled(payments))[0]

    try:
        await wait_for(both_joined, within=60, every=0.5)
        writing = asyncio.create_task(stream())
        await wait_for(lambda: _at_least(entitled, KILL_AFTER), within=60, every=0.1)
        assert not writing.done(), "the stream was to be still flowing when an instance dies"
        instances["payments-a"].send_signal(signal.SIGKILL)
        assert instances["payments-a"].wait(timeout=10) == -signal.SIGKILL
        await writing

        async def survivor_alone_and_done() -> bool:
            state, left = await members(kafka, group)
            return (state, left) == ("Stable", ["payments-b"]) and await entitled() == APPROVALS

        await wait_for(survivor_alone_and_done, within=90, every=0.5)
        await asyncio.sleep(2)  # a redelivery after the takeover would land now
        assert instances["payments-b"].poll() is None, "the survivor died"
    finally:
        for process in instances.values():
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        await publisher.stop()

    assert await settled(payments) == (APPROVALS, APPROVALS, APPROVALS, {"processed": APPROVALS})
    await payments.dispose()


async def _at_least(count: Any, threshold: int) -> bool:
    return bool(await count() >= threshold)
