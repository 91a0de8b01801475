"""Events per second through outbox → Kafka → inbox, beside the same durable work done by hand on the same
broker and server in the same run (and bare aiokafka, for information).

Run from the repository root: `.venv/bin/python -m bench.messaging`. The last line is `ratio: X`, our
end-to-end time over the durable baseline's: the same business transactions and event rows written with
bare asyncpg, published in order by a bare idempotent `acks=all` producer and marked sent, and consumed
by a bare consumer that writes each polled batch's effects and dedupe keys in one transaction before
committing the offsets. 1.0 would mean our outbox, relay and inbox add nothing to that work.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench.memory import peak_rss_mib, reset_peak_rss
from bench.servers import scratch, server_in
from shared.contracts.base import Event
from shared.db import UnitOfWork, create_engine, session_factory
from shared.local import kafka as local_kafka
from shared.local import postgres
from shared.messaging.envelope import Envelope
from shared.messaging.inbox import BatchHandler, InboxProcessor, LoggedDeadLetters, Undecodable
from shared.messaging.kafka import KafkaInboxConsumer, KafkaPublisher, consumer_config, producer_config
from shared.messaging.outbox import OutboxRelay, outbox_rows
from shared.messaging.tables import inbox, outbox
from shared.settings import DatabaseSettings, KafkaSettings, OutboxSettings
from tests.kit import effects, item_recorded, items, prepare_database, record_effects, registry_for

HOME_VARIABLE = "SAFETYNET_BENCH_HOME"
WARM_UP_ITEM = -1  # one event through each path before the clock starts: group joined, connections open
SOURCE = "/safetynet/bench"


class BenchmarkFailed(RuntimeError):
    """The measured path lost, doubled or dead-lettered events: its figures would mean nothing."""


@dataclass(frozen=True)
class Round:
    seconds: float
    peak_rss_mib: float
    start_rss_mib: float
    detail: str


# --- ours: UnitOfWork.emit → outbox → OutboxRelay → KafkaPublisher → KafkaInboxConsumer → InboxProcessor, whose
# batch handler writes each delivered batch's effects in one statement, as the durable baseline does ---


class CountingInbox(InboxProcessor):
    """An InboxProcessor that says when N distinct events (of `counted` types, or any) are committed, so nothing
    polls the database."""

    def __init__(self, *, counted: Collection[str] | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.seen: set[UUID] = set()
        self._counted = counted
        self._progress = asyncio.Condition()

    async def process(self, items: Sequence[Envelope | Undecodable]) -> None:
        await super().process(items)  # returns once the batch's transaction has committed
        self.seen.update(
            item.id
            for item in items
            if self._counted is None or (isinstance(item, Envelope) and item.type in self._counted)
        )
        async with self._progress:
            self._progress.notify_all()

    async def wait_until(self, count: int) -> None:
        async with self._progress:
            await self._progress.wait_for(lambda: len(self.seen) >= count)


class TimedPublisher:
    """The relay's KafkaPublisher, noting when the last batch was acknowledged."""

    def __init__(self, inner: KafkaPublisher) -> None:
        self.inner = inner
        self.sent = 0
        self.last_ack = 0.0

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        await self.inner.publish(envelopes)
        self.sent += len(envelopes)
        self.last_ack = time.perf_counter()


async def business_transaction(
    sessions: async_sessionmaker[AsyncSession], contract: type[Event], numbers: Sequence[int]
) -> None:
    """What a service's use case does: a set-based insert of its rows, one event per row, one commit."""
    async with UnitOfWork(sessions, source=SOURCE) as uow:
        await uow.session.execute(insert(items), [{"item": n, "note": f"bench {n}"} for n in numbers])
        for number in numbers:
            uow.emit(contract(item=number))  # type: ignore[call-arg]
        await uow.commit()


