"""Transactional outbox: events are rows committed with the change; a relay publishes them, at least once."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import BigInteger, any_, cast, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from shared.contracts.base import Event
from shared.messaging.connection import ConnectionLog
from shared.messaging.envelope import Envelope
from shared.messaging.tables import outbox
from shared.observability import correlation_id, get_logger
from shared.settings import OutboxSettings

log = get_logger(__name__)

NOTIFY_CHANNEL = "safetynet_outbox"
# Only one relay per database publishes at a time (the others stand by), so one aggregate's events
# leave in commit order even with several replicas.
RELAY_LOCK_KEY = 0x5AFE7E7


PURGE_EVERY_S = 600.0
"""How often an idle relay deletes the rows sent longer ago than `outbox.retention_days`."""
PURGE_BATCH = 5_000


class Publisher(Protocol):
    """Delivers a batch of envelopes; returns only when every one is acknowledged, raises otherwise."""

    async def publish(self, envelopes: Sequence[Envelope]) -> None: ...


def outbox_rows(events: Sequence[Event], *, source: str) -> list[dict[str, object]]:
    current = correlation_id.get()
    return [
        {
            "event_id": event.event_id,
            "topic": event.topic,
            "key": event.key(),
            "type": event.event_type(),
            "source": source,
            "subject": event.subject(),
            "occurred_at": event.occurred_at,
            "payload": event.body(),
            "correlation_id": current,
        }
        for event in events
    ]


async def write(session: AsyncSession, events: Sequence[Event], *, source: str) -> None:
    """Insert the events in the session's transaction and wake the relay when it commits."""
    if not events:
        return
    await session.execute(insert(outbox), outbox_rows(events, source=source))
    await session.execute(select(func.pg_notify(NOTIFY_CHANNEL, "")))


async def _unlock(connection: AsyncConnection) -> None:
    """Release the relay lock; if that fails (a cancelled or broken round), close the server session instead,
    which releases it too, rather than hand a locked session back to the pool."""
    try:
        await connection.rollback()
        await connection.scalar(select(func.pg_advisory_unlock(RELAY_LOCK_KEY)))
        await connection.commit()
    except BaseException:
        await asyncio.shield(connection.invalidate())
        raise


def _body(payload: Any) -> bytes:
    """The event's body as it goes on the wire: compact JSON, UTF-8 as is."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


class OutboxRelay:
    """Publishes pending outbox rows in order and marks them sent after the publisher acknowledges."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        settings: OutboxSettings,
        name: str,
        connection: ConnectionLog | None = None,
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._publisher = publisher
        self._settings = settings
        self._name = name
        self._wake = asyncio.Event()
        self._connection = connection or ConnectionLog(
            "relay", failure="outbox relay failed; will retry", recovery="outbox relay working again"
        )

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows were sent (0 when idle or another relay holds the lock).

        No transaction is open while the broker is waited for: the pending rows are read, published, then
        marked sent with the time the broker acknowledged them. A session-level advisory lock, held on this
        round's connection, keeps every other relay of the database out meanwhile, so rows leave in commit
        order; a relay that dies loses its connection and, with it, the lock.
        """
        async with self._engine.connect() as connection:
            locked = await connection.scalar(select(func.pg_try_advisory_lock(RELAY_LOCK_KEY)))
            await connection.commit()  # each step its own short transaction: none is open while Kafka answers
            if not locked:
                return 0
            try:
                rows = (
                    await connection.execute(
                        select(outbox)
                        .where(outbox.c.sent_at.is_(None))
                        .order_by(outbox.c.seq)
                        .limit(self._settings.batch_size)
                    )
                ).all()
                await connection.commit()
                if rows:
                    await self._publisher.publish([Envelope.stored(row, _body(row.payload)) for row in rows])
                    acknowledged_at = datetime.now(UTC)
                    await self._mark_sent(connection, [row.seq for row in rows], acknowledged_at)
                    await connection.commit()
            finally:
                await _unlock(connection)
        return len(rows)

    async def _mark_sent(
        self, connection: AsyncConnection, seqs: list[int], acknowledged_at: datetime
    ) -> None:
        # `= ANY(:seqs)`: one bind parameter and one prepared statement whatever the batch's size.
        await connection.execute(
            update(outbox)
            .where(outbox.c.seq == any_(cast(seqs, ARRAY(BigInteger))))
            .values(sent_at=acknowledged_at)
        )

    async def drain(self) -> int:
        """Publish until nothing is pending; returns the number sent."""
        sent = 0
        while batch := await self.relay_once():
            sent += batch
        return sent

    async def purge_sent(self, *, batch_size: int = PURGE_BATCH) -> int:
        """Delete the rows sent longer ago than the retention period, oldest first, a short transaction per
        `batch_size` rows so that writers never wait on it; returns how many went."""
        cutoff = func.now() - func.make_interval(0, 0, 0, self._settings.retention_days)
        purged = 0
        while True:
            oldest = (
                select(outbox.c.seq).where(outbox.c.sent_at < cutoff).order_by(outbox.c.seq).limit(batch_size)
            )
            async with self._sessions() as session, session.begin():
                result = await session.execute(
                    outbox.delete().where(outbox.c.seq.in_(oldest.scalar_subquery()))
                )
            deleted = int(result.rowcount)  # type: ignore[attr-defined]
            purged += deleted
            if deleted < batch_size:
                return purged

    async def run(self) -> None:
        """Relay until cancelled: wake on NOTIFY from committing writers, poll as a fallback; purge the rows
        past their retention every `PURGE_EVERY_S` while idle."""
        listener = asyncio.create_task(self._listen())
        backoff = 0.1
        purged_at = asyncio.get_running_loop().time()
        try:
            while True:
                if asyncio.get_running_loop().time() - purged_at >= PURGE_EVERY_S:
                    purged_at = asyncio.get_running_loop().time()
                    # A failed purge is retried next time; relaying goes on.
                    with contextlib.suppress(Exception):
                        if purged := await self.purge_sent():
                            log.info("outbox rows past retention purged", relay=self._name, rows=purged)
                # Cleared before looking, not after: a commit notified while this round reads is not missed.
                self._wake.clear()
                try:
                    sent = await self.relay_once()
                    self._connection.succeeded()
                    if sent:
                        backoff = 0.1
                        continue
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    self._connection.failed(exc, relay=self._name, retry_in=backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._settings.poll_interval_s)
        finally:
            listener.cancel()

    async def _listen(self) -> None:
        def notified(*_args: object) -> None:
            self._wake.set()

        while True:
            try:
                async with self._engine.connect() as connection:
                    raw = await connection.get_raw_connection()
                    driver = raw.driver_connection
                    assert driver is not None
                    closed = asyncio.Event()
                    driver.add_termination_listener(lambda _connection, closed=closed: closed.set())
                    await driver.add_listener(NOTIFY_CHANNEL, notified)
                    await closed.wait()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Polling still delivers; listening only shortens the wait.
                log.debug("outbox listener reconnecting", relay=self._name, error=repr(exc))
                await asyncio.sleep(1.0)
