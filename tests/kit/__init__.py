"""Test scaffolding every service's tests share: a transaction rolled back per test, a contract of our own, a
consumer's effects table, polling."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import date
from typing import Any, ClassVar, Literal
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import Column, Integer, MetaData, Table, Text, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine

from shared.contracts.base import ContractRegistry, Event
from shared.contracts.eligibility import ApprovedBeneficiary, CaseApproved
from shared.contracts.types import CareLevel, YearMonth
from shared.db import UnitOfWork, session_factory
from shared.messaging.envelope import Envelope
from shared.messaging.inbox import DeadLetterSink, Handler, InboxProcessor, LoggedDeadLetters
from shared.messaging.metrics import ConsumerMetrics
from shared.messaging.outbox import OutboxRelay, Publisher
from shared.messaging.tables import metadata as messaging_metadata
from shared.settings import OutboxSettings

test_metadata = MetaData()

# Deliberately without a unique key: a duplicate delivery would show up as an extra row.
effects = Table(
    "effects", test_metadata, Column("id", Integer, primary_key=True), Column("item", Integer, nullable=False)
)
items = Table("items", test_metadata, Column("item", Integer, primary_key=True), Column("note", Text))


def item_recorded(topic: str) -> type[Event]:
    """A contract on a per-test topic, registered in a registry of the test's own."""

    class ItemRecorded(Event):
        topic: ClassVar[str]
        type: Literal["ItemRecorded"] = "ItemRecorded"
        item: int

        def key(self) -> str:
            return f"item-{self.item % 7}"

    ItemRecorded.topic = topic
    return ItemRecorded


def registry_for(contract: type[Event]) -> ContractRegistry:
    registry = ContractRegistry()
    registry.register(contract)
    return registry


async def record_effect(uow: UnitOfWork, event: Event) -> None:
    await uow.session.execute(insert(effects).values(item=event.item))  # type: ignore[attr-defined]
    await uow.commit()


async def record_effects(uow: UnitOfWork, events: Sequence[Event]) -> None:
    """`record_effect` for a run of events at once: one statement (a batch handler)."""
    await uow.session.execute(insert(effects), [{"item": event.item} for event in events])  # type: ignore[attr-defined]
    await uow.commit()


def processor_for(
    engine: AsyncEngine,
    contract: type[Event],
    *,
    consumer: str,
    handler: Handler = record_effect,
    dead_letters: DeadLetterSink | None = None,
    metrics: ConsumerMetrics | None = None,
) -> InboxProcessor:
    """An inbox processor of `contract` writing into `engine`'s database."""
    return InboxProcessor(
        consumer=consumer,
        source="/safetynet/test",
        sessions=session_factory(engine),
        handlers={"ItemRecorded": handler},
        contracts=registry_for(contract),
        dead_letters=dead_letters or LoggedDeadLetters(),
        metrics=metrics,
    )


def relay_for(
    engine: AsyncEngine, publisher: Publisher, *, relay: type[OutboxRelay] = OutboxRelay, **settings: Any
) -> OutboxRelay:
    return relay(
        engine=engine,
        sessions=session_factory(engine),
        publisher=publisher,
        settings=OutboxSettings(**settings),
        name="test",
    )


class RolledBack:
    """Use cases on a connection inside the test's transaction (the `rolled_back` fixture): each unit of work
    commits to a savepoint, as it commits in production, and the test's end rolls everything back."""

    def __init__(self, connection: AsyncConnection, source: str) -> None:
        self.connection = connection
        self.sessions = async_sessionmaker(
            bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
        )
        self._source = source

    def new_uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, source=self._source)


def as_delivered(event: Event, source: str) -> Envelope:
    """`event` as the relay of the service at `source` delivers it: same id, same time, its own key."""
    return Envelope(
        id=event.event_id,
        type=event.event_type(),
        source=source,
        time=event.occurred_at,
        subject=event.subject(),
        topic=event.topic,
        key=event.key(),
        data=json.dumps(event.body()).encode(),
    )


async def prepare_database(url: str) -> AsyncEngine:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(messaging_metadata.create_all)
        await connection.run_sync(test_metadata.create_all)
    return engine


async def effect_counts(engine: AsyncEngine) -> tuple[int, int]:
    """(rows, distinct items) in the consumer's effects table."""
    async with engine.connect() as connection:
        row = (await connection.execute(select(func.count(), func.count(effects.c.item.distinct())))).one()
    return int(row[0]), int(row[1])


async def wait_for(
    condition: Callable[[], Awaitable[bool]], *, within: float = 60.0, every: float = 0.1
) -> None:
    """Poll until `condition` holds; fails the test with a clear message when it never does."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await condition():
        if loop.time() > deadline:
            pytest.fail(f"condition not met within {within}s")
        await asyncio.sleep(every)


async def topic_records(
    bootstrap_servers: str,
    topic: str,
    *,
    keys: Collection[str] | None = None,
    at_least: int = 0,
    within: float = 60.0,
) -> list[Envelope]:
    """Every record of `topic` from the beginning (only those keyed by one of `keys`, if given), read until
    the topic goes quiet with at least `at_least` found: what a subscriber reading from the start receives."""
    reader = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap_servers, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await reader.start()
    try:
        found: list[Envelope] = []
        async with asyncio.timeout(within):
            while True:
                batch = await reader.getmany(timeout_ms=1_500)
                found += [
                    Envelope.from_kafka(record)
                    for records in batch.values()
                    for record in records
                    if keys is None or record.key.decode() in keys
                ]
                if not batch and len(found) >= at_least:
                    return found
    finally:
        await reader.stop()


def case_approved(
    persons: Sequence[UUID],
    *,
    on: date,
    program: str = "dibao",
    district: str = "500103",
    amount: int = 40_000,
    household_id: UUID | None = None,
    care_level: CareLevel | None = None,
) -> CaseApproved:
    """A case covering `persons` at `amount` fen a month each, decided `on` and paid from the next month, as
    eligibility announces it."""
    return CaseApproved(
        case_id=uuid4(),
        household_id=household_id or uuid4(),
        program=program,
        district_code=district,
        start_month=YearMonth.of(on).next().label,
        beneficiaries=[
            ApprovedBeneficiary(
                person_id=person,
                base_fen=amount,
                add_on_fen=0,
                care_subsidy_fen=0,
                total_fen=amount,
                insurance_categories=[program],
                care_level=care_level,
            )
            for person in persons
        ],
        monthly_amount_fen=amount * len(persons),
        decided_on=on,
    )