async def run_ours(
    args: argparse.Namespace,
    kafka: KafkaSettings,
    urls: tuple[str, str],
    profiler: cProfile.Profile | None,
) -> Round:
    """A producing service's database and a consuming service's database, one relay, one consumer."""
    topic = f"bench.{uuid4().hex[:10]}.v1"
    contract = item_recorded(topic)
    await create_topic(kafka, topic)
    for url in urls:
        await (await prepare_database(url)).dispose()
    producer_db, consumer_db = (create_engine(DatabaseSettings(url=url)) for url in urls)
    sessions = session_factory(producer_db)
    publisher = TimedPublisher(KafkaPublisher(kafka))
    relay = OutboxRelay(
        engine=producer_db,
        sessions=sessions,
        publisher=publisher,
        settings=OutboxSettings(batch_size=args.relay_batch) if args.relay_batch else OutboxSettings(),
        name="bench",
    )
    processor = CountingInbox(
        consumer="bench",
        source=SOURCE,
        sessions=session_factory(consumer_db),
        handlers={"ItemRecorded": BatchHandler(record_effects)},
        contracts=registry_for(contract),
        dead_letters=LoggedDeadLetters(),
    )
    consumer = KafkaInboxConsumer(processor=processor, settings=kafka, group_id=f"bench-{topic}")
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]
    try:
        await business_transaction(sessions, contract, [WARM_UP_ITEM])
        await within(processor.wait_until(1), 120, "the warm-up event never reached the inbox")
        start_rss = reset_peak_rss()
        if profiler:
            profiler.enable()
        start = time.perf_counter()
        for first in range(0, args.rows, args.batch):
            await business_transaction(sessions, contract, range(first, min(first + args.batch, args.rows)))
        written = time.perf_counter() - start
        await within(
            processor.wait_until(args.rows + 1),
            deadline_s(args.rows),
            lambda: (
                f"the inbox has {len(processor.seen) - 1} of {args.rows}; relay sent {publisher.sent - 1}"
            ),
        )
        elapsed = time.perf_counter() - start
        if profiler:
            profiler.disable()
        peak = peak_rss_mib()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await publisher.inner.stop()
    await verify(producer_db, consumer_db, args.rows)
    await producer_db.dispose()
    await consumer_db.dispose()
    detail = f"write {written:.2f} s, last publish acked {publisher.last_ack - start:.2f} s"
    return Round(elapsed, peak, start_rss, detail)


async def verify(producer_db: AsyncEngine, consumer_db: AsyncEngine, rows: int) -> None:
    """One effect per event, every event processed once and none dead-lettered, no outbox row left unsent."""
    async with consumer_db.connect() as connection:
        measured = effects.c.item != WARM_UP_ITEM
        count, distinct, low, high = (
            await connection.execute(
                select(
                    func.count(),
                    func.count(effects.c.item.distinct()),
                    func.min(effects.c.item),
                    func.max(effects.c.item),
                ).where(measured)
            )
        ).one()
        statuses = (
            await connection.execute(select(inbox.c.status, func.count()).group_by(inbox.c.status))
        ).all()
    async with producer_db.connect() as connection:
        unsent = await connection.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
        )
    problems = []
    if (count, distinct, low, high) != (rows, rows, 0, rows - 1):
        problems.append(
            f"effects: {count} rows, {distinct} distinct, items {low}..{high}; expected {rows} of 0..{rows - 1}"
        )
    if dict(statuses) != {"processed": rows + 1}:  # the warm-up event too
        problems.append(f"inbox statuses {dict(statuses)}; expected {{'processed': {rows + 1}}}")
    if unsent:
        problems.append(f"{unsent} outbox rows never marked sent")
    if problems:
        raise BenchmarkFailed("; ".join(problems))


# --- the durable baseline: the same durable work by hand (asyncpg, bare aiokafka), none of our code ---


async def run_durable(args: argparse.Namespace, kafka: KafkaSettings, urls: tuple[str, str]) -> Round:
    """The same business transactions with their event rows (bare asyncpg), the rows published in order by an
    idempotent `acks=all` producer and marked sent, a consumer writing each polled batch's effects and dedupe
    keys (`ON CONFLICT DO NOTHING`) in one transaction before committing the offsets."""
    topic = f"bench.{uuid4().hex[:10]}.durable.v1"
    contract = item_recorded(topic)
    await create_topic(kafka, topic)
    for url in urls:
        await (await prepare_database(url)).dispose()
    writer, reader_db = [
        await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql")) for url in urls
    ]
    relay_db = await asyncpg.connect(urls[0].replace("postgresql+asyncpg", "postgresql"))
    producer = AIOKafkaProducer(**producer_config(kafka))
    consumer = AIOKafkaConsumer(topic, **consumer_config(kafka, f"bench-{topic}"))
    consumed = Counter()
    await producer.start()
    await consumer.start()
    tasks = [
        asyncio.create_task(relay_by_hand(relay_db, producer, kafka)),
        asyncio.create_task(consume_by_hand(consumer, reader_db, kafka, consumed)),
    ]
    try:
        await write_by_hand(writer, contract, [WARM_UP_ITEM])
        await within(consumed.wait_until(1), 120, "the warm-up event was never consumed")
        start_rss = reset_peak_rss()
        start = time.perf_counter()
        for first in range(0, args.rows, args.batch):
            await write_by_hand(writer, contract, range(first, min(first + args.batch, args.rows)))
        written = time.perf_counter() - start
        await within(
            consumed.wait_until(args.rows + 1),
            deadline_s(args.rows),
            lambda: f"consumed {consumed.count - 1} of {args.rows}",
        )
        elapsed = time.perf_counter() - start
        peak = peak_rss_mib()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await consumer.stop()
        await producer.stop()
        for connection in (writer, reader_db, relay_db):
            await connection.close()
    effects_written = consumed.count
    if effects_written != args.rows + 1:
        raise BenchmarkFailed(
            f"the durable baseline applied {effects_written - 1} events; expected {args.rows}"
        )
    return Round(elapsed, peak, start_rss, f"write {written:.2f} s")


