"""The `safetynet` command as a user runs it, one embedded workspace prepared for the command-line tests, and
the insurer's example subscriber run from outside the repository."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from safetynet.embedded import Workspace, prepare
from shared.local import postgres
from shared.local.kafka import KafkaBroker
from shared.settings import ServiceSettings
from tests.kit.deploy import without_service_settings

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "insurer_subscriber.py"
"""The insurer's example subscriber, run as an integrator would run it."""


def safetynet(
    *arguments: str, env: dict[str, str] | None = None, timeout_s: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the project's `safetynet` command from its virtualenv; never raises on a non-zero exit. With `env`,
    the command sees those variables and no other service settings (`without_service_settings`)."""
    command = [str(REPO / ".venv" / "bin" / "safetynet"), *arguments]
    environment = without_service_settings(env) if env is not None else None
    return subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=timeout_s, check=False
    )


@dataclass(frozen=True)
class Embedded:
    workspace: Path
    settings: dict[str, ServiceSettings]

    @property
    def option(self) -> tuple[str, str]:
        return ("--workspace", str(self.workspace))


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedded]:
    """The embedded default's workspace — its PostgreSQL started, every service migrated and seeded — made
    once for the command-line tests; each of them works in tables the others leave alone."""
    workspace = tmp_path_factory.mktemp("embedded") / "workspace"
    settings = prepare(Workspace(workspace))
    yield Embedded(workspace, settings)
    postgres.stop(workspace / "postgres", mode="immediate")


async def records_on(kafka: KafkaBroker, topics: tuple[str, ...]) -> int:
    """How many records the topics hold: a subscriber reading from the start reads them all."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers)
    await producer.start()
    try:
        partitions = [TopicPartition(t, n) for t in topics for n in await producer.partitions_for(t)]
    finally:
        await producer.stop()
    reader = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers)
    await reader.start()
    try:
        ends, starts = await reader.end_offsets(partitions), await reader.beginning_offsets(partitions)
    finally:
        await reader.stop()
    return sum(ends[p] - starts[p] for p in partitions)


async def subscribe(kafka: KafkaBroker, workdir: Path, *, group: str, max_events: int) -> tuple[str, str]:
    """Run the example as an integrator would, from outside the repository; (stdout, stderr)."""
    command = [
        sys.executable,
        str(EXAMPLE),
        "--bootstrap",
        kafka.bootstrap_servers,
        "--group",
        group,
        "--from-beginning",
        "--state",
        str(workdir / "seen.sqlite3"),
        "--max-events",
        str(max_events),
        "--idle-seconds",
        "20",
    ]
    done = await asyncio.to_thread(
        subprocess.run, command, cwd=workdir, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


def parsed(stdout: str) -> list[dict[str, str]]:
    lines = []
    for line in stdout.splitlines():
        event_type, *pairs = line.split(" ")
        lines.append({"type": event_type, **dict(pair.split("=", 1) for pair in pairs)})
    return lines
