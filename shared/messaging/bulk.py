"""Outbox rows written by SQL, for bulk work that makes a million events in a few statements (a year's
insurance roster): the rows `outbox.write` would write for the same events, without building each one in
Python. The relay and consumers cannot tell them apart."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.base import Event
from shared.messaging.outbox import NOTIFY_CHANNEL
from shared.observability import correlation_id


def insert_events(events: str, *, order: str) -> str:
    """SQL writing one outbox row per row of the relation `events`, published in `order`.

    `events` (a table or a CTE of the same statement) has the columns `topic`, `type`, `key`, `subject`
    and `payload`: the event's `body()` as jsonb, built field for field (see `contract`). Each row gets a
    new event id and the transaction's time as its `occurred_at`; the source and correlation id come from
    `parameters`. Order matters: the relay publishes by `seq`, and one key's events must stay in order.
    """
    # `events` and `order` are the caller's SQL, never input: nothing here is interpolated from a request.
    return f"""
INSERT INTO outbox (event_id, topic, key, type, source, subject, occurred_at, payload, correlation_id)
SELECT gen_random_uuid(), topic, key, type, CAST(:outbox_source AS text), subject, now(), payload,
       CAST(:outbox_correlation_id AS text)
FROM {events}
ORDER BY {order}
"""  # noqa: S608


def contract(event: type[Event], name: str) -> dict[str, str]:
    """Bind parameters `:{name}_topic` and `:{name}_type` for the events' `topic` and `type` columns."""
    return {f"{name}_topic": event.topic, f"{name}_type": event.event_type()}


def parameters(*, source: str) -> dict[str, str | None]:
    """The bind parameters `insert_events` needs: the service's CloudEvents source, the request's correlation id."""
    return {"outbox_source": source, "outbox_correlation_id": correlation_id.get()}


async def notify(session: AsyncSession) -> None:
    """Wake the relay when the transaction commits, as `outbox.write` does."""
    await session.execute(select(func.pg_notify(NOTIFY_CHANNEL, "")))
