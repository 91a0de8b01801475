"""What the database benchmarks share: a durable embedded PostgreSQL (temporary, or under $SAFETYNET_BENCH_HOME), a
migrated database per run, and the command line (`--rows`, `--batch`, `--set`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import UnitOfWork, create_engine, session_factory, upgrade
from shared.local import postgres
from shared.service import ServiceDefinition
from shared.settings import DatabaseSettings

HOME_VARIABLE = "SAFETYNET_BENCH_HOME"


@contextlib.contextmanager
def scratch(home: Path | None) -> Iterator[Path]:
    """`home` (kept), or a temporary folder removed afterwards."""
    root = home or Path(tempfile.mkdtemp(prefix="safetynet-bench-"))
    try:
        yield root
    finally:
        if home is None:
            shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def server_in(home: Path | None) -> Iterator[postgres.PostgresServer]:
    """A durable PostgreSQL under `home` (kept, stopped) or a temporary folder (removed)."""
    with scratch(home) as root:
        server = postgres.start(root / "postgres", durable=True)
        try:
            yield server
        finally:
            if home is None:
                postgres.destroy(root / "postgres")
            else:
                postgres.stop(root / "postgres")


@contextlib.asynccontextmanager
async def database(server: postgres.PostgresServer, prefix: str) -> AsyncIterator[str]:
    """A fresh database named `prefix_<random>`, dropped at the end."""
    name = f"{prefix}_{uuid4().hex[:8]}"
    await postgres.ensure_databases(server, [name])
    try:
        yield name
    finally:
        connection = await asyncpg.connect(server.dsn("postgres"))
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


async def settings_line(connection: asyncpg.Connection) -> str:
    """The settings a reader needs to compare runs; refuses a server that is not durable."""
    names = (
        "fsync",
        "synchronous_commit",
        "shared_buffers",
        "work_mem",
        "max_wal_size",
        "random_page_cost",
        "server_version",
    )
    values = {name: await connection.fetchval(f"SHOW {name}") for name in names}
    if (values["fsync"], values["synchronous_commit"]) != ("on", "on"):
        raise RuntimeError(
            f"PostgreSQL runs with fsync={values['fsync']}, synchronous_commit={values['synchronous_commit']}: "
            f"a server started without durability still runs under ${HOME_VARIABLE}; stop it first"
        )
    return ", ".join(f"{name}={value}" for name, value in values.items())


SETTING = re.compile(r"^([a-z_]+)=([A-Za-z0-9_.]+)$")


async def apply_settings(connection: asyncpg.Connection, database: str, settings: Sequence[str]) -> None:
    """Settings for every new session of the database (ours) and for this connection (the baseline's)."""
    for setting in settings:
        match = SETTING.match(setting)
        assert match is not None  # checked by parse()
        name, value = match.groups()
        await connection.execute(f"ALTER DATABASE \"{database}\" SET {name} = '{value}'")
        await connection.execute(f"SET {name} = '{value}'")


def bench_parser(
    prog: str,
    doc: str | None,
    *,
    rows_help: str,
    rows: int = 1_000_000,
    batch: int | None = None,
    batch_help: str = "",
) -> argparse.ArgumentParser:
    """The arguments every database benchmark takes: `--rows`, `--set NAME=VALUE`, and `--batch` for those
    that work in batches."""
    parser = argparse.ArgumentParser(prog=prog, description=(doc or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=rows, help=f"{rows_help} (default {rows})")
    if batch is not None:
        parser.add_argument(
            "--batch", type=int, default=batch, help=f"{batch_help} (default: the service's {batch})"
        )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL setting for both paths, e.g. random_page_cost=1.1 (repeatable)",
    )
    return parser


def parse_checked(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None, *counts: str
) -> argparse.Namespace:
    """Parse, refusing counts below 1 and settings that are not a plain NAME=VALUE."""
    args = parser.parse_args(argv)
    if low := [f"--{name}" for name in counts if getattr(args, name) < 1]:
        parser.error(f"{', '.join(low)} must be positive")
    if bad := [setting for setting in args.set if not SETTING.match(setting)]:
        parser.error(f"--set takes NAME=VALUE with a plain value: {', '.join(bad)}")
    return args


def run_against_server(
    bench: Callable[[argparse.Namespace, postgres.PostgresServer], Coroutine[Any, Any, None]],
    args: argparse.Namespace,
) -> None:
    """Run `bench` on a durable server under $SAFETYNET_BENCH_HOME, or a temporary one."""
    home = Path(value).resolve() if (value := os.environ.get(HOME_VARIABLE)) else None
    with server_in(home) as server:
        asyncio.run(bench(args, server))


@dataclass
class Migrated:
    """A fresh database with a service's migrations: its units of work and a raw connection beside them."""

    name: str
    engine: AsyncEngine
    new_uow: Callable[[], UnitOfWork]
    connection: asyncpg.Connection

    async def apply(self, settings: Sequence[str]) -> None:
        """PostgreSQL settings for both paths; the pool is emptied so every later session has them."""
        await apply_settings(self.connection, self.name, settings)
        await self.engine.dispose()


@contextlib.asynccontextmanager
async def migrated(
    server: postgres.PostgresServer, prefix: str, definition: ServiceDefinition
) -> AsyncIterator[Migrated]:
    async with database(server, prefix) as name:
        url = server.url(name)
        await asyncio.to_thread(upgrade, definition.migrations, url)
        engine = create_engine(DatabaseSettings(url=url))
        sessions = session_factory(engine)

        def new_uow() -> UnitOfWork:
            return UnitOfWork(sessions, source=definition.source)

        connection = await asyncpg.connect(server.dsn(name))
        try:
            print(f"postgres: durable ({await settings_line(connection)})")
            yield Migrated(name, engine, new_uow, connection)
        finally:
            await connection.close()
            await engine.dispose()
