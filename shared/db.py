"""Database plumbing: the async engine, the unit of work, and migrations."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import ColumnElement, MetaData, SQLColumnExpression, Table, event, inspect, text, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from shared.messaging.outbox import write
from shared.settings import DatabaseSettings

if TYPE_CHECKING:
    from shared.contracts.base import Event


MIGRATION_LOCK_KEY = 0x5AFE31


Scope = frozenset[str] | None
"""The districts a query may return rows of, or None for every district (Principal.district_scope)."""


def in_scope(district_column: SQLColumnExpression[str], scope: Scope) -> ColumnElement[bool]:
    """The WHERE clause that keeps a query inside the caller's districts: used by every scoped query."""
    return true() if scope is None else district_column.in_(scope)


async def insert_if_absent(session: AsyncSession, row: object) -> bool:
    """INSERT … ON CONFLICT DO NOTHING of an ORM object's set columns; True when the row went in.

    For rows a business key makes unique (a standard per date, a payment run per district and month):
    a second writer, or a redelivered event, adds nothing and learns so.
    """
    table = cast(Table, inspect(row).mapper.local_table)
    values = {c.key: getattr(row, c.key) for c in table.columns if getattr(row, c.key) is not None}
    result = await session.execute(
        pg_insert(table).values(values).on_conflict_do_nothing().returning(*table.primary_key.columns)
    )
    return result.first() is not None


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    engine = create_async_engine(
        settings.url,
        pool_size=settings.pool_size,
        pool_pre_ping=True,
        connect_args={"server_settings": {"timezone": "UTC", "application_name": "safetynet"}},
    )
    if settings.statement_timeout_ms:

        @event.listens_for(engine.sync_engine, "connect")
        def _statement_timeout(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"SET statement_timeout = {int(settings.statement_timeout_ms)}")
            cursor.close()

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class UnitOfWork:
    """One business transaction: its changes and the events it emits commit together or not at all.

    Every use case has this one shape, for a route and for an event alike:
    `async with uow: ...; await uow.commit()` — leaving the block without committing rolls back.
    A unit `joined` to an outer transaction (an inbox consumer's) only flushes on commit; the
    owner of the transaction commits it together with the inbox record. So an event's use case
    can be called from a route, a command or a test with a unit of its own.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        *,
        source: str,
        joined: AsyncSession | None = None,
    ) -> None:
        """A unit of its own transaction from `sessions`, or one `joined` to an open session's."""
        if (sessions is None) == (joined is None):
            raise ValueError("a unit of work takes either `sessions` or a `joined` session")
        self._sessions = sessions
        self._joined = joined
        self._session: AsyncSession | None = joined
        self.source = source
        self._events: list[Event] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        if self._joined is None:
            assert self._sessions is not None
            self._session = self._sessions()
            await self._session.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._joined is not None:
            return
        session = self.session
        self._events = []
        try:
            if exc is None:
                # A read-only use case returns what it loaded: detach it so the rollback below
                # does not expire it. Nothing uncommitted is written either way.
                session.expunge_all()
            if session.in_transaction():
                await session.rollback()
        finally:
            await session.close()
            self._session = None

    def emit(self, event: Event) -> None:
        """Stage an event for this transaction's outbox; it is published only if the unit commits."""
        self._events.append(event)

    async def commit(self) -> None:
        events, self._events = self._events, []
        await write(self.session, events, source=self.source)
        if self._joined is not None:
            await self.session.flush()
            return
        await self.session.commit()


def alembic_config(script_location: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def migrations_behind(connection: AsyncConnection, script: ScriptDirectory) -> str | None:
    """Why the database's Alembic revision is behind `script`'s migrations, or None if it is not.

    A revision these migrations do not know is a newer release's: that database is ahead, not behind.
    """
    table = await connection.scalar(text("SELECT to_regclass('alembic_version')"))
    current = (
        set((await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars())
        if table is not None
        else set()
    )
    heads = set(script.get_heads())
    if current == heads:
        return None
    if not current:
        return f"database has no migrations applied; head is {', '.join(sorted(heads))}"
    try:
        for revision in current:
            script.get_revision(revision)
    except CommandError:
        return None
    return f"database is at revision {', '.join(sorted(current))}, behind head {', '.join(sorted(heads))}"


def upgrade(script_location: Path, url: str, revision: str = "head") -> None:
    """Apply a service's migrations; synchronous, so call it through `asyncio.to_thread`."""
    command.upgrade(alembic_config(script_location, url), revision)


def downgrade(script_location: Path, url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(script_location, url), revision)


def run_env(metadata: Sequence[MetaData]) -> None:
    """Body of every service's `migrations/env.py`: run the migrations in one transaction."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None

    def migrate(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=list(metadata), compare_type=True)
        with context.begin_transaction():
            # Replicas starting together (init containers) migrate one after another, not at once.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                await connection.run_sync(migrate)
                await connection.commit()
        finally:
            await engine.dispose()

    asyncio.run(run())


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
