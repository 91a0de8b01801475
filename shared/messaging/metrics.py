"""What Prometheus alerts on in a service's messaging, read when `/metrics` is scraped: the outbox backlog and
its age, dead-lettered and parked events, and the consumer group's lag. docs/runbooks.md says what each
alert on them means and what to do."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Gauge
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
