"""Through the real Kafka broker: eligibility's events on `eligibility.case.v1` build the placement queue in
the right order, and a second consumer group replaying the topic from offset 0 leaves it as it is."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.eligibility.main import DEFINITION as ELIGIBILITY
from services.facilities.consumers import HANDLERS
from services.facilities.main import DEFINITION
from services.facilities.service import placements as placement_service
from shared.auth import Principal, Role
from shared.contracts.catalogue import registry
from shared.db import session_factory
from shared.local.kafka import KafkaBroker
from shared.messaging.inbox import InboxProcessor
from shared.messaging.kafka import KafkaDeadLetters, KafkaInboxConsumer, KafkaPublisher
from tests.facilities.conftest import Facilities, approved, assessed, chose
from tests.kit import as_delivered, wait_for
from tests.kit.messaging import kafka_settings

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

# A district of its own: other tests publish to the same topic on the session's broker.
HERE = "500155"
READER = Principal(subject="auditor-1", roles=frozenset({Role.auditor}), city_wide=True)


async def consume(facilities: Facilities, kafka: KafkaBroker, consumer: str, until: Any) -> None:
    settings = kafka_settings(kafka)
    publisher = KafkaPublisher(settings)
    processor = InboxProcessor(
        consumer=consumer,
        source=DEFINITION.source,
        sessions=session_factory(facilities.engine),
        handlers=HANDLERS,
        contracts=registry,
        dead_letters=KafkaDeadLetters(publisher),
    )
    running = asyncio.create_task(
        KafkaInboxConsumer(
            processor=processor, settings=settings, group_id=f"{consumer}-{uuid4().hex[:8]}"
        ).run()
    )
    try:
        await wait_for(until, within=60)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await publisher.stop()


async def test_eligibilitys_events_through_kafka_build_the_queue_in_order(
    facilities: Facilities, kafka: KafkaBroker
) -> None:
    levels = ["self_caring", "full_care", "half_care", "full_care"]
    persons = [uuid4() for _ in levels]
    events: list[Any] = []
    for day, (person, level) in enumerate(zip(persons, levels, strict=True), start=1):
        case = approved([person], on=date(2026, 1, 5), district=HERE)
        events += [
            case,
            assessed(case, person, level, date(2026, 1, 6)),
            chose(case, person, level, date(2026, 2, day)),
        ]
    publisher = KafkaPublisher(kafka_settings(kafka))
    try:
        await publisher.publish([as_delivered(e, ELIGIBILITY.source) for e in events])
    finally:
        await publisher.stop()

    async def queue() -> list[UUID]:
        rows = await placement_service.queue(
            facilities.new_uow(), READER, district_code=HERE, limit=10, offset=0
        )
        return [r.person_id for r in rows]

    async def all_queued() -> bool:
        return len(await queue()) == len(persons)

    await consume(facilities, kafka, "facilities", all_queued)
    first = await queue()
    assert first == [persons[1], persons[3], persons[2], persons[0]]
    requests = await facilities.rows(
        "SELECT * FROM placement_requests WHERE district_code = :d ORDER BY id", d=HERE
    )

    async def replayed() -> bool:
        done = await facilities.rows(
            "SELECT count(*) FROM inbox WHERE consumer = 'facilities-replay' AND event_id = ANY(:ids)",
            ids=[e.event_id for e in events],
        )
        return bool(done[0][0] == len(events))

    await consume(facilities, kafka, "facilities-replay", replayed)
    assert await queue() == first
    assert (
        await facilities.rows("SELECT * FROM placement_requests WHERE district_code = :d ORDER BY id", d=HERE)
        == requests
    )
