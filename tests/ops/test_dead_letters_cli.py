"""`safetynet dead-letters` with a service's own settings: it lists what the consumer refused, and a retry
whose copy is gone from the dead-letter topic says so and exits 1, leaving the dead letter where it is.
(Retrying itself is tests/shared/test_redrive.py's.)"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from services.facilities.main import DEFINITION
from shared.auth import ensure_dev_keypair
from shared.contracts.eligibility import CASE_TOPIC
from shared.local.kafka import KafkaBroker
from shared.messaging.tables import inbox
from tests.e2e.conftest import safetynet

pytestmark = pytest.mark.kafka


def dead_letters(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return safetynet("dead-letters", *args, env=env)


async def test_list_and_a_retry_without_a_copy(
    migrated_database: Any, kafka: KafkaBroker, keys: Path
) -> None:
    _, public_key = ensure_dev_keypair(keys)
    url = await migrated_database(DEFINITION.migrations)
    event_id = uuid4()
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(
            insert(inbox).values(
                consumer="facilities",
                event_id=event_id,
                type="CareLevelAssessed",
                topic=CASE_TOPIC,
                partition=0,
                offset=41,
                status="dead_lettered",
                error="invalid CareLevelAssessed: care_level: Input should be 'self', 'half' or 'full'",
            )
        )
    env = {
        "FACILITIES_ENVIRONMENT": "development",
        "FACILITIES_DATABASE__URL": url,
        "FACILITIES_AUTH__PUBLIC_KEY_FILE": str(public_key),
        "FACILITIES_KAFKA__BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
    }
    listed = dead_letters("list", "facilities", env=env)
    assert listed.returncode == 0, listed.stderr
    assert f"{event_id}  CareLevelAssessed  {CASE_TOPIC}[0]@41" in listed.stdout
    assert "care_level: Input should be" in listed.stdout and "1 dead-lettered" in listed.stderr

    retried = dead_letters("retry", "facilities", str(event_id), env=env)
    assert retried.returncode == 1, retried.stderr
    assert f"{event_id}  no_copy" in retried.stdout
    async with engine.connect() as connection:
        status = await connection.scalar(select(inbox.c.status).where(inbox.c.event_id == event_id))
    await engine.dispose()
    assert status == "dead_lettered"

    nothing = dead_letters("retry", "facilities", env=env)
    assert nothing.returncode == 2 and "--all" in nothing.stderr
