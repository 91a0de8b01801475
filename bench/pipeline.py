"""Approval → payments and approval → insurer latency through Kafka at a steady rate, beside a bare aiokafka round
trip on the same broker.

Run from the repository root: `.venv/bin/python -m bench.pipeline`. Approvals (`CaseApproved`, 1–3 persons each)
are committed to eligibility's outbox at `--rate` per second; eligibility's, payments' and insurance's runtimes run
as deployed (`ServiceRuntime` on the Kafka bus: outbox relay, inbox consumer, the services' own handlers), each on
its own durable database, the topics with their declared partitions. Measured from each approval's commit: until
payments has committed its entitlements, and until insurance's `InsuredEnrolled` for its last person is read from
the broker by a subscriber (an insurer). The last line is `p99_ms: N`, approval → `InsuredEnrolled`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.memory import peak_rss_mib, reset_peak_rss
from bench.messaging import BenchmarkFailed, create_topic, durability, servers, start_at_the_end, within
from bench.servers import database
from safetynet.catalog import SERVICES
from shared.auth import ensure_dev_keypair
from shared.clock import BUSINESS_ZONE
from shared.contracts.eligibility import ApprovedBeneficiary, CaseApproved
from shared.contracts.insurance import ENROLLMENT_TOPIC
from shared.contracts.types import YearMonth
from shared.db import upgrade
from shared.local import kafka as local_kafka
from shared.local import postgres
from shared.messaging.envelope import Envelope, MalformedEnvelope
from shared.messaging.inbox import Undecodable
from shared.messaging.kafka import consumer_config, producer_config
from shared.pii import generate_pii_settings
from shared.service import ServiceRuntime
from shared.settings import AuthSettings, DatabaseSettings, KafkaSettings

HOME_VARIABLE = "SAFETYNET_BENCH_HOME"
SERVICES_RUN = ("eligibility", "payments", "insurance")
DISTRICT = "500103"
MONTHLY_FEN = 40_000


def approval(number: int) -> CaseApproved:
    """A dibao case of 1–3 new beneficiaries, decided today (Asia/Shanghai), paid from next month."""
    today = datetime.now(BUSINESS_ZONE).date()
    people = 1 + number % 3
    return CaseApproved(
        case_id=uuid4(),
        household_id=uuid4(),
        program="dibao",
        district_code=DISTRICT,
        start_month=YearMonth.of(today).next().label,
        beneficiaries=[
            ApprovedBeneficiary(
                person_id=uuid4(),
                base_fen=MONTHLY_FEN,
                add_on_fen=0,
                care_subsidy_fen=0,
                total_fen=MONTHLY_FEN,
                insurance_categories=["dibao"],
            )
            for _ in range(people)
        ],
        monthly_amount_fen=MONTHLY_FEN * people,
        decided_on=today,
    )


class Clocks:
    """When each approval committed, and when each step after it happened (`at[step][approval event id]`)."""

    def __init__(self) -> None:
        self.committed: dict[UUID, float] = {}  # approval event id → its commit
        self.persons: dict[UUID, UUID] = {}  # person → approval event id
        self.at: dict[str, dict[UUID, float]] = {step: {} for step in STEPS}
        self.enrolled: dict[UUID, float] = {}  # person → InsuredEnrolled read
        self.enrolments = 0  # InsuredEnrolled records read for our persons (more than persons: a duplicate)
        self._progress = asyncio.Condition()

    def note(self, step: str, ids: Iterable[UUID]) -> None:
        now, noted = time.perf_counter(), self.at[step]
        for event_id in ids:
            if event_id in self.committed:
                noted.setdefault(event_id, now)

    async def seen(self) -> None:
        async with self._progress:
            self._progress.notify_all()

    async def wait_until(self, approvals: set[UUID]) -> None:
        async with self._progress:
            await self._progress.wait_for(lambda: self.done(approvals))

    def done(self, approvals: set[UUID]) -> bool:
        return approvals <= self.at["payments committed"].keys() and all(
            person in self.enrolled for person, event in self.persons.items() if event in approvals
        )

    def steps_ms(self, approvals: set[UUID]) -> str:
        """The median time from the approval's commit to each step."""
        return ", ".join(
            f"{step} {statistics.median((self.at[step][e] - self.committed[e]) * 1000 for e in approvals):.0f} ms"
            for step in STEPS
        )

    def latencies_ms(self, approvals: set[UUID]) -> tuple[list[float], list[float]]:
        entitled = self.at["payments committed"]
        to_payments = [(entitled[e] - self.committed[e]) * 1000 for e in approvals]
        last_enrolled: dict[UUID, float] = {}
        for person, event in self.persons.items():
            if event in approvals:
                last_enrolled[event] = max(last_enrolled.get(event, 0.0), self.enrolled[person])
        to_insurer = [(last_enrolled[e] - self.committed[e]) * 1000 for e in approvals]
        return to_payments, to_insurer


