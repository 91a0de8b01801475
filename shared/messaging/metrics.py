"""A service's messaging for Prometheus: the outbox backlog and its age, dead-lettered and parked events and the
consumer group's lag, read when `/metrics` is scraped (the alerts' inputs; docs/runbooks.md says what each
alert means and what to do); and what the consumer did, counted as it happens."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.messaging.inbox import DEAD_LETTERED
from shared.messaging.kafka import KafkaInboxConsumer
from shared.messaging.tables import deferred_events, inbox, outbox
from shared.observability import get_logger

log = get_logger(__name__)

LAG_TIMEOUT_S = 2.0
"""How long a scrape waits for the broker's offsets; past it the lag keeps its last value."""


class MessagingWatch:
    """Refreshes the messaging gauges of one service; each query is served by a partial index or a small table."""

    def __init__(
        self,
        engine: AsyncEngine,
        registry: CollectorRegistry,
        *,
        service: str,
        consumer: Callable[[], KafkaInboxConsumer | None] = lambda: None,
    ) -> None:
        """`consumer`: the service's Kafka consumer, whose lag to report, once it has one."""
        self._engine, self._consumer, self._service = engine, consumer, service
        self._pending = Gauge(
            "safetynet_outbox_pending_events",
            "Events committed to the outbox and not yet acknowledged by the broker",
            ["service"],
            registry=registry,
        )
        self._oldest = Gauge(
            "safetynet_outbox_oldest_pending_age_seconds",
            "Age of the oldest event not yet acknowledged by the broker; 0 when none is pending",
            ["service"],
            registry=registry,
        )
        self._dead = Gauge(
            "safetynet_inbox_dead_lettered_events",
            "Events this service's consumer refused after validation or bounded retries (kept in its inbox)",
            ["service"],
            registry=registry,
        )
        self._parked = Gauge(
            "safetynet_inbox_deferred_events",
            "Events parked until the event they depend on arrives, retried with backoff",
            ["service"],
            registry=registry,
        )
        self._lag = Gauge(
            "safetynet_consumer_lag_records",
            "Records on the topic partition after the consumer group's committed offset",
            ["service", "topic", "partition"],
            registry=registry,
        )

    async def __call__(self) -> list[str]:
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(
                        select(func.count()).where(outbox.c.sent_at.is_(None)).scalar_subquery(),
                        select(func.extract("epoch", func.now() - func.min(outbox.c.created_at)))
                        .where(outbox.c.sent_at.is_(None))
                        .scalar_subquery(),
                        select(func.count()).where(inbox.c.status == DEAD_LETTERED).scalar_subquery(),
                        select(func.count()).select_from(deferred_events).scalar_subquery(),
                    )
                )
            ).one()
        pending, oldest_age_s, dead, parked = row
        self._pending.labels(self._service).set(pending)
        self._oldest.labels(self._service).set(max(float(oldest_age_s or 0), 0))
        self._dead.labels(self._service).set(dead)
        self._parked.labels(self._service).set(parked)
        if (consumer := self._consumer()) is not None:
            await self._refresh_lag(consumer)
        return []

    async def _refresh_lag(self, consumer: KafkaInboxConsumer) -> None:
        try:
            lag = await asyncio.wait_for(consumer.lag(), LAG_TIMEOUT_S)
        except Exception as exc:  # the broker is away or slow: readiness and its alert say so
            log.debug("consumer lag unknown", error=repr(exc))
            return
        self._lag.clear()  # partitions a rebalance gave to another replica are that replica's to report
        for (topic, partition), records in lag.items():
            self._lag.labels(service=self._service, topic=topic, partition=str(partition)).set(records)


class ConsumerMetrics:
    """What a service's consumer did: events settled by type and outcome, handler and batch durations."""

    def __init__(self, registry: CollectorRegistry, *, service: str) -> None:
        self._service = service
        self._settled = Counter(
            "safetynet_events_settled",
            "Events the consumer settled, by type and outcome (processed or dead_lettered), once committed",
            ["service", "type", "outcome"],
            registry=registry,
        )
        self._handler = Histogram(
            "safetynet_handler_duration_seconds",
            "One handler call, by event type (retries each count)",
            ["service", "type"],
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self._batch = Histogram(
            "safetynet_inbox_batch_duration_seconds",
            "A delivered batch, from its first handler to its commit",
            ["service"],
            registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )

    def settled(self, records: Sequence[Mapping[str, Any]], *, batch_s: float | None = None) -> None:
        for record in records:
            self._settled.labels(self._service, record["type"], record["status"]).inc()
        if batch_s is not None:
            self._batch.labels(self._service).observe(batch_s)

    def handled_in(self, event_type: str, seconds: float) -> None:
        self._handler.labels(self._service, event_type).observe(seconds)
