"""The CloudEvents 1.0 envelope in Kafka binary mode: `ce_*` headers, JSON body, aggregate id as key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


class MalformedEnvelope(ValueError):
    """A Kafka record that is not a CloudEvent we can read; it goes to the dead-letter topic."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """One event as it travels: identity and routing in the envelope, business facts in `data`."""

    id: UUID
    type: str
    source: str
    time: datetime
    subject: str | None
    topic: str
    key: str
    data: bytes
    correlation_id: str | None = None
    partition: int | None = None
    offset: int | None = None

    @classmethod
    def stored(cls, row: Any, data: bytes) -> Envelope:
        """An envelope kept in a table (the outbox, the parked events): the row's columns, its body as `data`."""
        # The outbox has no partition or offset: asking a row for a missing column raises inside SQLAlchemy,
        # which cost more than the rest of this method together.
        located = "offset" in row._fields
        return cls(
            id=row.event_id,
            type=row.type,
            source=row.source,
            time=row.occurred_at,
            subject=row.subject,
            topic=row.topic,
            key=row.key,
            data=data,
            correlation_id=row.correlation_id,
            partition=row.partition if located else None,
            offset=row.offset if located else None,
        )

    def kafka_headers(self) -> list[tuple[str, bytes]]:
        headers = [
            ("ce_specversion", SPEC_VERSION.encode()),
            ("ce_id", str(self.id).encode()),
            ("ce_type", self.type.encode()),
            ("ce_source", self.source.encode()),
            ("ce_time", self.time.isoformat().encode()),
            ("content-type", CONTENT_TYPE.encode()),
        ]
        if self.subject is not None:
            headers.append(("ce_subject", self.subject.encode()))
        if self.correlation_id is not None:
            headers.append(("ce_correlationid", self.correlation_id.encode()))
        return headers

    @classmethod
    def from_kafka(cls, record: Any) -> Envelope:
        """Read an aiokafka ConsumerRecord; raises MalformedEnvelope when a required header is bad."""
        headers = {name: value.decode("utf-8", "replace") for name, value in record.headers or ()}
        try:
            if headers.get("ce_specversion") != SPEC_VERSION:
                raise MalformedEnvelope(f"ce_specversion must be {SPEC_VERSION!r}")
            return cls(
                id=UUID(headers["ce_id"]),
                type=headers["ce_type"],
                source=headers["ce_source"],
                time=datetime.fromisoformat(headers["ce_time"]),
                subject=headers.get("ce_subject"),
                topic=record.topic,
                key=(record.key or b"").decode(),
                data=record.value or b"",
                correlation_id=headers.get("ce_correlationid"),
                partition=record.partition,
                offset=record.offset,
            )
        except KeyError as missing:
            raise MalformedEnvelope(f"missing CloudEvents header {missing.args[0]}") from None
        except ValueError as bad:
            if isinstance(bad, MalformedEnvelope):
                raise
            raise MalformedEnvelope(f"unreadable CloudEvents header: {bad}") from None
