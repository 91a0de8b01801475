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
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.service import ServiceRuntime
from tests.eligibility.conftest import Api, beside_eligibility


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
    """Eligibility and payments running, each on its own migrated database; `bus` picks in-process or Kafka."""
    async with beside_eligibility(new_database, keys, "payments", **bus) as both:
        yield Pair(both.eligibility, both.other, both.other_db, both.eligibility_runtime, both.other_runtime)


@pytest.fixture
async def pair(new_database: Any, tmp_path: Path) -> AsyncIterator[Pair]:
    async with serve_pair(new_database, tmp_path / "keys", bus="in-process") as both:
        yield both
