"""Idempotent consumption: each event's effects and its inbox record commit in one transaction."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts.base import ContractRegistry, Event
from shared.db import UnitOfWork
from shared.messaging.envelope import Envelope
from shared.messaging.tables import inbox
from shared.observability import correlation_id, get_logger

log = get_logger(__name__)

Handler = Callable[[UnitOfWork, Event], Awaitable[None]]


def reactions(*pairs: tuple[type[Event], Callable[[UnitOfWork, Any], Awaitable[None]]]) -> dict[str, Handler]:
    """A service's event handlers: each contract's `type` mapped to its use case, which is called only with
    an instance of that contract."""

    def checked(contract: type[Event], use_case: Callable[[UnitOfWork, Any], Awaitable[None]]) -> Handler:
        async def handle(uow: UnitOfWork, event: Event) -> None:
            if not isinstance(event, contract):
                raise TypeError(
                    f"{use_case.__qualname__} handles {contract.__name__}, not {type(event).__name__}"
                )
            await use_case(uow, event)

        handle.__qualname__ = f"{contract.__name__} → {use_case.__module__}.{use_case.__qualname__}"
        return handle

    return {
        contract.model_fields["type"].default: checked(contract, use_case) for contract, use_case in pairs
    }


PROCESSED = "processed"
DEAD_LETTERED = "dead_lettered"


@dataclass(frozen=True, slots=True)
class Undecodable:
    """A record whose envelope could not be read: nothing to dispatch, only to dead-letter."""

    topic: str
    partition: int | None
    offset: int | None
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    reason: str

    @property
    def id(self) -> UUID:
        # No usable ce_id: the record's position is its identity, stable across redeliveries.
        return uuid5(NAMESPACE_URL, f"kafka://{self.topic}/{self.partition}/{self.offset}")


@dataclass(frozen=True, slots=True)
class DeadLetter:
    consumer: str
    reason: str
    attempts: int
    envelope: Envelope | None = None
    undecodable: Undecodable | None = None


class DeadLetterSink(Protocol):
    """Where an event goes that a consumer cannot handle (the inbox row records it in any case)."""

    async def send(self, letter: DeadLetter) -> None: ...


def is_infrastructure_failure(exc: BaseException) -> bool:
    """A lost database or network is not the event's fault: retry the batch, never dead-letter it."""
    if isinstance(exc, OperationalError | InterfaceError | ConnectionError | OSError | TimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class _HandlerFailed(Exception):
    """A handler raised during the optimistic pass; the batch is redone event by event."""


class InboxProcessor:
    """Dispatches a batch of events to handlers, skipping those already processed by this consumer.

    One database transaction per batch. The batch first runs without savepoints (one round trip
    less per event); if a handler fails, the batch is rolled back and redone with a savepoint per
    event, so a failing handler is retried on its own and dead-lettered after `max_attempts`
    without undoing its neighbours. A database failure aborts the whole batch so the caller can
    redeliver it.
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
    ) -> None:
        self.consumer = consumer
        self._source = source
        self._sessions = sessions
        self._handlers = dict(handlers)
        self._contracts = contracts
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        unknown = [event_type for event_type in handlers if contracts.contract(event_type) is None]
        if unknown:
            raise ValueError(f"handlers for unregistered event types: {unknown}")

    @property
    def topics(self) -> list[str]:
        return sorted(
            {contract.topic for t in self._handlers if (contract := self._contracts.contract(t)) is not None}
        )

    async def process(self, items: Sequence[Envelope | Undecodable]) -> None:
        try:
            await self._process(items, isolate=False)
        except _HandlerFailed:
            # Rare: redo the batch with a savepoint per event, so only the failing one is retried.
            await self._process(items, isolate=True)

    async def _process(self, items: Sequence[Envelope | Undecodable], *, isolate: bool) -> None:
        letters: list[DeadLetter] = []
        async with self._sessions() as session, session.begin():
            done = set(
                await session.scalars(
                    select(inbox.c.event_id).where(
                        inbox.c.consumer == self.consumer, inbox.c.event_id.in_([item.id for item in items])
                    )
                )
            )
            records: list[dict[str, object]] = []
            for item in items:
                if item.id in done:
                    continue
                done.add(item.id)
                record = await self._process_one(session, item, letters, isolate=isolate)
                if record is not None:
                    records.append(record)
            if records:
                await session.execute(insert(inbox).on_conflict_do_nothing(), records)
            for letter in letters:  # before the commit: a crash in between re-sends, never loses
                await self._dead_letters.send(letter)

    async def _process_one(
        self, session: AsyncSession, item: Envelope | Undecodable, letters: list[DeadLetter], *, isolate: bool
    ) -> dict[str, object] | None:
        if isinstance(item, Undecodable):
            letters.append(DeadLetter(self.consumer, item.reason, 0, undecodable=item))
            return self._record(item, DEAD_LETTERED, item.reason)
        handler = self._handlers.get(item.type)
        if handler is None:
            return None  # Another consumer's event, or a newer type this one does not know: ignore.
        try:
            event = self._contracts.decode(item.type, item.id, item.time, json.loads(item.data))
        except (ValidationError, ValueError) as invalid:
            reason = f"invalid {item.type}: {invalid}"
            letters.append(DeadLetter(self.consumer, reason, 0, envelope=item))
            return self._record(item, DEAD_LETTERED, reason)
        token = correlation_id.set(item.correlation_id)
        try:
            if not isolate:
                await self._handle_in_batch(session, handler, event)
                return self._record(item, PROCESSED, None)
            failure = await self._handle_with_retries(session, handler, event)
        finally:
            correlation_id.reset(token)
        if failure is None:
            return self._record(item, PROCESSED, None)
        reason = f"handler failed after {self._max_attempts} attempts: {failure!r}"
        letters.append(DeadLetter(self.consumer, reason, self._max_attempts, envelope=item))
        return self._record(item, DEAD_LETTERED, reason)

    async def _handle_in_batch(self, session: AsyncSession, handler: Handler, event: Event) -> None:
        try:
            await handler(UnitOfWork.joined(session, source=self._source), event)
        except Exception as exc:
            if is_infrastructure_failure(exc):
                raise
            raise _HandlerFailed from exc

    async def _handle_with_retries(
        self, session: AsyncSession, handler: Handler, event: Event
    ) -> Exception | None:
        failure: Exception | None = None
        for attempt in range(self._max_attempts):
            try:
                async with session.begin_nested():
                    await handler(UnitOfWork.joined(session, source=self._source), event)
                return None
            except Exception as exc:
                if is_infrastructure_failure(exc):
                    raise
                failure = exc
                log.warning(
                    "handler failed", consumer=self.consumer, type=event.event_type(), attempt=attempt + 1
                )
                await asyncio.sleep(0.05 * 2**attempt)
        return failure

    def _record(self, item: Envelope | Undecodable, status: str, error: str | None) -> dict[str, object]:
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


class LoggedDeadLetters:
    """The in-process bus's sink: the inbox row already keeps the event id and reason; log it too."""

    async def send(self, letter: DeadLetter) -> None:
        item = letter.envelope or letter.undecodable
        log.error(
            "event dead-lettered",
            consumer=letter.consumer,
            event_id=str(item.id) if item else None,
            reason=letter.reason,
        )
