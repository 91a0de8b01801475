"""Readiness that means it, and quiet failure: `/ready` follows the broker (with a grace period) and the
database's migrations; a broker outage leaves one log line per interval per component and a recovery line."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.facilities.main import DEFINITION
from services.facilities.settings import FacilitiesSettings
from shared.app import create_app
from shared.auth import ensure_dev_keypair
from shared.local import kafka as local_kafka
from shared.local.kafka import KafkaBroker
from shared.messaging.bus import InProcessBus
from shared.settings import AuthSettings, DatabaseSettings
from tests.kit import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

GRACE_S = 2
# Its own consumer group, so that this test's consumer never takes another test's records.
OPS = dataclasses.replace(DEFINITION, name="facilities-ops")


@contextlib.asynccontextmanager
async def serve(database: str, keys: Path, **bus: Any) -> AsyncIterator[httpx.AsyncClient]:
    _, public_key = ensure_dev_keypair(keys)
    settings = FacilitiesSettings.model_validate(
        {
            "environment": "development",
            "database": DatabaseSettings(url=database),
            "auth": AuthSettings(issuer="test", audience="safetynet", public_key_file=public_key),
            **bus,
        }
    )
    in_process = InProcessBus() if settings.bus == "in-process" else None
    app = create_app(OPS, settings, bus=in_process)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://facilities") as client,
    ):
        yield client


def events(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The service's structured lines (structlog hands the event dict to the standard library)."""
    return [r.msg for r in caplog.records if isinstance(r.msg, dict)]


async def test_ready_follows_the_broker_and_an_outage_is_logged_quietly(
    migrated_database: Any, kafka: KafkaBroker, keys: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = await migrated_database(DEFINITION.migrations)
    bus = {
        "bus": "kafka",
        "kafka": {"bootstrap_servers": kafka.bootstrap_servers, "ready_grace_seconds": GRACE_S},
    }
    caplog.set_level(logging.INFO)
    async with serve(database, keys, **bus) as client:

        async def status_is(code: int) -> bool:
            return (await client.get("/ready")).status_code == code

        await wait_for(lambda: status_is(200), within=15)
        assert (await client.get("/ready")).json() == {"status": "ready"}
        caplog.clear()
        try:
            local_kafka.stop(kafka.home)
            stopped = time.monotonic()
            await wait_for(lambda: status_is(503), within=GRACE_S + 5, every=0.2)
            assert time.monotonic() - stopped < GRACE_S + 5
            unready = await client.get("/ready")
            assert unready.headers["content-type"] == "application/problem+json"
            assert "has not reached the broker" in unready.json()["detail"]
            assert (await client.get("/health")).status_code == 200  # liveness is not readiness
            await asyncio.sleep(4)  # an outage long enough for the client library to repeat itself
        finally:
            local_kafka.start(kafka.home, port=kafka.port)
        await wait_for(lambda: status_is(200), within=20, every=0.2)

        def recovered() -> list[dict[str, Any]]:
            return [
                e
                for e in events(caplog)
                if str(e["event"]).startswith("broker reachable again after") and e["component"] == "probe"
            ]

        async def probe_recovered() -> bool:
            return bool(recovered())

        await wait_for(probe_recovered, within=10)

    lines = events(caplog)
    failures = Counter(
        (e["component"], e["event"])
        for e in lines
        if e["event"] in {"broker unreachable", "consumer restarting", "outbox relay failed; will retry"}
    )
    assert failures[("probe", "broker unreachable")] == 1
    assert all(n == 1 for n in failures.values()), failures  # one per 30 s interval per component
    assert recovered()[0]["after_s"] >= GRACE_S
    client_library = Counter(
        (r.name, r.msg)
        for r in caplog.records
        if r.name.startswith("aiokafka") and r.levelno >= logging.WARNING
    )
    assert all(n == 1 for n in client_library.values()), client_library
    assert sum(1 for e in lines if e["event"] == "not ready") <= 1


async def test_not_ready_while_the_database_is_behind_its_migrations(
    migrated_database: Any, keys: Path
) -> None:
    database = await migrated_database(DEFINITION.migrations)
    engine = create_async_engine(database)
    async with engine.begin() as connection:
        head = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    try:
        async with serve(database, keys, bus="in-process") as client:
            assert (await client.get("/ready")).status_code == 200
            async with engine.begin() as connection:
                await connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
            behind = await client.get("/ready")
            assert behind.status_code == 503
            assert behind.json()["detail"] == f"database is at revision 0001, behind head {head}"
            async with engine.begin() as connection:
                await connection.execute(
                    text("UPDATE alembic_version SET version_num = :head"), {"head": head}
                )
            assert (await client.get("/ready")).status_code == 200
    finally:
        await engine.dispose()
