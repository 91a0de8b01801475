"""Eligibility and payments side by side on one in-process bus, each with its own migrated database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.eligibility.main import DEFINITION as ELIGIBILITY
from services.eligibility.main import create as create_eligibility
from services.eligibility.service import standards
from services.eligibility.settings import EligibilitySettings
from services.payments.main import DEFINITION as PAYMENTS
from services.payments.main import create as create_payments
from services.payments.settings import PaymentsSettings
from shared.auth import ensure_dev_keypair
from shared.db import upgrade
from shared.messaging.bus import InProcessBus
from shared.pii import generate_pii_settings
from shared.service import ServiceRuntime
from shared.settings import AuthSettings, DatabaseSettings
from tests.eligibility.conftest import Api


@dataclass
class Pair:
    eligibility: Api
    payments: httpx.AsyncClient
    payments_db: AsyncEngine
    eligibility_runtime: ServiceRuntime
    payments_runtime: ServiceRuntime


def keyed(headers: dict[str, str]) -> dict[str, str]:
    """Headers for a money-moving POST: a fresh Idempotency-Key each time."""
    return {**headers, "Idempotency-Key": uuid4().hex}


async def prepared(
    pair: Pair, month: str, headers: dict[str, str], district: str = "500103"
) -> dict[str, Any]:
    """Start a district's run for the month and wait for its background preparation to finish."""
    started = await pair.payments.post(
        "/v1/runs", json={"district_code": district, "month": month}, headers=keyed(headers)
    )
    assert started.status_code == 202, started.text
    for _ in range(200):
        run = (await pair.payments.get(f"/v1/runs/{started.json()['id']}", headers=headers)).json()
        if run["status"] != "preparing":
            return dict(run)
        await asyncio.sleep(0.05)
    raise AssertionError(f"run {run} did not finish preparing")


@contextlib.asynccontextmanager
async def serve_pair(new_database: Any, keys: Path, **bus: Any) -> AsyncIterator[Pair]:
    """Both apps running, each on its own migrated database; `bus` picks in-process or Kafka."""
    eligibility_url, payments_url = await new_database(), await new_database()
    await asyncio.to_thread(upgrade, ELIGIBILITY.migrations, eligibility_url)
    await asyncio.to_thread(upgrade, PAYMENTS.migrations, payments_url)
    private_key, public_key = ensure_dev_keypair(keys)
    common: dict[str, Any] = {
        "environment": "development",
        "auth": AuthSettings(issuer="test", audience="safetynet", public_key_file=public_key),
        **bus,
    }
    in_process = InProcessBus() if common.get("bus") == "in-process" else None
    eligibility = create_eligibility(
        EligibilitySettings.model_validate(
            {**common, "database": DatabaseSettings(url=eligibility_url), "pii": generate_pii_settings()}
        ),
        bus=in_process,
    )
    payments = create_payments(
        PaymentsSettings.model_validate(
            {**common, "database": DatabaseSettings(url=payments_url), "pii": generate_pii_settings()}
        ),
        bus=in_process,
    )
    payments_db = create_async_engine(payments_url)
    try:
        async with (
            eligibility.router.lifespan_context(eligibility),
            payments.router.lifespan_context(payments),
        ):
            await standards.seed_standards(eligibility.state.runtime.unit_of_work())
            async with (
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=eligibility), base_url="http://eligibility"
                ) as e,
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=payments), base_url="http://payments"
                ) as p,
            ):
                yield Pair(
                    Api(e, private_key), p, payments_db, eligibility.state.runtime, payments.state.runtime
                )
    finally:
        await payments_db.dispose()


@pytest.fixture
async def pair(new_database: Any, tmp_path: Path) -> AsyncIterator[Pair]:
    async with serve_pair(new_database, tmp_path / "keys", bus="in-process") as both:
        yield both
