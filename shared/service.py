"""How one service is assembled in a process: its definition, and the runtime of engine, outbox relay and
consumers, with the dependencies its routes use (`shared.app` makes the FastAPI app around it)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Collection, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Protocol
from uuid import UUID

from alembic.script import ScriptDirectory
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.clock import Clock, SystemClock
from shared.contracts.catalogue import registry as contracts
from shared.db import UnitOfWork, create_engine, migrations_behind, session_factory
from shared.idempotency import IdempotencyKey, fingerprint, idempotent
from shared.messaging import redrive
from shared.messaging.bus import InProcessBus
from shared.messaging.connection import BrokerState, ConnectionLog, watch_broker
from shared.messaging.inbox import DeadLetterSink, DeferralPolicy, Handler, InboxProcessor, LoggedDeadLetters
from shared.messaging.kafka import KafkaDeadLetters, KafkaInboxConsumer, KafkaPublisher
from shared.messaging.metrics import ConsumerMetrics
from shared.messaging.outbox import OutboxRelay, Publisher
from shared.observability import get_logger
from shared.pii import PersonalData
from shared.settings import ServiceSettings
from shared.workdays import WorkingDayCalendar

log = get_logger(__name__)


class NotReady(RuntimeError):
    """What keeps a service from taking traffic; `/ready` answers 503 with this as the detail."""


class Seeder(Protocol):
    """Adds the reference data a service needs before it takes traffic, in one transaction, skipping what is
    there; each added row is audited as `seeded_by`. Returns how many rows it added."""

    def __call__(self, uow: UnitOfWork, *, seeded_by: str) -> Awaitable[int]: ...


@dataclass(frozen=True)
class ServiceDefinition:
    """What a service declares about itself; `main.py` builds it, the runtime wires it."""

    name: str
    title: str
    description: str
    migrations: Path
    routers: Sequence[APIRouter] = ()
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    on_start: Callable[[ServiceRuntime], Awaitable[None]] | None = None
    """Runs once the runtime is up, e.g. to resume work a previous process left unfinished."""
    seed: Seeder | None = None
    """Loads the service's reference data (idempotent, audited); returns how many rows it added."""
    working_days: Callable[[AsyncSession], Awaitable[WorkingDayCalendar]] | None = None
    """A service that counts working days reads its calendar with this; health and metrics watch it."""

    @property
    def source(self) -> str:
        return f"/safetynet/{self.name}"


class ServiceRuntime:
    """The moving parts behind one service's API: database, relay and consumers, started and stopped together."""

    def __init__(
        self,
        definition: ServiceDefinition,
        settings: ServiceSettings,
        *,
        bus: InProcessBus | None,
        clock: Clock | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        """`registry`: where the consumer counts what it does (the app's `/metrics`); none for a command."""
        if settings.bus == "in-process" and bus is None:
            raise ValueError("the in-process bus is shared by the services of one process; pass it in")
        self.definition = definition
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.engine = create_engine(settings.database)
        self.sessions = session_factory(self.engine)
        self._bus = bus
        self._kafka: KafkaPublisher | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._work: set[asyncio.Task[object]] = set()
        self._migrations: ScriptDirectory | None = None
        self.broker: BrokerState | None = None
        """What the publisher, consumer and a connection probe last saw of the broker (Kafka bus only)."""
        self.consumer: KafkaInboxConsumer | None = None
        """The Kafka consumer of the service's handlers, once started (Kafka bus, handlers declared)."""
        publisher: Publisher
        dead_letters: DeadLetterSink
        if settings.bus == "kafka":
            self.broker = BrokerState()
            self._kafka = KafkaPublisher(
                settings.kafka, connection=self.broker.component("publisher", service=definition.name)
            )
            publisher, dead_letters = self._kafka, KafkaDeadLetters(self._kafka)
        else:
            assert bus is not None
            publisher, dead_letters = bus, LoggedDeadLetters()
        self.relay = OutboxRelay(
            engine=self.engine,
            sessions=self.sessions,
            publisher=publisher,
            settings=settings.outbox,
            name=definition.name,
            connection=ConnectionLog(
                "relay",
                failure="outbox relay failed; will retry",
                recovery="outbox relay working again",
                logger=log.bind(service=definition.name),
            ),
        )
        self.processor = (
            InboxProcessor(
                consumer=definition.name,
                source=definition.source,
                sessions=self.sessions,
                handlers=definition.handlers,
                contracts=contracts,
                dead_letters=dead_letters,
                max_attempts=settings.kafka.max_attempts,
                deferral=DeferralPolicy(
                    give_up_after=timedelta(minutes=settings.deferral.give_up_after_minutes),
                    first_retry=timedelta(seconds=settings.deferral.first_retry_seconds),
                    longest_wait=timedelta(seconds=settings.deferral.longest_wait_seconds),
                ),
                metrics=ConsumerMetrics(registry, service=definition.name) if registry is not None else None,
            )
            if definition.handlers
            else None
        )

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, source=self.definition.source)

    async def start(self) -> None:
        # Nothing here waits for Kafka: the relay and consumers connect (and reconnect) on their own.
        name = self.definition.name
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{name}-relay"))
        if self.broker is not None:
            # Notices a lost broker even when nothing is published or consumed; `/ready` reads the result.
            every = min(max(self.settings.kafka.ready_grace_seconds / 3, 0.5), 5.0)
            probe = watch_broker(
                self.settings.kafka.bootstrap_servers,
                self.broker.component("probe", service=name),
                every=every,
                timeout_s=min(every, 2.0),
            )
            self._tasks.append(asyncio.create_task(probe, name=f"{name}-broker-probe"))
        if self.processor is not None:
            if self._kafka is not None:
                assert self.broker is not None
                self.consumer = KafkaInboxConsumer(
                    processor=self.processor,
                    settings=self.settings.kafka,
                    group_id=name,
                    connection=self.broker.component(
                        "consumer",
                        failure="consumer restarting",
                        recovery="consumer connected again",
                        service=name,
                    ),
                )
                self._tasks.append(
                    asyncio.create_task(self.consumer.run(), name=f"{self.definition.name}-consumer")
                )
            else:
                assert self._bus is not None
                self._bus.subscribe(self.processor)
        if self.definition.on_start is not None:
            await self.definition.on_start(self)

    async def retry_dead_letters(self, event_ids: Collection[UUID] = ()) -> dict[UUID, str]:
        """Retry this service's dead letters (those of `event_ids`, or all) from their copies on the dead-letter
        topics, with the runtime not started (an operator's command); see `shared.messaging.redrive`."""
        if self.processor is None or self._kafka is None:
            raise NotReady(f"{self.definition.name} consumes no Kafka topic: it has no dead letters to retry")
        await self._kafka.start()
        try:
            return await redrive.retry(self.processor, self.engine, self.settings.kafka, event_ids)
        finally:
            await self._kafka.stop()

    def spawn(self, work: Coroutine[Any, Any, object], *, name: str) -> None:
        """Run background work owned by this service: cancelled on shutdown, its failure logged."""
        task = asyncio.create_task(work, name=f"{self.definition.name}-{name}")
        self._work.add(task)

        def finished(done: asyncio.Task[object]) -> None:
            self._work.discard(done)
            if not done.cancelled() and done.exception() is not None:
                log.error("background work failed", task=done.get_name(), error=repr(done.exception()))

        task.add_done_callback(finished)

    async def stop(self) -> None:
        everything = [*self._tasks, *self._work]
        for task in everything:
            task.cancel()
        for task in everything:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._kafka is not None:
            await self._kafka.stop()
        await self.engine.dispose()

    async def ready(self) -> None:
        """Raise `NotReady` naming what is not: the database (or its migrations), the broker, a task.

        The broker's part costs nothing here: it is what the publisher, consumer and probe last saw.
        """
        problems: list[str] = []
        try:
            if behind := await self._migrations_behind():
                problems.append(behind)
        except Exception as exc:
            problems.append(f"database: {str(exc) or type(exc).__name__}")
        if self.broker is not None:
            problems += self.broker.unreachable(self.settings.kafka.ready_grace_seconds)
        problems += [f"background task {t.get_name()} has stopped" for t in self._tasks if t.done()]
        if problems:
            raise NotReady("; ".join(problems))

    async def _migrations_behind(self) -> str | None:
        if self._migrations is None:
            self._migrations = ScriptDirectory(str(self.definition.migrations))
        async with self.engine.connect() as connection:
            return await migrations_behind(connection, self._migrations)