async def write_by_hand(
    connection: asyncpg.Connection, contract: type[Event], numbers: Sequence[int]
) -> None:
    rows = outbox_rows([contract(item=n) for n in numbers], source=SOURCE)  # type: ignore[call-arg]
    async with connection.transaction():
        await connection.executemany(
            "INSERT INTO items (item, note) VALUES ($1, $2)", [(n, f"bench {n}") for n in numbers]
        )
        await connection.executemany(
            "INSERT INTO outbox (event_id, topic, key, type, source, subject, occurred_at, payload, correlation_id) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            [
                (
                    r["event_id"],
                    r["topic"],
                    r["key"],
                    r["type"],
                    r["source"],
                    r["subject"],
                    r["occurred_at"],
                    json.dumps(r["payload"]),
                    None,
                )
                for r in rows
            ],
        )


async def relay_by_hand(
    connection: asyncpg.Connection, producer: AIOKafkaProducer, kafka: KafkaSettings
) -> None:
    """Pending rows in commit order, published and acknowledged, then marked sent; a short sleep when idle."""
    batch = OutboxSettings().batch_size
    while True:
        rows = await connection.fetch(
            "SELECT seq, event_id, topic, key, type, source, subject, occurred_at, payload "
            "FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT $1",
            batch,
        )
        if not rows:
            await asyncio.sleep(0.005)
            continue
        messages = [
            Envelope(
                id=row["event_id"],
                type=row["type"],
                source=row["source"],
                time=row["occurred_at"],
                subject=row["subject"],
                topic=row["topic"],
                key=row["key"],
                data=json.dumps(
                    json.loads(row["payload"]), separators=(",", ":"), ensure_ascii=False
                ).encode(),
            )
            for row in rows
        ]
        await send_all_envelopes(producer, messages)
        await connection.execute(
            "UPDATE outbox SET sent_at = now() WHERE seq = ANY($1::bigint[])", [r["seq"] for r in rows]
        )


async def send_all_envelopes(producer: AIOKafkaProducer, envelopes: Sequence[Envelope]) -> None:
    pending = [
        await producer.send(e.topic, value=e.data, key=e.key.encode(), headers=e.kafka_headers())
        for e in envelopes
    ]
    await asyncio.gather(*pending)


async def consume_by_hand(
    consumer: AIOKafkaConsumer, connection: asyncpg.Connection, kafka: KafkaSettings, consumed: Counter
) -> None:
    """Per polled partition batch, one transaction: the dedupe keys, the effects of the new ones; then offsets."""
    while True:
        batches = await consumer.getmany(timeout_ms=500, max_records=kafka.batch_size)
        for partition, records in batches.items():
            by_id = {dict(r.headers)["ce_id"].decode(): r for r in records}
            async with connection.transaction():
                new = await connection.fetch(
                    'INSERT INTO inbox (consumer, event_id, type, topic, partition, "offset", status) '
                    "SELECT 'bench', id, 'ItemRecorded', $2, $3, o, 'processed' "
                    "FROM unnest($1::uuid[], $4::bigint[]) AS t(id, o) ON CONFLICT DO NOTHING RETURNING event_id",
                    list(by_id),
                    partition.topic,
                    partition.partition,
                    [r.offset for r in by_id.values()],
                )
                items_ = [json.loads(by_id[str(row["event_id"])].value)["item"] for row in new]
                await connection.executemany("INSERT INTO effects (item) VALUES ($1)", [(n,) for n in items_])
            await consumer.commit({partition: records[-1].offset + 1})
            await consumed.add(len(new))


# --- baseline: bare aiokafka, the same safety settings and messages, no database at all ---

Message = tuple[bytes, bytes, list[tuple[str, bytes]]]


