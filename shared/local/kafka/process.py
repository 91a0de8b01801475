"""Starting, stopping and finding the broker of a home by its PID, and waiting until it is ready."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from shared.local.kafka.artifacts import _java, ensure_classpath
from shared.local.kafka.config import (
    BROKER_LOG,
    DATA_DIR,
    HOME_PROPERTY,
    MAIN_CLASS,
    NODE_ID,
    PID_FILE,
    PORTS_FILE,
    SERVER_LOG,
    KafkaBroker,
    KafkaBrokerError,
    _choose_ports,
    _cluster_id,
    _ExitedEarly,
    _format,
    _jvm_options,
    _write_atomically,
    _write_server_properties,
)
from shared.local.kafka.probe import _answers_as

_LOCK_FILE = ".lock"
_KILL_GRACE_S = 15.0


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