STEPS = (
    "published",
    "payments received",
    "payments committed",
    "insurance received",
    "insurance committed",
)


def time_publication(runtime: ServiceRuntime, clocks: Clocks) -> None:
    """Note when eligibility's relay had each approval acknowledged by the broker."""
    publisher = runtime.relay._publisher
    publish = publisher.publish

    async def timed(envelopes: Sequence[Envelope]) -> None:
        await publish(envelopes)
        clocks.note("published", (envelope.id for envelope in envelopes))

    publisher.publish = timed  # type: ignore[method-assign]


def time_inbox(runtime: ServiceRuntime, clocks: Clocks, name: str) -> None:
    """Note when a service's inbox is given each approval and when it has committed it (`process` returns after
    the commit)."""
    processor = runtime.processor
    assert processor is not None
    process = processor.process

    async def timed(items: Sequence[Envelope | Undecodable]) -> None:
        clocks.note(f"{name} received", (item.id for item in items))
        await process(items)
        clocks.note(f"{name} committed", (item.id for item in items))
        await clocks.seen()

    processor.process = timed  # type: ignore[method-assign]


async def read_enrolments(reader: AIOKafkaConsumer, clocks: Clocks) -> None:
    """An insurer's subscriber: notes when each of our persons' `InsuredEnrolled` is read."""
    while True:
        batches = await reader.getmany(timeout_ms=500)
        now = time.perf_counter()
        for records in batches.values():
            for record in records:
                try:
                    envelope = Envelope.from_kafka(record)
                except MalformedEnvelope:
                    continue
                person = UUID(envelope.key)
                if envelope.type == "InsuredEnrolled" and person in clocks.persons:
                    clocks.enrolments += 1
                    clocks.enrolled.setdefault(person, now)
        if batches:
            await clocks.seen()


@contextlib.asynccontextmanager
async def running(
    server: postgres.PostgresServer, kafka: KafkaSettings, keys: Path
) -> AsyncIterator[dict[str, ServiceRuntime]]:
    """Eligibility, payments and insurance as deployed, each on a fresh migrated database of its own."""
    _, public_key = ensure_dev_keypair(keys)
    async with contextlib.AsyncExitStack() as stack:
        runtimes: dict[str, ServiceRuntime] = {}
        for name in SERVICES_RUN:
            entry = SERVICES[name]
            db = await stack.enter_async_context(database(server, f"bench_pipeline_{name}"))
            url = server.url(db)
            await asyncio.to_thread(upgrade, entry.definition.migrations, url)
            settings = entry.settings.model_validate(
                {
                    "environment": "development",
                    "bus": "kafka",
                    "database": DatabaseSettings(url=url),
                    "auth": AuthSettings(issuer="bench", audience="safetynet", public_key_file=public_key),
                    "kafka": kafka.model_copy(update={"client_id": name}),
                    **({"pii": generate_pii_settings()} if "pii" in entry.settings.model_fields else {}),
                }
            )
            runtime = ServiceRuntime(entry.definition, settings, bus=None)
            stack.push_async_callback(runtime.stop)
            if entry.definition.seed is not None:
                await entry.definition.seed(runtime.unit_of_work(), seeded_by="bench")
            runtimes[name] = runtime
        yield runtimes


