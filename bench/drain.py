"""After a standard change: eligibility's outbox drained through Kafka into payments, until payments has applied
every `CaseAmountChanged` of the run (`bench.recalculation` reports it beside its ratio)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from uuid import uuid4

import asyncpg

from bench.messaging import BenchmarkFailed, CountingInbox, start_at_the_end, within
from bench.servers import migrated
from services.payments.consumers import HANDLERS
from services.payments.main import DEFINITION as PAYMENTS
from shared.contracts.catalogue import registry
from shared.contracts.eligibility import CASE_TOPIC
from shared.db import create_engine, session_factory
from shared.local import postgres
from shared.local.kafka import KafkaBroker
from shared.messaging.inbox import LoggedDeadLetters
from shared.messaging.kafka import KafkaInboxConsumer, KafkaPublisher
from shared.messaging.outbox import OutboxRelay
from shared.settings import DatabaseSettings, KafkaSettings, OutboxSettings

# Payments' entitlements as CaseApproved would have left them: one per active beneficiary of an active case.
ENTITLEMENTS_SQL = """
SELECT gen_random_uuid() AS id, c.id AS case_id, cb.person_id, c.household_id, c.program AS benefit,
       c.district_code, c.start_month, cb.base_fen, cb.add_on_fen, cb.care_subsidy_fen,
       cb.base_fen + cb.add_on_fen + cb.care_subsidy_fen AS total_fen
FROM cases c JOIN case_beneficiaries cb ON cb.case_id = c.id
WHERE c.status = 'active' AND cb.active
"""


@dataclass(frozen=True)
class Drained:
    seconds: float
    events: int
    detail: str


async def seed_payments(eligibility: asyncpg.Connection, payments: asyncpg.Connection) -> int:
    """Copy the entitlements (and their first amounts) payments holds for the active cases; returns how many."""
    rows = await eligibility.fetch(ENTITLEMENTS_SQL)
    await payments.copy_records_to_table(
        "entitlements",
        records=[
            (
                r["id"],
                r["case_id"],
                r["person_id"],
                r["household_id"],
                r["benefit"],
                r["district_code"],
                r["start_month"],
            )
            for r in rows
        ],
        columns=["id", "case_id", "person_id", "household_id", "benefit", "district_code", "start_month"],
    )
    await payments.copy_records_to_table(
        "entitlement_amounts",
        records=[
            (
                r["id"],
                r["start_month"],
                r["base_fen"],
                r["add_on_fen"],
                r["care_subsidy_fen"],
                r["total_fen"],
                "approved",
                [],
                r["case_id"],
            )
            for r in rows
        ],
        columns=[
            "entitlement_id",
            "from_month",
            "base_fen",
            "add_on_fen",
            "care_subsidy_fen",
            "total_fen",
            "reason",
            "back_pay_months",
            "event_id",
        ],
    )
    await payments.execute("VACUUM ANALYZE entitlements, entitlement_amounts")
    return len(rows)


async def drain_to_payments(
    server: postgres.PostgresServer,
    broker: KafkaBroker,
    eligibility_url: str,
    eligibility: asyncpg.Connection,
    events: int,
) -> Drained:
    """Eligibility's relay (publishing the run's outbox rows) and payments' consumer (its own handlers, inbox and
    database), started together; timed until payments' inbox has settled all `events`."""
    kafka = KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
    async with migrated(server, "bench_recalculation_payments", PAYMENTS) as payments:
        entitlements = await seed_payments(eligibility, payments.connection)
        source = create_engine(DatabaseSettings(url=eligibility_url))
        publisher = KafkaPublisher(kafka)
        relay = OutboxRelay(
            engine=source,
            sessions=session_factory(source),
            publisher=publisher,
            settings=OutboxSettings(),
            name="eligibility",
        )
        inbox = CountingInbox(
            consumer=PAYMENTS.name,
            source=PAYMENTS.source,
            sessions=session_factory(payments.engine),
            handlers=HANDLERS,
            contracts=registry,
            dead_letters=LoggedDeadLetters(),
            counted={"CaseAmountChanged"},
        )
        # A broker kept between runs (`SAFETYNET_BENCH_HOME`) holds earlier runs' events: start after them.
        group = f"{PAYMENTS.name}-{uuid4().hex[:8]}"
        await start_at_the_end(kafka, group, CASE_TOPIC)
        consumer = KafkaInboxConsumer(processor=inbox, settings=kafka, group_id=group)
        start = time.perf_counter()
        tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]
        try:
            await within(
                inbox.wait_until(events),
                max(300.0, events / 100),
                lambda: f"payments settled {len(inbox.seen)} of {events} CaseAmountChanged",
            )
            seconds = time.perf_counter() - start
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await publisher.stop()
            await source.dispose()
        applied, letters, parked = await payments.connection.fetchrow(
            "SELECT count(*) FILTER (WHERE status = 'processed'), count(*) FILTER (WHERE status <> 'processed'),"
            " (SELECT count(*) FROM deferred_events) FROM inbox WHERE type = 'CaseAmountChanged'"
        )
        changed = await payments.connection.fetchval(
            "SELECT count(DISTINCT entitlement_id) FROM entitlement_amounts WHERE reason = 'standard_change'"
        )
    if (applied, letters, parked, changed) != (events, 0, 0, entitlements):
        raise BenchmarkFailed(
            f"payments applied {applied} CaseAmountChanged ({letters} dead-lettered, {parked} parked) and moved "
            f"{changed} of {entitlements} entitlements to the new amounts; expected {events}, none, none, all"
        )
    return Drained(
        seconds,
        events,
        f"{events} CaseAmountChanged through Kafka applied by payments in {seconds:.2f} s "
        f"({events / seconds:.0f}/s), {entitlements} entitlements at the new amounts",
    )
