"""Any service's app as the embedded default builds it, on a database the test chooses: for tests that treat
every service alike (its OpenAPI document, a fuzzer)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from safetynet.catalog import SERVICES
from shared.auth import ensure_dev_keypair
from shared.db import UnitOfWork, session_factory
from shared.messaging.bus import InProcessBus
from shared.pii import generate_pii_settings
from shared.settings import AuthSettings, DatabaseSettings

ISSUER, AUDIENCE = "test", "safetynet"
NO_DATABASE = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
"""For an app whose routes are only described, never called: nothing connects until its lifespan starts."""


def service_app(name: str, keys: Path, database_url: str = NO_DATABASE) -> FastAPI:
    """Service `name` on its own in-process bus, trusting the development key pair in `keys`."""
    entry = SERVICES[name]
    _, public_key = ensure_dev_keypair(keys)
    settings = entry.settings.model_validate(
        {
            "environment": "development",
            "bus": "in-process",
            "database": DatabaseSettings(url=database_url),
            "auth": AuthSettings(issuer=ISSUER, audience=AUDIENCE, public_key_file=public_key),
            **({"pii": generate_pii_settings()} if "pii" in entry.settings.model_fields else {}),
        }
    )
    return entry.app(settings, InProcessBus())


async def seed(name: str, database_url: str) -> None:
    """Load service `name`'s reference data (standards, the demo insurer …) as its first start would."""
    seeder = SERVICES[name].definition.seed
    if seeder is None:
        return
    engine = create_async_engine(database_url)
    try:
        await seeder(UnitOfWork(session_factory(engine), source=f"/safetynet/{name}"), seeded_by="test")
    finally:
        await engine.dispose()
