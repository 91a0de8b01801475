"""The inbox rows of a delivered batch, written first: claiming an event is what lets one transaction, and only
one, apply it."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import bindparam, delete, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import BigInteger, Integer, Text, Uuid

from shared.messaging.tables import inbox

# One statement whatever the batch's size (arrays, not a VALUES list per row): one prepared statement, one
# round trip. An event this consumer has parked is not claimed: its parked copy speaks for it.
_CLAIM = text(
    """
    INSERT INTO inbox (consumer, event_id, type, topic, partition, "offset", status, error)
    SELECT :consumer, c.event_id, c.type, c.topic, c.partition, c.offset, c.status, c.error
    FROM unnest(:ids, :types, :topics, :partitions, :offsets, :statuses, :errors)
        AS c(event_id, type, topic, partition, "offset", status, error)
    WHERE NOT EXISTS (
        SELECT FROM deferred_events d WHERE d.consumer = :consumer AND d.event_id = c.event_id
    )
    ON CONFLICT DO NOTHING
    RETURNING event_id,
        EXISTS (SELECT FROM deferred_events d WHERE d.consumer = :consumer AND d.key = ANY(:keys)) AS waiting
    """
).bindparams(
    bindparam("ids", type_=ARRAY(Uuid)),
    bindparam("types", type_=ARRAY(Text)),
    bindparam("topics", type_=ARRAY(Text)),
    bindparam("partitions", type_=ARRAY(Integer)),
    bindparam("offsets", type_=ARRAY(BigInteger)),
    bindparam("statuses", type_=ARRAY(Text)),
    bindparam("errors", type_=ARRAY(Text)),
    bindparam("keys", type_=ARRAY(Text)),
)


async def claim(
    session: AsyncSession, consumer: str, records: Sequence[dict[str, object]], keys: Sequence[str]
) -> tuple[set[UUID], bool]:
    """Insert the inbox `records` not yet there (nor parked); returns the ids inserted, which this transaction
    alone now applies (a concurrent one inserting the same id waits for it, then skips the event), and whether
    events of `keys` are parked, waiting for what this batch may bring."""
    if not records:
        return set(), False
    rows = (
        await session.execute(
            _CLAIM,
            {
                "consumer": consumer,
                "ids": [r["event_id"] for r in records],
                "types": [r["type"] for r in records],
                "topics": [r["topic"] for r in records],
                "partitions": [r["partition"] for r in records],
                "offsets": [r["offset"] for r in records],
                "statuses": [r["status"] for r in records],
                "errors": [r["error"] for r in records],
                "keys": list(keys),
            },
        )
    ).all()
    return {row.event_id for row in rows}, any(row.waiting for row in rows)


async def amend(session: AsyncSession, consumer: str, record: dict[str, object]) -> None:
    """A claimed event settled otherwise than its claim said (it was dead-lettered)."""
    await session.execute(
        update(inbox)
        .where(inbox.c.consumer == consumer, inbox.c.event_id == record["event_id"])
        .values(status=record["status"], error=record["error"])
    )


async def release(session: AsyncSession, consumer: str, event_id: UUID) -> None:
    """A claimed event was parked: its parked copy speaks for it until it is settled."""
    await session.execute(delete(inbox).where(inbox.c.consumer == consumer, inbox.c.event_id == event_id))
