"""Batch handlers against real PostgreSQL: a run of consecutive events of a batch handler's type is applied in
one call, in order, with other handlers' events in between applied in their place; one poisoned event is
dead-lettered alone and the rest applied; one that must wait is parked alone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.base import ContractRegistry, Event
from shared.db import UnitOfWork, session_factory
from shared.errors import NotYet
from shared.messaging.inbox import BatchHandler, InboxProcessor, LoggedDeadLetters
from shared.messaging.tables import deferred_events, inbox
from tests.kit import as_delivered, effects, item_recorded, prepare_database, record_effect

SOURCE = "/safetynet/test"


class ItemNoted(Event):
    topic: ClassVar[str] = "test.batch-notes.v1"
    type: Literal["ItemNoted"] = "ItemNoted"
    item: int

    def key(self) -> str:
        return f"item-{self.item % 7}"


class Recorder:
    """Writes a run's effects in one statement and remembers each run it was given."""

    def __init__(self, *, poisoned: int | None = None, waiting: int | None = None) -> None:
        self.runs: list[list[int]] = []
        self.poisoned, self.waiting = poisoned, waiting

    async def __call__(self, uow: UnitOfWork, events: Sequence[Event]) -> None:
        numbers = [event.item for event in events]  # type: ignore[attr-defined]
        self.runs.append(numbers)
        if self.poisoned in numbers:
            raise ValueError(f"item {self.poisoned} breaks the rules")
        if self.waiting in numbers:
            raise NotYet(f"item {self.waiting} waits for its prerequisite")
        await uow.session.execute(insert(effects), [{"item": n} for n in numbers])
        await uow.commit()


def processor(engine: AsyncEngine, recorder: Recorder, topic: str) -> InboxProcessor:
    contracts = ContractRegistry()
    contracts.register(item_recorded(topic))
    contracts.register(ItemNoted)
    return InboxProcessor(
        consumer="batch-test",
        source=SOURCE,
        sessions=session_factory(engine),
        handlers={"ItemRecorded": BatchHandler(recorder), "ItemNoted": record_effect},
        contracts=contracts,
        dead_letters=LoggedDeadLetters(),
        max_attempts=2,
    )


async def applied(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        return list(await connection.scalars(select(effects.c.item).order_by(effects.c.id)))


async def statuses(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(inbox.c.status, func.count()).group_by(inbox.c.status))
        return {status: count for status, count in rows.all()}


async def test_runs_of_one_type_go_in_one_call_in_order(new_database: Any, topic: str) -> None:
    engine = await prepare_database(await new_database())
    recorder = Recorder()
    recorded = item_recorded(topic)
    events = [recorded(item=1), recorded(item=2), ItemNoted(item=3), recorded(item=4), recorded(item=5)]  # type: ignore[call-arg]
    await processor(engine, recorder, topic).process([as_delivered(e, SOURCE) for e in events])
    assert recorder.runs == [[1, 2], [4, 5]]
    assert await applied(engine) == [1, 2, 3, 4, 5]
    assert await statuses(engine) == {"processed": 5}
    await processor(engine, recorder, topic).process([as_delivered(e, SOURCE) for e in events])  # redelivered
    assert await applied(engine) == [1, 2, 3, 4, 5] and recorder.runs == [[1, 2], [4, 5]]
    await engine.dispose()


async def test_a_poisoned_event_is_dead_lettered_alone_and_the_rest_applied(
    new_database: Any, topic: str
) -> None:
    engine = await prepare_database(await new_database())
    recorder = Recorder(poisoned=3)
    recorded = item_recorded(topic)
    batch = [as_delivered(recorded(item=n), SOURCE) for n in range(1, 6)]  # type: ignore[call-arg]
    await processor(engine, recorder, topic).process(batch)
    assert recorder.runs[0] == [1, 2, 3, 4, 5]  # the run first, then each event alone
    assert [run for run in recorder.runs[1:] if len(run) != 1] == []
    assert await applied(engine) == [1, 2, 4, 5]
    assert await statuses(engine) == {"processed": 4, "dead_lettered": 1}
    await engine.dispose()


async def test_an_event_that_must_wait_is_parked_alone(new_database: Any, topic: str) -> None:
    engine = await prepare_database(await new_database())
    recorded = item_recorded(topic)
    batch = [as_delivered(recorded(item=n), SOURCE) for n in range(1, 4)]  # type: ignore[call-arg]
    await processor(engine, Recorder(waiting=2), topic).process(batch)
    assert await applied(engine) == [1, 3]
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(deferred_events)) == 1
    assert await statuses(engine) == {"processed": 2}
    await engine.dispose()
