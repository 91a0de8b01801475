"""Typed retries at the inbox, against real PostgreSQL and the real Kafka broker: "not yet" parks an event
without blocking other keys, a parked event past its bound is dead-lettered with its reason, a broken rule
or body is dead-lettered at once; the bounds are each service's settings."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from safetynet.catalog import SERVICES
from shared.contracts.base import Event
from shared.db import UnitOfWork, session_factory
from shared.errors import FieldIssue, InvalidInput, NotYet
from shared.local.kafka import KafkaBroker
from shared.messaging.bus import InProcessBus
from shared.messaging.envelope import Envelope
from shared.messaging.inbox import DeadLetter, DeferralPolicy, Handler, InboxProcessor
from shared.messaging.kafka import (
    KafkaDeadLetters,
    KafkaInboxConsumer,
    KafkaPublisher,
    dead_letter_topic,
    producer_config,
)
from shared.messaging.tables import deferred_events, inbox
from shared.pii import generate_pii_settings
from shared.service import ServiceRuntime
from tests.kit import effect_counts, item_recorded, prepare_database, record_effect, registry_for, wait_for
from tests.kit.messaging import kafka_settings, raw_records

QUICK = DeferralPolicy(
    give_up_after=timedelta(seconds=2),
    first_retry=timedelta(milliseconds=200),
    longest_wait=timedelta(seconds=1),
)


def envelope(event: Event, body: bytes | None = None) -> Envelope:
    return Envelope(
        id=event.event_id,
        type=event.event_type(),
        source="/t",
        time=event.occurred_at,
        subject=event.key(),
        topic=event.topic,
        key=event.key(),
        data=body or json.dumps(event.body()).encode(),
    )


async def send(kafka: KafkaBroker, *items: Envelope) -> None:
    producer = AIOKafkaProducer(**producer_config(kafka_settings(kafka)))
    await producer.start()
    try:
        for item in items:
            await producer.send_and_wait(
                item.topic, item.data, key=item.key.encode(), headers=item.kafka_headers()
            )
    finally:
        await producer.stop()


def processor(
    engine: AsyncEngine, contract: type[Event], handler: Handler, dead_letters: Any, **options: Any
) -> InboxProcessor:
    return InboxProcessor(
        consumer="deferring",
        source="/safetynet/test",
        sessions=session_factory(engine),
        handlers={"ItemRecorded": handler},
        contracts=registry_for(contract),
        dead_letters=dead_letters,
        **options,
    )


@asynccontextmanager
async def consuming(kafka: KafkaBroker, inbox_processor: InboxProcessor, group: str) -> AsyncIterator[None]:
    task = asyncio.create_task(
        KafkaInboxConsumer(
            processor=inbox_processor, settings=kafka_settings(kafka), group_id=group, sweep_every=0.2
        ).run()
    )
    try:
        yield
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def count(engine: AsyncEngine, query: Any) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(query) or 0)


def parked(engine: AsyncEngine) -> Awaitable[int]:
    return count(engine, select(func.count()).select_from(deferred_events))


def waiting_for(gate: set[int]) -> Callable[[UnitOfWork, Event], Awaitable[None]]:
    async def handle(uow: UnitOfWork, event: Event) -> None:
        item = event.item  # type: ignore[attr-defined]
        if item in gate:
            raise NotYet(f"item {item} waits for its case")
        await record_effect(uow, event)

    return handle


async def test_a_not_yet_event_is_parked_without_blocking_other_keys_and_applied_later(
    new_database: Any, kafka: KafkaBroker, topic: str
) -> None:
    engine = await prepare_database(await new_database())
    contract = item_recorded(topic)
    gate = {13}  # item 13 (key item-6) waits; items 1 and 2 are other keys
    publisher = KafkaPublisher(kafka_settings(kafka))
    inbox_processor = processor(
        engine, contract, waiting_for(gate), KafkaDeadLetters(publisher), deferral=QUICK
    )
    events = [contract(item=n) for n in (13, 1, 2)]  # type: ignore[call-arg]
    await send(kafka, *map(envelope, events))
    try:
        async with consuming(kafka, inbox_processor, f"g-{topic}"):
            await wait_for(lambda: _is(effect_counts(engine), (2, 2)), within=30)
            assert await parked(engine) == 1
            gate.clear()  # what 13 waited for has come: the next sweep applies it
            await wait_for(lambda: _is(effect_counts(engine), (3, 3)), within=30)
            await wait_for(lambda: _is(parked(engine), 0))
        await send(kafka, envelope(events[0]))  # redelivered after it was applied: a no-op
        async with consuming(kafka, inbox_processor, f"g-{topic}"):
            await asyncio.sleep(2)
    finally:
        await publisher.stop()
    assert await effect_counts(engine) == (3, 3)
    statuses = select(func.count()).select_from(inbox).where(inbox.c.status == "processed")
    assert await count(engine, statuses) == 3
    assert await raw_records(kafka, dead_letter_topic(topic), 0) == []
    await engine.dispose()


async def _is(value: Awaitable[Any], expected: Any) -> bool:
    return bool(await value == expected)


async def test_an_event_still_not_ready_past_the_bound_is_dead_lettered_with_its_reason(
    new_database: Any, kafka: KafkaBroker, topic: str
) -> None:
    engine = await prepare_database(await new_database())
    contract = item_recorded(topic)
    publisher = KafkaPublisher(kafka_settings(kafka))
    inbox_processor = processor(
        engine, contract, waiting_for({13}), KafkaDeadLetters(publisher), deferral=QUICK
    )
    await send(kafka, envelope(contract(item=13)), envelope(contract(item=1)))  # type: ignore[call-arg]
    try:
        async with consuming(kafka, inbox_processor, f"g-{topic}"):
            dead = await raw_records(kafka, dead_letter_topic(topic), 1)
    finally:
        await publisher.stop()
    assert len(dead) == 1
    headers = dict(dead[0].headers)
    reason = headers["dlq_reason"].decode()
    assert "not yet after 0:00:02" in reason and "item 13 waits for its case" in reason
    assert int(headers["dlq_attempts"]) >= 2  # parked, then tried again with backoff until the bound
    assert await effect_counts(engine) == (1, 1)
    assert await parked(engine) == 0
    async with engine.connect() as connection:
        error = await connection.scalar(select(inbox.c.error).where(inbox.c.status == "dead_lettered"))
    assert error == reason
    await engine.dispose()


async def test_malformed_and_rule_breaking_events_are_dead_lettered_at_once(
    new_database: Any, kafka: KafkaBroker, topic: str
) -> None:
    engine = await prepare_database(await new_database())
    contract = item_recorded(topic)
    calls: list[int] = []

    async def strict(uow: UnitOfWork, event: Event) -> None:
        calls.append(event.item)  # type: ignore[attr-defined]
        if event.item < 0:  # type: ignore[attr-defined]
            raise InvalidInput("items are counted", errors=[FieldIssue("item", "non_negative", "below zero")])
        await record_effect(uow, event)

    publisher = KafkaPublisher(kafka_settings(kafka))
    inbox_processor = processor(engine, contract, strict, KafkaDeadLetters(publisher), deferral=QUICK)
    malformed = envelope(contract(item=5), body=b'{"type":"ItemRecorded","item":"five"}')  # type: ignore[call-arg]
    await send(kafka, malformed, envelope(contract(item=-1)), envelope(contract(item=2)))  # type: ignore[call-arg]
    try:
        async with consuming(kafka, inbox_processor, f"g-{topic}"):
            dead = await raw_records(kafka, dead_letter_topic(topic), 2)
    finally:
        await publisher.stop()
    letters = {record.value: dict(record.headers) for record in dead}
    assert len(letters) == 2
    invalid = letters[malformed.data]
    assert invalid["dlq_attempts"] == b"1" and invalid["dlq_reason"].startswith(b"invalid ItemRecorded")
    broken = next(headers for body, headers in letters.items() if body != malformed.data)
    assert broken["dlq_attempts"] == b"1"
    assert broken["dlq_reason"] == b"rule broken: items are counted (item: non_negative)"
    assert calls.count(-1) == 2  # the batch pass, then one isolated run: no retries
    assert await effect_counts(engine) == (1, 1)
    assert await parked(engine) == 0
    await engine.dispose()


async def test_redelivering_a_parked_event_does_not_park_it_twice(new_database: Any, topic: str) -> None:
    engine = await prepare_database(await new_database())
    contract = item_recorded(topic)
    gate = {13}
    letters: list[DeadLetter] = []

    class Collect:
        async def send(self, letter: DeadLetter) -> None:
            letters.append(letter)

    inbox_processor = processor(engine, contract, waiting_for(gate), Collect(), deferral=QUICK)
    late = envelope(contract(item=13))  # type: ignore[call-arg]
    await inbox_processor.process([late])
    await inbox_processor.process([late])
    async with engine.connect() as connection:
        rows = (await connection.execute(select(deferred_events.c.attempts))).all()
    assert [row.attempts for row in rows] == [1]
    gate.clear()
    await inbox_processor.process([envelope(contract(item=20))])  # type: ignore[call-arg]  # key item-6, as 13's
    assert await parked(engine) == 0 and await effect_counts(engine) == (2, 2)
    await inbox_processor.process([late])  # already processed: a no-op
    assert await effect_counts(engine) == (2, 2) and letters == []
    await engine.dispose()


def test_each_service_takes_its_deferral_bounds_from_its_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYMENTS_DEFERRAL__GIVE_UP_AFTER_MINUTES", "90")
    monkeypatch.setenv("PAYMENTS_DEFERRAL__FIRST_RETRY_SECONDS", "2")
    monkeypatch.setenv("PAYMENTS_DEFERRAL__LONGEST_WAIT_SECONDS", "60")
    entry = SERVICES["payments"]
    settings = entry.settings.model_validate(
        {
            "environment": "development",
            "bus": "in-process",
            "database": {"url": "postgresql+asyncpg://u:p@127.0.0.1:1/payments"},
            "auth": {"public_key_file": "/dev/null"},
            "pii": generate_pii_settings(),
        }
    )
    runtime = ServiceRuntime(entry.definition, settings, bus=InProcessBus())
    assert runtime.processor is not None
    assert runtime.processor.deferral == DeferralPolicy(
        give_up_after=timedelta(minutes=90),
        first_retry=timedelta(seconds=2),
        longest_wait=timedelta(minutes=1),
    )

    monkeypatch.setenv("PAYMENTS_DEFERRAL__LONGEST_WAIT_SECONDS", "1")
    with pytest.raises(ValidationError, match="longest_wait_seconds must be at least first_retry_seconds"):
        entry.settings.model_validate(
            {"database": {"url": "postgresql+asyncpg://h/p"}, "auth": {"jwks_url": "x"}}
        )
    monkeypatch.setenv("PAYMENTS_DEFERRAL__GIVE_UP_AFTER_MINUTES", "0")
    with pytest.raises(ValidationError, match="give_up_after_minutes"):
        entry.settings.model_validate(
            {"database": {"url": "postgresql+asyncpg://h/p"}, "auth": {"jwks_url": "x"}}
        )
