"""Insurance enrols a run of approvals at once (a batch handler): the same approvals delivered in a run or one
by one leave the same cover windows, the same roster entries and the same announcements; a redelivered run
changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.eligibility.main import DEFINITION as ELIGIBILITY
from services.insurance.consumers import HANDLERS
from services.insurance.main import DEFINITION as INSURANCE
from services.insurance.service.terms import seed_terms
from shared.clock import FixedClock
from shared.contracts.base import Event
from shared.contracts.catalogue import registry
from shared.db import UnitOfWork, session_factory
from shared.messaging.inbox import InboxProcessor, LoggedDeadLetters
from tests.kit import as_delivered
from tests.kit.payments import approval

QUERIES = (
    "SELECT case_id, person_id, cover_start, cover_end, categories FROM beneficiaries ORDER BY 1, 2",
    "SELECT person_id, policy_year, cover_from, cover_until, categories FROM roster_entries ORDER BY 1, 2",
    "SELECT type, key FROM outbox WHERE topic = 'insurance.enrollment.v1' ORDER BY 2, 1",
    "SELECT count(*) FROM inbox WHERE status = 'processed'",
)


async def settle(url: str, batches: list[list[Event]]) -> tuple[Sequence[Any], ...]:
    engine = create_async_engine(url)
    sessions = session_factory(engine)
    await seed_terms(UnitOfWork(sessions, source=INSURANCE.source), clock=FixedClock(date(2026, 12, 3)))
    processor = InboxProcessor(
        consumer=INSURANCE.name,
        source=INSURANCE.source,
        sessions=sessions,
        handlers=HANDLERS,
        contracts=registry,
        dead_letters=LoggedDeadLetters(),
    )
    try:
        for batch in batches:
            await processor.process([as_delivered(event, ELIGIBILITY.source) for event in batch])
        async with engine.connect() as connection:
            return tuple([(await connection.execute(text(query))).all() for query in QUERIES])
    finally:
        await engine.dispose()


async def test_a_run_of_approvals_enrols_as_the_approvals_one_by_one(migrated_database: Any) -> None:
    approvals: list[Event] = [approval(n) for n in (2, 1, 3)]
    in_a_run = await settle(await migrated_database(INSURANCE.migrations), [approvals, approvals])
    one_by_one = await settle(await migrated_database(INSURANCE.migrations), [[event] for event in approvals])
    assert in_a_run == one_by_one
    windows, entries, announced, processed = in_a_run
    assert len(windows) == len(entries) == len(announced) == 6
    assert {row.cover_from for row in entries} == {date(2026, 12, 1)}
    assert processed == [(3,)]
