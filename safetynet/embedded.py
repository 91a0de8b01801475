"""The embedded default: every service in one process, one embedded PostgreSQL, the in-process bus."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from safetynet.catalog import SERVICES
from shared.auth import ensure_dev_keypair
from shared.db import UnitOfWork, create_engine, session_factory, upgrade
from shared.local import postgres
from shared.messaging.bus import InProcessBus
from shared.pii import ensure_dev_pii_keys
from shared.settings import AuthSettings, DatabaseSettings, PiiSettings, ServiceSettings
from shared.web import compose

DEV_ISSUER = "safetynet-dev"
DEV_AUDIENCE = "safetynet"


def default_workspace() -> Path:
    """`<repo>/.safetynet` wherever the command runs from; `./.safetynet` when installed without a
    source tree (the container image, which runs `serve`, not the embedded default)."""
    repo = Path(__file__).resolve().parents[1]
    if (repo / "pyproject.toml").is_file() and (repo / "safetynet" / "cli.py").is_file():
        return repo / ".safetynet"
    return Path(".safetynet")


@dataclass(frozen=True)
class Workspace:
    """Where the embedded default keeps its state: `default_workspace()` unless `--workspace` says."""

    root: Path

    @property
    def postgres(self) -> Path:
        return self.root / "postgres"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def kafka(self) -> Path:
        return self.root / "kafka"

    def dev_keys(self) -> tuple[Path, Path]:
        return ensure_dev_keypair(self.keys)


def embedded_settings(
    name: str, server: postgres.PostgresServer, public_key: Path, pii: PiiSettings
) -> ServiceSettings:
    entry = SERVICES[name]
    values: dict[str, object] = {
        "environment": "development",
        "bus": "in-process",
        "database": DatabaseSettings(url=server.url(name)),
        "auth": AuthSettings(issuer=DEV_ISSUER, audience=DEV_AUDIENCE, public_key_file=public_key),
    }
    if "pii" in entry.settings.model_fields:
        values["pii"] = pii
    # Validated from these values alone: the embedded default ignores any SERVICE_* variables.
    return entry.settings.model_validate(values)


def prepare(workspace: Workspace) -> dict[str, ServiceSettings]:
    """Start PostgreSQL, create and migrate each service's database; returns each service's settings."""
    server = postgres.start(workspace.postgres)
    asyncio.run(postgres.ensure_databases(server, list(SERVICES)))
    _, public_key = workspace.dev_keys()
    pii = ensure_dev_pii_keys(workspace.keys)
    settings = {name: embedded_settings(name, server, public_key, pii) for name in SERVICES}
    for name, entry in SERVICES.items():
        upgrade(entry.definition.migrations, settings[name].database.url)
    asyncio.run(seed(settings))
    return settings


async def seed(settings: dict[str, ServiceSettings]) -> None:
    """Run each service's seeder once; seeders skip what is already there."""
    for name, entry in SERVICES.items():
        if entry.definition.seed is None:
            continue
        engine = create_engine(settings[name].database)
        try:
            await entry.definition.seed(UnitOfWork(session_factory(engine), source=entry.definition.source))
        finally:
            await engine.dispose()


def build_app(settings: dict[str, ServiceSettings]) -> FastAPI:
    bus = InProcessBus()
    apps = {name: SERVICES[name].app(service_settings, bus) for name, service_settings in settings.items()}
    return compose(apps, title="SafetyNet (embedded)")
