"""The inbox processor: one transaction per batch; typed outcomes decide what happens to a failing event."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts.base import ContractRegistry, Event
from shared.db import UnitOfWork
from shared.errors import InvalidInput, NotYet
from shared.messaging.envelope import Envelope
from shared.messaging.inbox import claims, deferred
from shared.messaging.inbox.deferred import DeferralPolicy
from shared.messaging.inbox.letters import (
    DEAD_LETTERED,
    PROCESSED,
    BatchHandler,
    DeadLetter,
    DeadLetterSink,
    Handler,
    Undecodable,
    is_infrastructure_failure,
)
from shared.messaging.tables import inbox
from shared.observability import correlation_id, get_logger

if TYPE_CHECKING:
    from shared.messaging.metrics import ConsumerMetrics

log = get_logger(__name__)

Record = dict[str, object]


class _HandlerFailed(Exception):
    """A handler raised during the optimistic pass; the batch is redone event by event."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def rule_broken(error: InvalidInput) -> str:
    rules = "; ".join(f"{issue.field}: {issue.rule}" for issue in error.errors)
    return f"rule broken: {error.detail}" + (f" ({rules})" if rules else "")


class InboxProcessor:
    """Dispatches a batch of events to handlers, skipping those already processed by this consumer.

    One database transaction per batch. The batch first runs without savepoints (one round trip
    less per event); if a handler fails, the batch is rolled back and redone with a savepoint per
    event, and the failure's type decides: `NotYet` parks the event in `deferred_events` (retried
    with backoff, dead-lettered once `deferral.give_up_after` has passed); `InvalidInput` and an
    undecodable body are dead-lettered at once; anything else is retried up to `max_attempts`, then
    dead-lettered. A database failure aborts the whole batch so the caller can redeliver it.
    """

    def __init__(
        self,
        *,
        consumer: str,
        source: str,
        sessions: async_sessionmaker[AsyncSession],
        handlers: Mapping[str, Handler],
        contracts: ContractRegistry,
        dead_letters: DeadLetterSink,
        max_attempts: int = 3,
        deferral: DeferralPolicy | None = None,
        now: Callable[[], datetime] = _utc_now,
        metrics: ConsumerMetrics | None = None,
    ) -> None:
        self.consumer = consumer
        self._metrics = metrics
        self._source = source
        self._sessions = sessions
        self._handlers = dict(handlers)
        self._contracts = contracts
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self.deferral = deferral or DeferralPolicy()
        self._now = now
        unknown = [event_type for event_type in handlers if contracts.contract(event_type) is None]
        if unknown:
            raise ValueError(f"handlers for unregistered event types: {unknown}")

    @property
    def topics(self) -> list[str]:
        return sorted(
            {contract.topic for t in self._handlers if (contract := self._contracts.contract(t)) is not None}
        )

    async def process(self, items: Sequence[Envelope | Undecodable]) -> None:
        started = time.perf_counter()
        try:
            settled = await self._process(items, isolate=False)
        except _HandlerFailed:
            # Rare: redo the batch with a savepoint per event, so only the failing one is retried.
            settled = await self._process(items, isolate=True)
        if self._metrics is not None:
            self._metrics.settled(settled, batch_s=time.perf_counter() - started)

    async def retry_dead_letter(self, item: Envelope) -> str:
        """Hand a dead-lettered event to its handler again, once its cause is fixed (an operator's retry).

        In one transaction its dead letter is withdrawn and it is dispatched as a delivery would be. Returns
        what became of it: `processed`, `dead_lettered` (refused again, with its new reason and a new copy
        on the dead-letter topic), `parked` (it now waits for a prerequisite), or `skipped` when this
        consumer holds no dead letter of that id (already retried, or never refused), or `no_handler` when
        this release handles no event of its type (the dead letter stays).
        """
        if self._handlers.get(item.type) is None:
            return "no_handler"
        letters: list[DeadLetter] = []
        async with self._sessions() as session, session.begin():
            withdrawn = await session.execute(
                delete(inbox)
                .where(
                    inbox.c.consumer == self.consumer,
                    inbox.c.event_id == item.id,
                    inbox.c.status == DEAD_LETTERED,
                )
                .returning(inbox.c.event_id)
            )
            if withdrawn.first() is None:
                return "skipped"
            record = await self._dispatch(session, item, letters, self._now(), parked=None)
            if record is not None:
                await session.execute(insert(inbox), [record])
            for letter in letters:
                await self._dead_letters.send(letter)
        return str(record["status"]) if record is not None else "parked"

    async def retry_deferred(self) -> int:
        """Try the parked events that are due (the Kafka loop calls this between polls); returns how many."""
        letters: list[DeadLetter] = []
        now = self._now()
        async with self._sessions() as session, session.begin():
            rows = await deferred.claim(
                session, self.consumer, keys=None, now=now, limit=self.deferral.batch_size
            )
            settled = await self._retry(session, rows, letters, now)
            for letter in letters:
                await self._dead_letters.send(letter)
        if self._metrics is not None:
            self._metrics.settled(settled)
        return len(rows)

    async def _process(self, items: Sequence[Envelope | Undecodable], *, isolate: bool) -> list[Record]:
        """Settle the batch in one transaction; returns the inbox records it committed.

        The inbox rows go in first, as claims: an event whose row is already there (processed before, or being
        processed by another instance that still holds the partition) is skipped, and a concurrent claim of
        the same id waits for this transaction and then finds it. A claim that ends otherwise (dead-lettered,
        parked) is amended before the commit.
        """
        letters: list[DeadLetter] = []
        now = self._now()
        # Each event once, in batch order; events of types without a handler are not this consumer's.
        mine: dict[UUID, Envelope | Undecodable] = {}
        for item in items:
            if item.id not in mine and (isinstance(item, Undecodable) or item.type in self._handlers):
                mine[item.id] = item
        async with self._sessions() as session, session.begin():
            claimed, waiting = await claims.claim(
                session,
                self.consumer,
                [self._claim(item) for item in mine.values()],
                sorted({item.key for item in mine.values() if isinstance(item, Envelope)}),
            )
            records: list[Record] = []
            progressed: set[str] = set()
            run: list[tuple[Envelope, Event]] = []  # consecutive events of one batch handler's type

            async def apply_run() -> None:
                if run:
                    handler = self._handlers[run[0][0].type]
                    assert isinstance(handler, BatchHandler)
                    await self._handle_run(session, handler, [event for _, event in run])
                    records.extend(self._record(item, PROCESSED, None) for item, _ in run)
                    progressed.update(item.key for item, _ in run)
                    run.clear()

            for item in mine.values():
                if item.id not in claimed:
                    continue
                if (
                    not isolate
                    and isinstance(item, Envelope)
                    and isinstance(self._handlers[item.type], BatchHandler)
                ):
                    event = self._decode(item)
                    if not isinstance(event, str):
                        if run and run[0][0].type != item.type:
                            await apply_run()
                        run.append((item, event))
                        continue
                await apply_run()  # what comes before this event is applied before it
                record = await self._process_one(session, item, letters, now, isolate=isolate)
                if record is None:  # parked: its parked copy speaks for it
                    await claims.release(session, self.consumer, item.id)
                    waiting = True
                    continue
                records.append(record)
                if record["status"] == PROCESSED and isinstance(item, Envelope):
                    progressed.add(item.key)
                elif record["status"] != self._claim(item)["status"]:
                    await claims.amend(session, self.consumer, record)
            await apply_run()
            if progressed and waiting:  # what events of these keys were parked for may have just arrived
                rows = await deferred.claim(
                    session, self.consumer, keys=progressed, now=now, limit=self.deferral.batch_size
                )
                records += await self._retry(session, rows, letters, now)
            for letter in letters:  # before the commit: a crash in between re-sends, never loses
                await self._dead_letters.send(letter)
        return records

    def _claim(self, item: Envelope | Undecodable) -> Record:
        """The inbox row an event is claimed with: processed, unless it cannot even be read."""
        if isinstance(item, Undecodable):
            return self._record(item, DEAD_LETTERED, item.reason)
        return self._record(item, PROCESSED, None)

    async def _process_one(
        self,
        session: AsyncSession,
        item: Envelope | Undecodable,
        letters: list[DeadLetter],
        now: datetime,
        *,
        isolate: bool,
    ) -> Record | None:
        if isinstance(item, Undecodable):
            letters.append(DeadLetter(self.consumer, item.reason, 1, undecodable=item))
            return self._record(item, DEAD_LETTERED, item.reason)
        if not isolate:
            handler = self._handlers.get(item.type)
            if handler is None:
                return None  # Another consumer's event, or a newer type this one does not know: ignore.
            event = self._decode(item)
            if isinstance(event, str):
                return self._dead(item, event, 1, letters)
            token = correlation_id.set(item.correlation_id)
            try:
                await self._handle_in_batch(session, handler, event)
            finally:
                correlation_id.reset(token)
            return self._record(item, PROCESSED, None)
        return await self._dispatch(session, item, letters, now, parked=None)

    async def _retry(
        self, session: AsyncSession, rows: Sequence[Any], letters: list[DeadLetter], now: datetime
    ) -> list[Record]:
        """Dispatch parked events again; returns the inbox records of those settled now."""
        records: list[Record] = []
        for row in rows:
            record = await self._dispatch(session, deferred.envelope_of(row), letters, now, parked=row)
            if record is not None:
                records.append(record)
            if record is not None or self._handlers.get(row.type) is None:
                await deferred.release(session, self.consumer, row.event_id)
        if records:
            await session.execute(insert(inbox).on_conflict_do_nothing(), records)
        return records

    async def _dispatch(
        self, session: AsyncSession, item: Envelope, letters: list[DeadLetter], now: datetime, *, parked: Any
    ) -> Record | None:
        """Run `item`'s handler in savepoints and settle it: the inbox record to write, or None when it is
        ignored (no handler) or (still) parked."""
        handler = self._handlers.get(item.type)
        if handler is None:
            return None
        event = self._decode(item)
        if isinstance(event, str):
            return self._dead(item, event, 1, letters)
        token = correlation_id.set(item.correlation_id)
        try:
            failure = await self._handle_with_retries(session, handler, event)
        finally:
            correlation_id.reset(token)
        if failure is None:
            return self._record(item, PROCESSED, None)
        if isinstance(failure, InvalidInput):
            return self._dead(item, rule_broken(failure), 1, letters)
        if not isinstance(failure, NotYet):
            reason = f"handler failed after {self._max_attempts} attempts: {failure!r}"
            return self._dead(item, reason, self._max_attempts, letters)
        if parked is None:
            log.info("event parked", consumer=self.consumer, type=item.type, reason=failure.reason)
            await deferred.park(session, self.consumer, item, failure.reason, now, self.deferral)
            return None
        if self.deferral.expired(parked.first_deferred_at, now):
            reason = (
                f"not yet after {self.deferral.give_up_after} ({parked.attempts + 1} attempts "
                f"since {parked.first_deferred_at.isoformat()}): {failure.reason}"
            )
            return self._dead(item, reason, parked.attempts + 1, letters)
        await deferred.postpone(session, self.consumer, parked, failure.reason, now, self.deferral)
        return None

    def _decode(self, item: Envelope) -> Event | str:
        """The event, or why its body breaks its contract."""
        try:
            return self._contracts.decode(item.type, item.id, item.time, json.loads(item.data))
        except (ValidationError, ValueError) as invalid:
            return f"invalid {item.type}: {invalid}"

    async def _handle_run(self, session: AsyncSession, handler: BatchHandler, events: list[Event]) -> None:
        """A batch handler with a run of its events, in the batch's transaction; a failure redoes the batch one
        event at a time."""
        started = time.perf_counter()
        try:
            await handler.many(UnitOfWork(joined=session, source=self._source), events)
        except Exception as exc:
            if is_infrastructure_failure(exc):
                raise
            raise _HandlerFailed from exc
        if self._metrics is not None:
            self._metrics.handled_in(events[0].event_type(), time.perf_counter() - started)

    async def _handle_in_batch(self, session: AsyncSession, handler: Handler, event: Event) -> None:
        try:
            with self._timed(event):
                await handler(UnitOfWork(joined=session, source=self._source), event)
        except Exception as exc:
            if is_infrastructure_failure(exc):
                raise
            raise _HandlerFailed from exc

    async def _handle_with_retries(
        self, session: AsyncSession, handler: Handler, event: Event
    ) -> Exception | None:
        """None when the handler succeeded; otherwise its last failure. "Not yet" and a broken rule are
        answers, not accidents: they are not retried here."""
        failure: Exception | None = None
        for attempt in range(self._max_attempts):
            try:
                with self._timed(event):
                    async with session.begin_nested():
                        await handler(UnitOfWork(joined=session, source=self._source), event)
                return None
            except Exception as exc:
                if is_infrastructure_failure(exc):
                    raise
                if isinstance(exc, NotYet | InvalidInput):
                    return exc
                failure = exc
                log.warning(
                    "handler failed", consumer=self.consumer, type=event.event_type(), attempt=attempt + 1
                )
                await asyncio.sleep(0.05 * 2**attempt)
        return failure

    @contextlib.contextmanager
    def _timed(self, event: Event) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            if self._metrics is not None:
                self._metrics.handled_in(event.event_type(), time.perf_counter() - started)

    def _dead(self, item: Envelope, reason: str, attempts: int, letters: list[DeadLetter]) -> Record:
        letters.append(DeadLetter(self.consumer, reason, attempts, envelope=item))
        return self._record(item, DEAD_LETTERED, reason)

    def _record(self, item: Envelope | Undecodable, status: str, error: str | None) -> Record:
        return {
            "consumer": self.consumer,
            "event_id": item.id,
            "type": item.type if isinstance(item, Envelope) else "undecodable",
            "topic": item.topic,
            "partition": item.partition,
            "offset": item.offset,
            "status": status,
            "error": error,
        }
