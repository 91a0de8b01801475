"""The embedded PostgreSQL a benchmark runs against: durable, in a temporary folder or under $SAFETYNET_BENCH_HOME."""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from uuid import uuid4

import asyncpg

from shared.local import postgres

HOME_VARIABLE = "SAFETYNET_BENCH_HOME"


@contextlib.contextmanager
def server_in(home: Path | None) -> Iterator[postgres.PostgresServer]:
    """A durable PostgreSQL under `home` (kept, stopped) or a temporary folder (removed)."""
    root = home or Path(tempfile.mkdtemp(prefix="safetynet-bench-"))
    try:
        server = postgres.start(root / "postgres", durable=True)
        try:
            yield server
        finally:
            if home is None:
                postgres.destroy(root / "postgres")
            else:
                postgres.stop(root / "postgres")
    finally:
        if home is None:
            shutil.rmtree(root, ignore_errors=True)


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
