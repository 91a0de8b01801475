"""Helpers for messaging tests: Kafka settings, writing items with their events, reading a topic."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts.base import Event
from shared.db import UnitOfWork
from shared.local.kafka import KafkaBroker
from shared.settings import KafkaSettings


async def write_items(
    sessions: async_sessionmaker[AsyncSession], contract: type[Event], numbers: Sequence[int]
) -> None:
    uow = UnitOfWork(sessions, source="/safetynet/test")
    async with uow:
        for number in numbers:
            await uow.session.execute(text("INSERT INTO items (item) VALUES (:n)"), {"n": number})
            uow.emit(contract(item=number))  # type: ignore[call-arg]
        await uow.commit()


async def raw_records(kafka: KafkaBroker, topic: str, expected: int) -> list[Any]:
    """Every record on `topic` read from offset 0 by a throwaway reader (expects at least `expected`)."""
    reader = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await reader.start()
    records: list[Any] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while loop.time() < deadline:
            batch = await reader.getmany(timeout_ms=500)
            records += [record for part in batch.values() for record in part]
            if len(records) >= expected and not batch:
                break
    finally:
        await reader.stop()
    return records


def kafka_settings(kafka: KafkaBroker) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=kafka.bootstrap_servers, session_timeout_ms=6_000)
