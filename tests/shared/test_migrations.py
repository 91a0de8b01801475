"""Every service's migrations go up to head, down to base and up again on a real database."""

from __future__ import annotations

import asyncio
import importlib
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from safetynet.catalog import SERVICES
from shared.db import downgrade, upgrade


async def schema_drift(url: str, service: str) -> list[Any]:
    """What the models declare that the migrated database lacks (or the reverse); empty when in step."""
    metadata = list(importlib.import_module(f"services.{service}.models").METADATA)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}),
                    metadata,  # type: ignore[arg-type]  # alembic accepts a sequence, as env.py passes it
                )
            )
    finally:
        await engine.dispose()


async def table_names(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_migrations_upgrade_downgrade_and_upgrade_again(new_database: Any, service: str) -> None:
    url = await new_database()
    migrations = SERVICES[service].definition.migrations
    await asyncio.to_thread(upgrade, migrations, url)
    assert {"outbox", "inbox", "alembic_version"} <= await table_names(url)
    assert await schema_drift(url, service) == []
    await asyncio.to_thread(downgrade, migrations, url)
    assert await table_names(url) == {"alembic_version"}
    await asyncio.to_thread(upgrade, migrations, url)
    assert {"outbox", "inbox"} <= await table_names(url)


async def test_the_tables_a_recalculation_rewrites_leave_room_for_hot_updates(migrated_database: Any) -> None:
    url = await migrated_database(SERVICES["eligibility"].definition.migrations)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            options: dict[str, list[str]] = dict(
                (
                    await connection.execute(
                        text(
                            "SELECT relname, reloptions FROM pg_class WHERE relname IN ('cases', 'case_beneficiaries')"
                        )
                    )
                ).all()
            )
    finally:
        await engine.dispose()
    assert options == {"cases": ["fillfactor=85"], "case_beneficiaries": ["fillfactor=85"]}