async def approve(runtime: ServiceRuntime, event: CaseApproved, clocks: Clocks) -> None:
    """The approval's transaction as eligibility ends it: the event row committed to its outbox."""
    async with runtime.unit_of_work() as uow:
        uow.emit(event)
        await uow.commit()
    clocks.committed[event.event_id] = time.perf_counter()


async def drive(
    runtime: ServiceRuntime, events: Sequence[CaseApproved], rate: float, clocks: Clocks
) -> float:
    """Commit the approvals at `rate` per second, each on its own schedule (a slow commit delays no other);
    returns the seconds it took."""
    for event in events:
        for line in event.beneficiaries:
            clocks.persons[line.person_id] = event.event_id
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    for number, event in enumerate(events):
        await asyncio.sleep(max(start + number / rate - loop.time(), 0))
        tasks.append(asyncio.create_task(approve(runtime, event, clocks)))
    await asyncio.gather(*tasks)
    return loop.time() - start


async def run_pipeline(
    args: argparse.Namespace, server: postgres.PostgresServer, kafka: KafkaSettings
) -> tuple[list[float], list[float], str]:
    clocks = Clocks()
    with tempfile.TemporaryDirectory(prefix="safetynet-bench-keys-") as keys:
        async with running(server, kafka, Path(keys)) as runtimes:
            time_publication(runtimes["eligibility"], clocks)
            time_inbox(runtimes["payments"], clocks, "payments")
            time_inbox(runtimes["insurance"], clocks, "insurance")
            reader = AIOKafkaConsumer(
                ENROLLMENT_TOPIC, **consumer_config(kafka, f"bench-insurer-{uuid4().hex[:8]}")
            )
            for name, runtime in runtimes.items():
                for topic in runtime.processor.topics if runtime.processor is not None else ():
                    await start_at_the_end(kafka, name, topic)  # the service's group: its name
                await runtime.start()
            await reader.start()
            reading = asyncio.create_task(read_enrolments(reader, clocks))
            try:
                warm_up = approval(0)
                await drive(runtimes["eligibility"], [warm_up], args.rate, clocks)
                await within(
                    clocks.wait_until({warm_up.event_id}), 120, "the warm-up approval never reached both"
                )
                events = [approval(n) for n in range(args.rows)]
                start_rss = reset_peak_rss()
                took = await drive(runtimes["eligibility"], events, args.rate, clocks)
                measured = {event.event_id for event in events}
                await within(
                    clocks.wait_until(measured),
                    120,
                    lambda: (
                        f"payments committed {len(measured & clocks.at['payments committed'].keys())} of {len(measured)} approvals; "
                        f"{len(clocks.enrolled) - len(warm_up.beneficiaries)} of "
                        f"{len(clocks.persons) - len(warm_up.beneficiaries)} persons enrolled"
                    ),
                )
                peak = peak_rss_mib()
            finally:
                reading.cancel()
                await asyncio.gather(reading, return_exceptions=True)
                await reader.stop()
            persons = sum(len(event.beneficiaries) for event in events) + len(warm_up.beneficiaries)
            await verify(runtimes["payments"], persons)
    duplicates = clocks.enrolments - len(clocks.persons)
    detail = (
        f"{args.rows} approvals ({persons - len(warm_up.beneficiaries)} persons) committed in {took:.1f} s "
        f"({args.rows / took:.0f}/s), {duplicates} duplicate InsuredEnrolled read, "
        f"peak RSS {peak:.0f} MiB (from {start_rss:.0f}); median from the commit: {clocks.steps_ms(measured)}"
    )
    return *clocks.latencies_ms(measured), detail


async def verify(payments: ServiceRuntime, persons: int) -> None:
    """Payments opened one entitlement per person, none twice, and dead-lettered nothing."""
    async with payments.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        entitlements, distinct = await driver.fetchrow(
            "SELECT count(*), count(DISTINCT (case_id, person_id)) FROM entitlements"
        )
        letters = await driver.fetchval("SELECT count(*) FROM inbox WHERE status <> 'processed'")
    if (entitlements, distinct, letters) != (persons, persons, 0):
        raise BenchmarkFailed(
            f"payments has {entitlements} entitlements ({distinct} distinct) and {letters} dead letters; "
            f"expected {persons} and none"
        )


