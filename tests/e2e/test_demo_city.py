"""`safetynet seed --demo`: the demo city through the services' own API, in every state, and loading it twice
leaves exactly what loading it once left, in every table of every service's database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy import table as sql_table
from sqlalchemy.ext.asyncio import create_async_engine

from safetynet.catalog import SERVICES
from safetynet.demo import DISTRICTS, bulk
from safetynet.embedded import Workspace, in_process, load_demo, migrated, seed
from safetynet.tour import Tour
from shared.clock import FixedClock
from shared.local import postgres
from shared.settings import ServiceSettings
from tests.e2e.conftest import safetynet

pytestmark = pytest.mark.slow

STORY = 39
"""Households of the three districts' stories (safetynet.demo)."""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("demo") / "workspace"
    yield home
    postgres.stop(home / "postgres", mode="immediate")


async def snapshot(settings_: dict[str, ServiceSettings]) -> dict[str, int]:
    """Rows per table of every service's database."""
    counts: dict[str, int] = {}
    for name, settings in settings_.items():
        engine = create_async_engine(settings.database.url)
        try:
            async with engine.connect() as connection:
                tables = await connection.scalars(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
                )
                for table in list(tables):
                    rows = await connection.scalar(select(func.count()).select_from(sql_table(table)))
                    counts[f"{name}.{table}"] = int(rows or 0)
        finally:
            await engine.dispose()
    return counts


async def states(settings: dict[str, ServiceSettings]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    queries = {
        "applications": ("eligibility", "SELECT DISTINCT state FROM applications"),
        "cases": ("eligibility", "SELECT DISTINCT program || ':' || status FROM cases"),
        "runs": ("payments", "SELECT DISTINCT status FROM payment_runs"),
        "claims": ("insurance", "SELECT DISTINCT status FROM claims"),
        "districts": ("eligibility", "SELECT DISTINCT district_code FROM households"),
        "findings": ("oversight", "SELECT DISTINCT rule || ':' || district_code FROM findings"),
    }
    for label, (service, query) in queries.items():
        engine = create_async_engine(settings[service].database.url)
        try:
            async with engine.connect() as connection:
                found[label] = set(await connection.scalars(text(query)))
        finally:
            await engine.dispose()
    return found


def test_the_demo_city_has_every_state_and_loads_once(workspace: Path) -> None:
    # The whole city through every service's API and topics: a few minutes on a loaded two-core machine.
    first = safetynet("seed", "--demo", "--workspace", str(workspace), timeout_s=400)
    assert first.returncode == 0, first.stderr
    assert f"the demo city: {STORY + bulk.DEFAULT_HOUSEHOLDS} households added" in first.stderr
    settings = migrated(Workspace(workspace))
    once = asyncio.run(snapshot(settings))

    found = asyncio.run(states(settings))
    assert found["districts"] == set(DISTRICTS) | set(bulk.DISTRICTS)
    # The bulk households' events reached every service: each approved case is paid and insured.
    approved = once["eligibility.cases"]
    assert once["payments.entitlements"] >= approved and once["oversight.cases"] == approved
    assert once["oversight.households"] == once["eligibility.households"]
    assert {
        "applied",
        "accepted",
        "investigating",
        "township_reviewed",
        "public_notice",
        "approved",
    } <= found["applications"]
    assert {"dibao:active", "tekun:active", "dibao:terminated"} <= found["cases"]
    assert found["runs"] == {"released"}
    assert found["claims"] == {"reported", "documents_complete", "assessed", "settled", "rejected"}
    assert found["findings"] == {f"R1:{district}" for district in DISTRICTS}  # each district's car owner
    assert (
        once["oversight.imports"] == once["oversight.external_records"] == len(DISTRICTS)
    )  # one row refused
    assert once["payments.bank_files"] == len(DISTRICTS) and once["eligibility.staff_relatives"] == len(
        DISTRICTS
    )
    assert once["facilities.facilities"] == once["facilities.placements"] == len(DISTRICTS)
    assert once["facilities.placement_requests"] >= len(DISTRICTS) and once[
        "eligibility.temporary_grants"
    ] == 2 * len(DISTRICTS)  # per person helped

    second = safetynet("seed", "--demo", "--workspace", str(workspace), timeout_s=400)
    assert second.returncode == 0, second.stderr
    assert "the demo city: already loaded" in second.stderr
    assert asyncio.run(snapshot(settings)) == once
    assert set(SERVICES) == {key.split(".")[0] for key in once}


def test_demo_is_for_the_embedded_default_only() -> None:
    refused = safetynet("seed", "--demo", "--all")
    assert refused.returncode == 2 and "--demo loads the embedded default" in refused.stderr


@pytest.mark.parametrize(
    "moment",
    [datetime(2026, 12, 31, 15, 30, tzinfo=UTC), datetime(2027, 1, 1, 1, 0, tzinfo=UTC)],
    ids=["last-evening-of-the-year", "first-morning-of-the-next"],
)
def test_the_demo_city_and_the_tour_across_a_year_end(moment: datetime, tmp_path: Path) -> None:
    """On 31 December the month paid is next year's January; on 1 January the couple was approved last year.
    Every service lives on the same fixed moment (Asia/Shanghai dates: 23:30 on the 31st, 09:00 on the 1st),
    and the tour is told on it too."""
    space = Workspace(tmp_path / "workspace")
    try:
        settings = migrated(space)
        asyncio.run(seed(settings))
        private_key, _ = space.dev_keys()
        loaded = asyncio.run(load_demo(settings, private_key, clock=FixedClock(moment), households=300))
        assert loaded == STORY + 300
        found = asyncio.run(states(settings))
        assert found["runs"] == {"released"}
        assert found["claims"] == {"reported", "documents_complete", "assessed", "settled", "rejected"}
        assert found["findings"] == {f"R1:{district}" for district in DISTRICTS}
        asyncio.run(tour(settings, private_key, FixedClock(moment)))
    finally:
        postgres.stop(space.postgres, mode="immediate")


async def tour(settings: dict[str, ServiceSettings], private_key: Path, clock: FixedClock) -> None:
    """`safetynet tour` against the services in this process, all on `clock`; it raises at an unexpected answer."""
    async with in_process(settings, private_key, clock=clock) as caller:
        await Tour(caller, today=clock.today()).run()
