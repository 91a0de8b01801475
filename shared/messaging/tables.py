"""The outbox and inbox tables every service database has, and the migration that creates them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.schema import new_metadata

metadata = new_metadata()

outbox = Table(
    "outbox",
    metadata,
    Column("seq", BigInteger, Identity(), primary_key=True, comment="publication order"),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("topic", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("subject", Text),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("correlation_id", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Index("ix_outbox_pending", "seq", postgresql_where=text("sent_at IS NULL")),
    comment="events written in the same transaction as the change they report; the relay publishes them",
)

inbox = Table(
    "inbox",
    metadata,
    Column("consumer", Text, primary_key=True),
    Column("event_id", Uuid, primary_key=True),
    Column("type", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("partition", Integer),
    Column("offset", BigInteger),
    Column("status", Text, nullable=False, comment="processed | dead_lettered"),
    Column("error", Text),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index(
        "ix_inbox_dead_lettered",
        "consumer",
        "processed_at",
        postgresql_where=text("status = 'dead_lettered'"),
    ),
    comment="events a consumer has handled, recorded in the same transaction as the handler's effects",
)

deferred_events = Table(
    "deferred_events",
    metadata,
    Column("consumer", Text, primary_key=True),
    Column("event_id", Uuid, primary_key=True),
    Column("topic", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("subject", Text),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("data", LargeBinary, nullable=False, comment="the record's body, byte for byte"),
    Column("correlation_id", Text),
    Column("partition", Integer),
    Column("offset", BigInteger),
    Column("attempts", Integer, nullable=False, comment="handler runs that answered 'not yet'"),
    Column("first_deferred_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False, comment="the last 'not yet' reason"),
    Index("ix_deferred_events_due", "consumer", "next_attempt_at"),
    Index("ix_deferred_events_key", "consumer", "key"),
    comment="events a handler could not apply yet (a prerequisite event had not arrived); retried with backoff",
)


def create_messaging_tables() -> None:
    """Migration step shared by every service's first revision (messaging schema v1)."""
    from alembic import op

    bind = op.get_bind()
    metadata.create_all(bind, tables=[outbox, inbox])


def drop_messaging_tables() -> None:
    from alembic import op

    metadata.drop_all(op.get_bind(), tables=[inbox, outbox])


def create_deferred_events_table() -> None:
    """Migration step (messaging schema v2): where the inbox parks events that arrived too early."""
    from alembic import op

    metadata.create_all(op.get_bind(), tables=[deferred_events])


def drop_deferred_events_table() -> None:
    from alembic import op

    metadata.drop_all(op.get_bind(), tables=[deferred_events])
