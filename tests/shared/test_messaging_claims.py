"""The inbox claims a batch before applying it: two instances of one consumer handed the same events at once (a
partition moving between replicas mid-batch) apply each event once, even where the effect has no business key."""

from __future__ import annotations

import asyncio
from typing import Any

from shared.contracts.base import Event
from shared.db import UnitOfWork
from tests.kit import (
    as_delivered,
    effect_counts,
    item_recorded,
    prepare_database,
    processor_for,
    record_effect,
)


async def test_a_batch_handed_to_two_instances_at_once_is_applied_once(new_database: Any, topic: str) -> None:
    engine = await prepare_database(await new_database())
    contract = item_recorded(topic)
    batch = [as_delivered(contract(item=n), "/safetynet/test") for n in range(20)]  # type: ignore[call-arg]
    first_applied, go_on = asyncio.Event(), asyncio.Event()

    async def slow_to_commit(uow: UnitOfWork, event: Event) -> None:
        await record_effect(uow, event)
        first_applied.set()
        await go_on.wait()  # the first instance holds its transaction open, its effects written

    first = processor_for(engine, contract, consumer="twice", handler=slow_to_commit)
    second = processor_for(engine, contract, consumer="twice")
    holding = asyncio.create_task(first.process(batch))
    await first_applied.wait()
    racing = asyncio.create_task(second.process(batch))
    await asyncio.sleep(0.5)
    assert not racing.done(), "the second instance waits on the first one's claims"
    go_on.set()
    await asyncio.gather(holding, racing)

    assert await effect_counts(engine) == (20, 20)
    await engine.dispose()