def as_message(event: Event) -> Message:
    """Key, body and headers exactly as the relay builds them from the event's outbox row."""
    row = outbox_rows([event], source=SOURCE)[0]
    envelope = Envelope(
        id=event.event_id,
        type=str(row["type"]),
        source=SOURCE,
        time=event.occurred_at,
        subject=event.subject(),
        topic=event.topic,
        key=str(row["key"]),
        data=json.dumps(row["payload"], separators=(",", ":"), ensure_ascii=False).encode(),
    )
    return envelope.key.encode(), envelope.data, envelope.kafka_headers()


class Counter:
    def __init__(self) -> None:
        self.count = 0
        self._progress = asyncio.Condition()

    async def add(self, n: int) -> None:
        self.count += n
        async with self._progress:
            self._progress.notify_all()

    async def wait_until(self, count: int) -> None:
        async with self._progress:
            await self._progress.wait_for(lambda: self.count >= count)


async def send_all(producer: AIOKafkaProducer, topic: str, messages: Sequence[Message]) -> None:
    """As KafkaPublisher does: enqueue every record, then wait for every acknowledgement."""
    pending = [
        await producer.send(topic, value=value, key=key, headers=headers) for key, value, headers in messages
    ]
    await asyncio.gather(*pending)


async def consume(consumer: AIOKafkaConsumer, kafka: KafkaSettings, consumed: Counter) -> None:
    """KafkaInboxConsumer's loop without the database: a batch per partition, its offset committed after."""
    while True:
        batches = await consumer.getmany(timeout_ms=500, max_records=kafka.batch_size)
        for partition, records in batches.items():
            await consumer.commit({partition: records[-1].offset + 1})
            await consumed.add(len(records))


async def run_baseline(args: argparse.Namespace, kafka: KafkaSettings) -> Round:
    topic = f"bench.{uuid4().hex[:10]}.baseline.v1"
    await create_topic(kafka, topic)
    contract = item_recorded(topic)
    numbers = [WARM_UP_ITEM, *range(args.rows)]
    messages = [as_message(contract(item=n)) for n in numbers]  # type: ignore[call-arg]
    producer = AIOKafkaProducer(**producer_config(kafka))  # acks=all, idempotent, linger 5 ms
    consumer = AIOKafkaConsumer(topic, **consumer_config(kafka, f"bench-{topic}"))  # no auto-commit
    consumed = Counter()
    await producer.start()
    await consumer.start()
    reader = asyncio.create_task(consume(consumer, kafka, consumed))
    try:
        await send_all(producer, topic, messages[:1])
        await within(consumed.wait_until(1), 120, "the warm-up record was never consumed")
        start_rss = reset_peak_rss()
        start = time.perf_counter()
        await send_all(producer, topic, messages[1:])
        produced = time.perf_counter() - start
        await within(
            consumed.wait_until(args.rows + 1),
            deadline_s(args.rows),
            lambda: f"consumed {consumed.count - 1} of {args.rows}",
        )
        elapsed = time.perf_counter() - start
        peak = peak_rss_mib()
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        await consumer.stop()
        await producer.stop()
    if consumed.count != args.rows + 1:
        raise BenchmarkFailed(f"the baseline consumed {consumed.count - 1} records; expected {args.rows}")
    return Round(elapsed, peak, start_rss, f"produce {produced:.2f} s")


# --- servers, rounds and the command line ---


