"""What a local broker is, where its files live, and the KRaft configuration and storage format it runs with."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

DEPLOY_DIR = Path(__file__).resolve().parents[3] / "deploy" / "kafka"
POM = DEPLOY_DIR / "pom.xml"
LOG4J2_CONFIG = DEPLOY_DIR / "log4j2.properties"
HOST = "127.0.0.1"
NODE_ID = 1
MAIN_CLASS = "kafka.Kafka"
# Put on the java command line so a process can be recognised as the broker of one home.
HOME_PROPERTY = "safetynet.kafka.home"

CLASSPATH_DIR = "classpath"
DATA_DIR = "data"
SERVER_PROPERTIES = "server.properties"
PID_FILE = "broker.pid"
PORTS_FILE = "ports.json"
CLUSTER_ID_FILE = "cluster.id"
BROKER_LOG = "broker.log"  # the JVM's stdout and stderr
SERVER_LOG = "server.log"  # the broker's own log, written by log4j2

_FORMAT_TIMEOUT_S = 120.0


class KafkaBrokerError(RuntimeError):
    """The local broker could not be fetched, started or stopped; the message says why."""


class _ExitedEarly(KafkaBrokerError):
    pass


@dataclass(frozen=True)
class KafkaBroker:
    """A local broker rooted at `home`, which holds its classpath, data, config, PID and logs."""

    home: Path
    port: int
    controller_port: int
    pid: int

    @property
    def bootstrap_servers(self) -> str:
        return f"{HOST}:{self.port}"


def _jvm_options(home: Path, heap_mb: int) -> list[str]:
    return [
        f"-Xms{min(256, heap_mb)}m",
        f"-Xmx{heap_mb}m",
        # One collector thread: the broker shares two cores with PostgreSQL and the services.
        "-XX:+UseSerialGC",
        # C1 only: starts about a third faster on two cores; a local broker needs no peak throughput.
        "-XX:TieredStopAtLevel=1",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        f"-D{HOME_PROPERTY}={home}",
        f"-Dlog4j2.configurationFile={LOG4J2_CONFIG}",
        f"-Dkafka.logs.dir={home}",
    ]


def _format(
    home: Path, java: str, jvm: list[str], classpath: Path, cluster_id: str, properties: Path
) -> None:
    command = [java, *jvm, "-cp", str(classpath / "*"), "kafka.tools.StorageTool", "format"]
    command += ["-t", cluster_id, "-c", str(properties), "--ignore-formatted"]
    try:
        result = subprocess.run(
            command, cwd=home, capture_output=True, text=True, check=False, timeout=_FORMAT_TIMEOUT_S
        )
    except subprocess.TimeoutExpired as exc:
        raise KafkaBrokerError(
            f"formatting {home / DATA_DIR} took longer than {_FORMAT_TIMEOUT_S:.0f} s"
        ) from exc
    if result.returncode != 0:
        raise KafkaBrokerError(
            f"formatting {home / DATA_DIR} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        )


def _cluster_id(home: Path) -> str:
    # A formatted store knows its cluster id; it wins over the file should the two disagree.
    meta = home / DATA_DIR / "meta.properties"
    if meta.is_file():
        for line in meta.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "cluster.id":
                return value.strip()
    path = home / CLUSTER_ID_FILE
    if path.is_file():
        return path.read_text().strip()
    cluster_id = _new_cluster_id()
    _write_atomically(path, cluster_id + "\n")
    return cluster_id


def _new_cluster_id() -> str:
    # Kafka's own Uuid.randomUuid() also rejects ids starting with "-": they read as CLI options.
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _choose_ports(home: Path, port: int | None) -> tuple[int, int]:
    recorded: dict[str, int] = {}
    with contextlib.suppress(OSError, ValueError):
        loaded = json.loads((home / PORTS_FILE).read_text())
        if isinstance(loaded, dict):
            recorded = loaded
    broker_port = port if port is not None else _reuse_or_free(recorded.get("port"), avoid=set())
    if not _is_free(broker_port):
        raise KafkaBrokerError(
            f"port {broker_port} on {HOST} is already in use; pick another or stop its owner"
        )
    controller_port = _reuse_or_free(recorded.get("controller_port"), avoid={broker_port})
    _write_atomically(
        home / PORTS_FILE, json.dumps({"port": broker_port, "controller_port": controller_port}) + "\n"
    )
    return broker_port, controller_port


def _reuse_or_free(previous: int | None, *, avoid: set[int]) -> int:
    if isinstance(previous, int) and previous not in avoid and _is_free(previous):
        return previous
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((HOST, 0))
            candidate: int = probe.getsockname()[1]
        if candidate not in avoid:
            return candidate


def _is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the JVM binds: connections left in TIME_WAIT by a killed broker don't block its port.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _write_server_properties(home: Path, port: int, controller_port: int) -> Path:
    settings = {
        "process.roles": "broker,controller",
        "node.id": str(NODE_ID),
        "controller.quorum.voters": f"{NODE_ID}@{HOST}:{controller_port}",
        "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(home / DATA_DIR),
        # One node: every internal topic gets one replica and one partition, so a two-core
        # machine doesn't spend its start-up creating 50 offset partitions.
        "num.partitions": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        # After a SIGKILL the restarted controller keeps the dead incarnation registered until its
        # session expires (9 s by default) and only then lets the new one in: keep that short.
        "broker.session.timeout.ms": "3000",
        "broker.heartbeat.interval.ms": "500",
        "auto.create.topics.enable": "true",
        # Read models are rebuilt by replaying topics from the start, so nothing ages out locally.
        "log.retention.ms": "-1",
    }
    path = home / SERVER_PROPERTIES
    lines = ["# Written by shared/local/kafka/config.py on every start; edits are overwritten."]
    lines += [f"{key}={value}" for key, value in settings.items()]
    _write_atomically(path, "\n".join(lines) + "\n")
    return path


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    partial.replace(path)
