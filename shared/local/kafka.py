"""A single-node Apache Kafka broker (KRaft) that the project fetches with Maven and runs from a directory."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DEPLOY_DIR = Path(__file__).resolve().parents[2] / "deploy" / "kafka"
POM = DEPLOY_DIR / "pom.xml"
LOG4J2_CONFIG = DEPLOY_DIR / "log4j2.properties"
# Tried in order; 3.9 is the fallback for when no 4.1 release can be resolved.
KAFKA_VERSION_RANGES = ("[4.1.0,4.2.0)", "[3.9.0,3.10.0)")

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
_LOCK_FILE = ".lock"
_POM_STAMP = ".pom.sha256"

_MAVEN_TIMEOUT_S = 900.0
_FORMAT_TIMEOUT_S = 120.0
_KILL_GRACE_S = 15.0


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


def ensure_classpath(home: Path, *, pom: Path = POM) -> Path:
    """The directory of broker jars under `home`, fetched with Maven unless already there for this pom."""
    classpath = home.resolve() / CLASSPATH_DIR
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    stamp = classpath / _POM_STAMP
    if stamp.is_file() and stamp.read_text().strip() == digest and _kafka_jars(classpath):
        return classpath
    mvn = shutil.which("mvn")
    if mvn is None:
        raise KafkaBrokerError("Maven (mvn) is not on PATH; it is needed once to fetch the Kafka broker jars")
    # Fetch into a side directory and rename, so an interrupted download never looks complete.
    staging = classpath.with_name(CLASSPATH_DIR + ".partial")
    failures: list[str] = []
    for version_range in KAFKA_VERSION_RANGES:
        shutil.rmtree(staging, ignore_errors=True)
        command = [
            mvn,
            "-q",
            "-B",
            "-Dstyle.color=never",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
            "-DincludeScope=runtime",
            f"-Dkafka.version={version_range}",
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, check=False, timeout=_MAVEN_TIMEOUT_S
            )
        except subprocess.TimeoutExpired:
            failures.append(f"kafka {version_range}: mvn took longer than {_MAVEN_TIMEOUT_S:.0f} s")
            continue
        if result.returncode == 0 and _kafka_jars(staging):
            break
        failures.append(f"kafka {version_range}: mvn exited {result.returncode}\n" + _maven_errors(result))
    else:
        shutil.rmtree(staging, ignore_errors=True)
        raise KafkaBrokerError("could not fetch the Kafka broker jars:\n" + "\n\n".join(failures))
    (staging / _POM_STAMP).write_text(digest + "\n")
    shutil.rmtree(classpath, ignore_errors=True)
    staging.rename(classpath)
    return classpath


def start(home: Path, *, port: int | None = None, heap_mb: int = 512, timeout_s: float = 60) -> KafkaBroker:
    """Start the broker of `home` and return once it answers metadata requests.

    Idempotent: a broker of this home that is already running is waited for and returned. With
    `port` None the broker reuses the ports it had last time if they are free, else free ones.
    `timeout_s` bounds the wait for the launched broker, not the first Maven download. A broker
    that does not get ready in time is killed, and the error carries the tail of its logs.
    """
    home = home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    with _locked(home):
        running = _recorded_broker(home)
        if running is not None:
            if port is not None and port != running.port:
                raise KafkaBrokerError(
                    f"the broker of {home} already runs on port {running.port} (pid {running.pid}), not {port}"
                )
            try:
                _wait_ready(running, _cluster_id(home), time.monotonic() + timeout_s, None)
                return running
            except _ExitedEarly:
                pass  # it was dying (a kill just sent); start a new one below
        # A JVM killed a moment ago may still hold the ports and the data directory's lock.
        pid = _read_pid(home)
        if pid is not None and not _wait_gone(pid, home, _KILL_GRACE_S):
            raise KafkaBrokerError(f"the previous broker of {home} (pid {pid}) is still exiting")
        # What the PID file names is gone or not ours (a SIGKILL leaves the file behind).
        (home / PID_FILE).unlink(missing_ok=True)
        java = _java()
        classpath = ensure_classpath(home)
        broker_port, controller_port = _choose_ports(home, port)
        cluster_id = _cluster_id(home)
        properties = _write_server_properties(home, broker_port, controller_port)
        jvm = _jvm_options(home, heap_mb)
        if not (home / DATA_DIR / "meta.properties").is_file():
            _format(home, java, jvm, classpath, cluster_id, properties)
        since = _log_sizes(home)
        with (home / BROKER_LOG).open("ab") as log:
            process = subprocess.Popen(
                [java, *jvm, "-cp", str(classpath / "*"), MAIN_CLASS, str(properties)],
                cwd=home,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own session: the broker outlives the command that started it and
                # a Ctrl-C in that terminal does not reach it.
                start_new_session=True,
            )
        # Held so this process reaps the broker when it exits and Python doesn't warn about it.
        _children[process.pid] = process
        _write_atomically(home / PID_FILE, f"{process.pid}\n")
        broker = KafkaBroker(home, broker_port, controller_port, process.pid)
        try:
            _wait_ready(broker, cluster_id, time.monotonic() + timeout_s, process, since)
        except BaseException:
            _signal_and_wait(process.pid, home, signal.SIGKILL, _KILL_GRACE_S)
            (home / PID_FILE).unlink(missing_ok=True)
            raise
        return broker


def stop(home: Path, *, kill: bool = False, timeout_s: float = 30) -> None:
    """Stop the broker of `home` (SIGTERM, or SIGKILL with `kill`) and wait until it has exited.

    A broker that ignores SIGTERM for `timeout_s` is killed. Stopping a stopped broker is a no-op.
    """
    home = home.resolve()
    with _locked(home):
        pid = _read_pid(home)
        if pid is not None and _process_state(pid, home) != "gone":
            first = signal.SIGKILL if kill else signal.SIGTERM
            stopped = _signal_and_wait(pid, home, first, timeout_s)
            if not stopped and not kill:
                stopped = _signal_and_wait(pid, home, signal.SIGKILL, _KILL_GRACE_S)
            if not stopped:
                raise KafkaBrokerError(f"the broker of {home} (pid {pid}) did not exit")
        (home / PID_FILE).unlink(missing_ok=True)


def status(home: Path) -> KafkaBroker | None:
    """The broker of `home` if its process runs and it answers a metadata request, else None."""
    home = home.resolve()
    broker = _recorded_broker(home)
    if broker is None:
        return None
    try:
        ready = _answers_as(broker, _cluster_id(home), timeout_s=2.0)
    except (OSError, ValueError, struct.error):
        return None
    return broker if ready else None


_children: dict[int, subprocess.Popen[bytes]] = {}


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    # Two callers starting the same home at once would otherwise both launch a JVM.
    with (home / _LOCK_FILE).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _maven_errors(result: subprocess.CompletedProcess[str]) -> str:
    # Even in batch mode Maven 3.8 colours some lines; and its first errors are the telling ones.
    lines = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr).splitlines()
    errors = [line for line in lines if line.startswith("[ERROR]") and line[7:].strip()]
    return "\n".join(errors[:1] or lines[-15:])


def _kafka_jars(classpath: Path) -> list[Path]:
    return list(classpath.glob("kafka_2.13-*.jar")) if classpath.is_dir() else []


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise KafkaBrokerError("java is not on PATH (and JAVA_HOME is not set); the broker needs Java 17+")
    return java


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
    lines = ["# Written by shared/local/kafka.py on every start; edits are overwritten."]
    lines += [f"{key}={value}" for key, value in settings.items()]
    _write_atomically(path, "\n".join(lines) + "\n")
    return path


def _wait_ready(
    broker: KafkaBroker,
    cluster_id: str,
    deadline: float,
    process: subprocess.Popen[bytes] | None,
    since: dict[str, int] | None = None,
) -> None:
    last = "no answer yet"
    while True:
        if process is not None:
            # Not _process_state: right after exec the command line can still read empty.
            exited = process.poll()
            if exited is not None:
                raise _ExitedEarly(
                    f"the Kafka broker of {broker.home} exited with code {exited} before it was ready\n"
                    + _log_tail(broker.home, since)
                )
        elif _process_state(broker.pid, broker.home) != "ours":
            raise _ExitedEarly(f"the Kafka broker of {broker.home} exited before it was ready")
        try:
            if _answers_as(broker, cluster_id, timeout_s=2.0):
                return
            last = f"{broker.bootstrap_servers} answered, but not as node {NODE_ID} of cluster {cluster_id}"
        except (OSError, ValueError, struct.error) as exc:
            last = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            raise KafkaBrokerError(
                f"the Kafka broker of {broker.home} (pid {broker.pid}) was not ready on "
                f"{broker.bootstrap_servers} in time; last probe: {last}\n{_log_tail(broker.home, since)}"
            )
        time.sleep(0.25)


def _answers_as(broker: KafkaBroker, cluster_id: str, *, timeout_s: float) -> bool:
    answered_cluster, node_ids = _metadata(broker.port, timeout_s)
    return answered_cluster == cluster_id and NODE_ID in node_ids


def _metadata(port: int, timeout_s: float) -> tuple[str | None, list[int]]:
    """Send a Metadata request and return the cluster id and the ids of the live brokers.

    Hand-encoded rather than through aiokafka so it works from sync code and inside a running
    event loop alike. Version 4 is the oldest that Kafka 4 still accepts and 3.9 knows too. A
    KRaft broker lists itself only once it is unfenced, i.e. ready to lead partitions.
    """
    client_id = b"safetynet-local"
    api_key, api_version, correlation_id = 3, 4, 1
    request = struct.pack(">hhih", api_key, api_version, correlation_id, len(client_id)) + client_id
    request += struct.pack(">i?", 0, False)  # no topics, don't create any
    with socket.create_connection((HOST, port), timeout=timeout_s) as connection:
        connection.sendall(struct.pack(">i", len(request)) + request)
        (size,) = struct.unpack(">i", _receive(connection, 4))
        if not 0 < size < 1 << 20:
            raise ValueError(f"implausible response size {size}")
        body = _receive(connection, size)
    reader = _Reader(body)
    if reader.int32() != correlation_id:
        raise ValueError("response to another request")
    reader.int32()  # throttle time
    node_ids: list[int] = []
    for _ in range(reader.int32()):
        node_ids.append(reader.int32())
        reader.string()  # host
        reader.int32()  # port
        reader.string()  # rack
    return reader.string(), node_ids


def _receive(connection: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = connection.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("the broker closed the connection mid-response")
        chunks += chunk
    return bytes(chunks)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0

    def int32(self) -> int:
        (value,) = struct.unpack_from(">i", self._data, self._offset)
        self._offset += 4
        return int(value)

    def string(self) -> str | None:
        (length,) = struct.unpack_from(">h", self._data, self._offset)
        self._offset += 2
        if length < 0:
            return None
        value = self._data[self._offset : self._offset + length]
        self._offset += length
        return value.decode()


def _recorded_broker(home: Path) -> KafkaBroker | None:
    pid = _read_pid(home)
    if pid is None or _process_state(pid, home) != "ours":
        return None
    try:
        ports = json.loads((home / PORTS_FILE).read_text())
        return KafkaBroker(home, int(ports["port"]), int(ports["controller_port"]), pid)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _read_pid(home: Path) -> int | None:
    try:
        return int((home / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def _process_state(pid: int, home: Path) -> Literal["ours", "dying", "gone"]:
    """Whether `pid` is the running broker of `home`, a process on its way out, or gone.

    A process that reused the PID counts as gone. "Dying" is a killed JVM whose main thread is
    a zombie while its other threads still exit: until the last one has, it holds its sockets
    and the data directory's lock, so it is not gone yet.
    """
    _reap(pid)
    if not Path("/proc/self").is_dir():  # macOS and the BSDs have no /proc
        result = subprocess.run(
            ["ps", "-o", "stat=,command=", "-p", str(pid)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0 or result.stdout.lstrip().startswith("Z"):
            return "gone"
        line = f" {result.stdout.strip()} "
        return "ours" if f" {MAIN_CLASS} " in line and f" -D{HOME_PROPERTY}={home} " in line else "gone"
    proc = Path("/proc") / str(pid)
    try:
        tasks = list((proc / "task").iterdir())
        arguments = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return "gone"
    states: list[str] = []
    for task in tasks:
        # A thread may end between the listing and this read; the main thread's entry stays
        # until the process is reaped, so an empty list still means gone.
        with contextlib.suppress(OSError, IndexError):
            states.append((task / "stat").read_text().rpartition(")")[2].split()[0])
    if all(state in ("Z", "X") for state in states):
        return "gone"
    if arguments == [""]:
        return "dying"  # the main thread has exited and taken the command line with it
    return "ours" if MAIN_CLASS in arguments and f"-D{HOME_PROPERTY}={home}" in arguments else "gone"


def _reap(pid: int) -> None:
    # A broker this process started and that died stays a zombie, looking alive, until reaped.
    # Brokers started by other processes are reaped by their parent or by init.
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        _children.pop(pid, None)


def _wait_gone(pid: int, home: Path, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while _process_state(pid, home) != "gone":
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _signal_and_wait(pid: int, home: Path, signum: signal.Signals, timeout_s: float) -> bool:
    """Send `signum` to the broker and wait for it to exit; False if it is still running after the wait."""
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        _children.pop(pid, None)
        return True
    return _wait_gone(pid, home, timeout_s)


def _log_sizes(home: Path) -> dict[str, int]:
    sizes = {}
    for name in (BROKER_LOG, SERVER_LOG):
        with contextlib.suppress(OSError):
            sizes[name] = (home / name).stat().st_size
    return sizes


def _log_tail(home: Path, since: dict[str, int] | None = None, lines: int = 40) -> str:
    """The last lines of both logs, written after the offsets in `since` (earlier runs' lines mislead)."""
    tails = []
    for name in (BROKER_LOG, SERVER_LOG):
        with contextlib.suppress(OSError), (home / name).open("rb") as log:
            offset = (since or {}).get(name, 0)
            log.seek(offset if offset <= (home / name).stat().st_size else 0)
            text = log.read().decode(errors="replace").splitlines()[-lines:]
            if text:
                tails.append(f"--- last lines of {home / name} ---\n" + "\n".join(text))
    return "\n".join(tails) or f"(nothing in {home / BROKER_LOG} or {home / SERVER_LOG})"


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    partial.replace(path)
