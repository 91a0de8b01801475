"""`safetynet seed` as a deployment step fails loudly: a database it cannot reach or that is not migrated, or
settings it cannot read, end the command non-zero, naming the service and the cause or variable; the other
services are still seeded. (Seeding that works, twice, audited, is tests/ops/test_distributed.py's.)"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.insurance.main import DEFINITION as INSURANCE
from shared.auth import ensure_dev_keypair
from tests.e2e.conftest import safetynet


def seed(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return safetynet("seed", *args, env=env)


def insurance_env(url: str, public_key: Path) -> dict[str, str]:
    return {
        "INSURANCE_ENVIRONMENT": "development",
        "INSURANCE_DATABASE__URL": url,
        "INSURANCE_AUTH__PUBLIC_KEY_FILE": str(public_key),
    }


async def test_an_unreachable_or_unmigrated_database_exits_1_and_the_others_are_seeded(
    migrated_database: Any, new_database: Any, keys: Path
) -> None:
    _, public_key = ensure_dev_keypair(keys)
    url = await migrated_database(INSURANCE.migrations)
    unreachable = "postgresql+asyncpg://facilities:Vq3-dummy@127.0.0.1:9/facilities"
    env = {
        **insurance_env(url, public_key),
        "FACILITIES_ENVIRONMENT": "development",
        "FACILITIES_DATABASE__URL": unreachable,
        "FACILITIES_AUTH__PUBLIC_KEY_FILE": str(public_key),
    }
    done = seed("facilities", "insurance", "--by", "ops-1", env=env)
    assert done.returncode == 1, done.stderr
    assert "facilities: not seeded" in done.stderr  # it has nothing to load, but its database must answer
    assert "insurance: 3 rows added" in done.stderr

    env["FACILITIES_DATABASE__URL"] = await new_database()
    unmigrated = seed("facilities", env=env)
    assert unmigrated.returncode == 1, unmigrated.stderr
    assert "facilities: not seeded: database has no migrations applied" in unmigrated.stderr
    assert "run `safetynet migrate facilities` first" in " ".join(unmigrated.stderr.split())

    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            actors = (
                await connection.execute(text("SELECT action, actor FROM audit_log ORDER BY seq"))
            ).all()
    finally:
        await engine.dispose()
    assert actors == [
        ("insurer.registered", "ops-1"),
        ("policy_term.created", "ops-1"),
        ("policy_term.created", "ops-1"),
    ]


def test_settings_it_cannot_read_exit_2_naming_the_variable(keys: Path) -> None:
    _, public_key = ensure_dev_keypair(keys)
    done = seed("eligibility", env={"ELIGIBILITY_AUTH__PUBLIC_KEY_FILE": str(public_key)})
    assert done.returncode == 2
    assert "eligibility: settings are not valid" in done.stderr
    assert "database: Field required" in done.stderr and "pii: Field required" in done.stderr
    unknown = seed("benefits", env={})
    assert unknown.returncode == 2 and "unknown service 'benefits'" in unknown.stderr