async def create_topic(kafka: KafkaSettings, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()


async def start_at_the_end(kafka: KafkaSettings, group: str, topic: str) -> None:
    """Commit `group`'s offsets at the end of every partition of `topic`, if it exists yet: a broker kept between
    runs (`SAFETYNET_BENCH_HOME`) holds earlier runs' events, which a group new to it would read first."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        described = (await admin.describe_topics([topic]))[0]
    finally:
        await admin.close()
    if described["error_code"] or not described["partitions"]:
        return
    partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
    reader = AIOKafkaConsumer(**consumer_config(kafka, group))
    await reader.start()
    try:
        reader.assign(partitions)
        await reader.commit(await reader.end_offsets(partitions))
    finally:
        await reader.stop()


def deadline_s(rows: int) -> float:
    return max(120.0, rows / 50)


async def within(waiting: Awaitable[None], seconds: float, why: str | Callable[[], str]) -> None:
    try:
        await asyncio.wait_for(waiting, seconds)
    except TimeoutError:
        raise BenchmarkFailed(f"not done within {seconds:.0f} s: {why() if callable(why) else why}") from None


@contextlib.contextmanager
def servers(home: Path | None) -> Iterator[tuple[postgres.PostgresServer, local_kafka.KafkaBroker]]:
    """A durable PostgreSQL and a Kafka broker under `home` (kept, stopped) or a temporary folder (removed)."""
    with server_in(home) as server, scratch(home) as root:
        broker = local_kafka.start(root / "kafka")
        try:
            yield server, broker
        finally:
            local_kafka.stop(root / "kafka")


async def durability(server: postgres.PostgresServer) -> str:
    connection = await asyncpg.connect(server.dsn("postgres"))
    try:
        fsync = await connection.fetchval("SHOW fsync")
        synchronous_commit = await connection.fetchval("SHOW synchronous_commit")
    finally:
        await connection.close()
    if (fsync, synchronous_commit) != ("on", "on"):
        raise BenchmarkFailed(
            f"PostgreSQL runs with fsync={fsync}, synchronous_commit={synchronous_commit}: a server "
            f"started without durability still runs under ${HOME_VARIABLE}; stop it first"
        )
    return f"fsync={fsync}, synchronous_commit={synchronous_commit}"


@contextlib.asynccontextmanager
async def databases(server: postgres.PostgresServer) -> AsyncIterator[tuple[str, str]]:
    """A fresh producer and consumer database for one round, dropped afterwards."""
    names = [f"bench_{side}_{uuid4().hex[:8]}" for side in ("producer", "consumer")]
    await postgres.ensure_databases(server, names)
    try:
        yield server.url(names[0]), server.url(names[1])
    finally:
        connection = await asyncpg.connect(server.dsn("postgres"))
        try:
            for name in names:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


def summary(rounds: list[Round], rows: int) -> str:
    """The median round's figures; the spread and the highest peak RSS over all rounds."""
    median = statistics.median_low(r.seconds for r in rounds)
    chosen = next(r for r in rounds if r.seconds == median)
    peak = max(rounds, key=lambda r: r.peak_rss_mib)
    spread = f" (median of {len(rounds)}: {min(r.seconds for r in rounds):.2f}–{max(r.seconds for r in rounds):.2f} s)"
    return (
        f"{chosen.detail}, end-to-end {median:.2f} s{spread if len(rounds) > 1 else ''}, "
        f"{rows / median:.0f} events/s, peak RSS {peak.peak_rss_mib:.0f} MiB (from {peak.start_rss_mib:.0f})"
    )


async def bench(
    args: argparse.Namespace, server: postgres.PostgresServer, broker: local_kafka.KafkaBroker
) -> None:
    print(f"rows: {args.rows}")
    print(f"postgres: durable ({await durability(server)}); {args.batch} events per business transaction")
    kafka = KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
    if args.consumer_batch:
        kafka = kafka.model_copy(update={"batch_size": args.consumer_batch})
    profiler = cProfile.Profile() if args.profile else None
    ours: list[Round] = []
    durable: list[Round] = []
    baseline: list[Round] = []
    for _ in range(args.rounds):
        # The baselines first in each round: memory ours leaves behind would otherwise count against them.
        baseline.append(await run_baseline(args, kafka))
        async with databases(server) as urls:
            durable.append(await run_durable(args, kafka, urls))
        async with databases(server) as urls:
            ours.append(await run_ours(args, kafka, urls, profiler))
    print(f"ours: {summary(ours, args.rows)}")
    print(f"durable baseline (bare asyncpg and aiokafka, the same commits): {summary(durable, args.rows)}")
    print(f"bare aiokafka (no database, for information): {summary(baseline, args.rows)}")
    if profiler:
        profiler.dump_stats(args.profile)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
        print(f"profile: {args.profile} (ours ran under cProfile, so its times above are inflated)")
    ratio = statistics.median_low(r.seconds for r in ours) / statistics.median_low(r.seconds for r in durable)
    print(f"ratio: {ratio:.2f}")


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.messaging", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="events through each path (default 10000)")
    parser.add_argument(
        "--batch", type=int, default=100, help="events per business transaction (default 100)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of both paths; medians reported (default 3)"
    )
    parser.add_argument("--relay-batch", type=int, help="OutboxSettings.batch_size (default: the setting's)")
    parser.add_argument(
        "--consumer-batch", type=int, help="KafkaSettings.batch_size (default: the setting's)"
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="run ours under cProfile and write the stats to FILE"
    )
    parser.add_argument(
        "--uvloop", action="store_true", help="run on uvloop, as uvicorn does in the services"
    )
    args = parser.parse_args(argv)
    if min(args.rows, args.batch, args.rounds) < 1:
        parser.error("--rows, --batch and --rounds must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    home = Path(value).resolve() if (value := os.environ.get(HOME_VARIABLE)) else None
    with servers(home) as (server, broker):
        if args.uvloop:
            import uvloop

            uvloop.run(bench(args, server, broker))
        else:
            asyncio.run(bench(args, server, broker))


if __name__ == "__main__":
    main()