async def round_trips(args: argparse.Namespace, kafka: KafkaSettings) -> list[float]:
    """Bare aiokafka with the same safety settings: one record produced and read back at the same rate."""
    topic = f"bench.{uuid4().hex[:10]}.rtt.v1"
    await create_topic(kafka, topic)
    producer = AIOKafkaProducer(**producer_config(kafka))
    reader = AIOKafkaConsumer(topic, **consumer_config(kafka, f"bench-{topic}"))
    sent: dict[bytes, float] = {}
    read: dict[bytes, float] = {}
    count = min(args.rows, int(args.rate * 10))
    arrived = asyncio.Condition()

    async def consume() -> None:
        while True:
            batches = await reader.getmany(timeout_ms=500)
            now = time.perf_counter()
            for records in batches.values():
                for record in records:
                    read.setdefault(record.key, now)
            async with arrived:
                arrived.notify_all()

    async def until(condition: Callable[[], bool]) -> None:
        async with arrived:
            await arrived.wait_for(condition)

    await producer.start()
    await reader.start()
    consuming = asyncio.create_task(consume())
    try:
        await producer.send_and_wait(topic, key=b"warm-up", value=b"{}")
        await within(until(lambda: b"warm-up" in read), 60, "the warm-up record was never read")
        loop = asyncio.get_running_loop()
        start = loop.time()
        pending = []
        for n in range(count):
            await asyncio.sleep(max(start + n / args.rate - loop.time(), 0))
            key = str(n).encode()
            sent[key] = time.perf_counter()
            pending.append(await producer.send(topic, key=key, value=b"{}"))
        await asyncio.gather(*pending)
        await within(until(lambda: sent.keys() <= read.keys()), 60, "records were never read back")
    finally:
        consuming.cancel()
        await asyncio.gather(consuming, return_exceptions=True)
        await reader.stop()
        await producer.stop()
    return [(read[key] - sent[key]) * 1000 for key in sent]


def percentiles(name: str, values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return f"{name}: p50 {cuts[49]:.0f} ms, p99 {cuts[98]:.0f} ms, max {max(values):.0f} ms ({len(values)} samples)"


async def bench(
    args: argparse.Namespace, server: postgres.PostgresServer, broker: local_kafka.KafkaBroker
) -> None:
    kafka = KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
    print(
        f"rows: {args.rows} approvals at {args.rate:g}/s; load average {os.getloadavg()[0]:.1f} at the start"
    )
    print(
        f"postgres: durable ({await durability(server)}); Kafka {broker.bootstrap_servers}, topics as declared"
    )
    to_payments, to_insurer, detail = await run_pipeline(args, server, kafka)
    rtt = await round_trips(args, kafka)
    print(f"pipeline: {detail}")
    print(percentiles("approval → entitlements committed in payments", to_payments))
    print(percentiles("approval → InsuredEnrolled read from the broker", to_insurer))
    print(percentiles("bare aiokafka round trip (acks=all, idempotent, read_committed)", rtt))
    print(f"p99_ms: {statistics.quantiles(to_insurer, n=100, method='inclusive')[98]:.0f}")


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pipeline", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument(
        "--rows", type=int, default=6_000, help="approvals to drive (default 6000: 60 s at 100/s)"
    )
    parser.add_argument(
        "--rate", type=float, default=100.0, help="approvals committed per second (default 100)"
    )
    args = parser.parse_args(argv)
    if args.rows < 100 or args.rate <= 0:
        parser.error("--rows must be at least 100 and --rate positive")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    home = Path(value).resolve() if (value := os.environ.get(HOME_VARIABLE)) else None
    with servers(home) as (server, broker):
        asyncio.run(bench(args, server, broker))


if __name__ == "__main__":
    main()
