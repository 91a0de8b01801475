"""Events parked because a handler said "not yet": kept in the consumer's own database, retried with
exponential backoff for a bounded time, then dead-lettered with the last reason."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.messaging.envelope import Envelope
from shared.messaging.tables import deferred_events


@dataclass(frozen=True, slots=True)
class DeferralPolicy:
    """How long and how often a parked event is tried again before it is dead-lettered."""

    give_up_after: timedelta = timedelta(hours=24)
    first_retry: timedelta = timedelta(seconds=5)
    longest_wait: timedelta = timedelta(hours=1)
    batch_size: int = 100

    def next_attempt(self, first_deferred_at: datetime, attempts: int, now: datetime) -> datetime:
        """`attempts` runs so far: wait first_retry · 2^(attempts-1), at most longest_wait, and no later than
        the moment the bound passes (so the last try and the dead letter come on time)."""
        wait: timedelta = min(self.first_retry * 2 ** max(attempts - 1, 0), self.longest_wait)
        deadline: datetime = first_deferred_at + self.give_up_after
        return min(now + wait, deadline)

    def expired(self, first_deferred_at: datetime, now: datetime) -> bool:
        return now >= first_deferred_at + self.give_up_after


async def park(
    session: AsyncSession,
    consumer: str,
    envelope: Envelope,
    reason: str,
    now: datetime,
    policy: DeferralPolicy,
) -> None:
    """Park `envelope` (a redelivery of an id already parked changes nothing)."""
    await session.execute(
        insert(deferred_events)
        .values(
            consumer=consumer,
            event_id=envelope.id,
            topic=envelope.topic,
            key=envelope.key,
            type=envelope.type,
            source=envelope.source,
            subject=envelope.subject,
            occurred_at=envelope.time,
            data=envelope.data,
            correlation_id=envelope.correlation_id,
            partition=envelope.partition,
            offset=envelope.offset,
            attempts=1,
            first_deferred_at=now,
            next_attempt_at=policy.next_attempt(now, 1, now),
            reason=reason,
        )
        .on_conflict_do_nothing()
    )


async def claim(
    session: AsyncSession,
    consumer: str,
    *,
    keys: Collection[str] | None,
    now: datetime,
    limit: int,
) -> Sequence[Any]:
    """Parked rows to try now, locked for this transaction: those of `keys` whatever their schedule (an event
    of the same key just arrived: what they waited for may be here), otherwise those that are due."""
    query = select(deferred_events).where(deferred_events.c.consumer == consumer)
    if keys is not None:
        query = query.where(deferred_events.c.key.in_(keys))
    else:
        query = query.where(deferred_events.c.next_attempt_at <= now)
    query = query.order_by(deferred_events.c.first_deferred_at).limit(limit)
    return (await session.execute(query.with_for_update(skip_locked=True))).all()


def envelope_of(row: Any) -> Envelope:
    return Envelope.stored(row, bytes(row.data))


async def postpone(
    session: AsyncSession, consumer: str, row: Any, reason: str, now: datetime, policy: DeferralPolicy
) -> None:
    attempts = row.attempts + 1
    await session.execute(
        update(deferred_events)
        .where(deferred_events.c.consumer == consumer, deferred_events.c.event_id == row.event_id)
        .values(
            attempts=attempts,
            next_attempt_at=policy.next_attempt(row.first_deferred_at, attempts, now),
            reason=reason,
        )
    )


async def release(session: AsyncSession, consumer: str, event_id: UUID) -> None:
    """The parked event is settled (processed or dead-lettered): its inbox row now speaks for it."""
    await session.execute(
        delete(deferred_events).where(
            deferred_events.c.consumer == consumer, deferred_events.c.event_id == event_id
        )
    )
