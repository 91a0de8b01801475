"""What the inbox dispatches and what it gives up on: handlers, undecodable records, dead letters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from shared.contracts.base import Event
from shared.db import UnitOfWork
from shared.messaging.envelope import Envelope
from shared.observability import get_logger

log = get_logger(__name__)

Handler = Callable[[UnitOfWork, Event], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class BatchHandler:
    """A handler that applies several events of its type at once, set-based, in their order, in the batch's
    transaction. The inbox hands it each run of consecutive events of its type in a delivered batch; to find
    the event that fails, and to retry or park one, it is called with one event at a time, as any handler."""

    many: Callable[[UnitOfWork, Sequence[Event]], Awaitable[None]]

    async def __call__(self, uow: UnitOfWork, event: Event) -> None:
        await self.many(uow, [event])


def in_batches(use_case: Callable[[UnitOfWork, Sequence[Any]], Awaitable[None]]) -> InBatches:
    """Marks a use case that applies a sequence of events for `reactions`: it becomes a `BatchHandler`."""
    return InBatches(use_case)


@dataclass(frozen=True, slots=True)
class InBatches:
    use_case: Callable[[UnitOfWork, Sequence[Any]], Awaitable[None]]


PROCESSED = "processed"
DEAD_LETTERED = "dead_lettered"


def reactions(
    *pairs: tuple[type[Event], Callable[[UnitOfWork, Any], Awaitable[None]] | InBatches],
) -> dict[str, Handler]:
    """A service's event handlers: each contract's `type` mapped to its use case, which is called only with
    instances of that contract; a use case marked `in_batches(...)` gets a run of them at a time."""

    def check(contract: type[Event], use_case: object, event: Event) -> None:
        if not isinstance(event, contract):
            raise TypeError(
                f"{getattr(use_case, '__qualname__', use_case)} handles {contract.__name__}, not {type(event).__name__}"
            )

    def checked(
        contract: type[Event], use_case: Callable[[UnitOfWork, Any], Awaitable[None]] | InBatches
    ) -> Handler:
        if isinstance(use_case, InBatches):
            many = use_case.use_case

            async def handle_many(uow: UnitOfWork, events: Sequence[Event]) -> None:
                for event in events:
                    check(contract, many, event)
                await many(uow, events)

            return BatchHandler(handle_many)

        async def handle(uow: UnitOfWork, event: Event) -> None:
            check(contract, use_case, event)
            await use_case(uow, event)

        handle.__qualname__ = f"{contract.__name__} → {use_case.__module__}.{use_case.__qualname__}"
        return handle

    return {
        contract.model_fields["type"].default: checked(contract, use_case) for contract, use_case in pairs
    }


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