def runtime_of(request: Request) -> ServiceRuntime:
    runtime = request.app.state.runtime
    assert isinstance(runtime, ServiceRuntime)
    return runtime


def unit_of_work(request: Request) -> UnitOfWork:
    return runtime_of(request).unit_of_work()


UnitOfWorkDep = Annotated[UnitOfWork, Depends(unit_of_work)]


def clock(request: Request) -> Clock:
    return runtime_of(request).clock


def today(request: Request) -> date:
    """The bureau's business date, from the process's one clock."""
    return runtime_of(request).clock.today()


ClockDep = Annotated[Clock, Depends(clock)]
TodayDep = Annotated[date, Depends(today)]


class Jobs:
    """Background work a request starts: owned by the service's runtime (cancelled on shutdown, failures
    logged), with the runtime's units of work and clock. Work that must survive a restart keeps its
    progress in the database and is resumed by the service's `on_start`."""

    def __init__(self, request: Request) -> None:
        self._runtime = runtime_of(request)

    @property
    def units_of_work(self) -> Callable[[], UnitOfWork]:
        return self._runtime.unit_of_work

    @property
    def clock(self) -> Clock:
        return self._runtime.clock

    def start(self, work: Coroutine[Any, Any, object], *, name: str) -> None:
        self._runtime.spawn(work, name=name)


JobsDep = Annotated[Jobs, Depends()]


class Once:
    """Runs a money-moving request at most once per `Idempotency-Key` (`shared.idempotency`): a route takes
    it as a dependency (`OnceDep`), which also documents the header, and hands it the work."""

    def __init__(self, request: Request, key: IdempotencyKey) -> None:
        self._request, self._key = request, key

    async def run(
        self,
        caller: Principal,
        body: BaseModel | bytes | None,
        work: Callable[[], Awaitable[BaseModel]],
        *,
        status_code: int = 200,
    ) -> JSONResponse:
        """The first answer to this key (replayed, errors too), or `work`'s now; `body` identifies the request."""
        return await idempotent(
            runtime_of(self._request).sessions,
            subject=caller.subject,
            key=self._key,
            request_hash=fingerprint(self._request, body),
            instance=self._request.url.path,
            status_code=status_code,
            run=work,
        )


OnceDep = Annotated[Once, Depends()]


def personal_data(request: Request) -> PersonalData:
    """The service's encryption and blind-index tools (a service whose settings have a `pii` section)."""
    tools = request.app.state.personal_data
    assert isinstance(tools, PersonalData)
    return tools


PersonalDataDep = Annotated[PersonalData, Depends(personal_data)]
