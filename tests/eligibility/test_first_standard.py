"""A deployment that skipped the seed step: an admin publishes the first standard over the API, on an
empty database; what is missing is named, and every publication is audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.eligibility.conftest import Api, serve


@pytest.fixture
async def empty(eligibility_engine: AsyncEngine, keys: Path) -> AsyncIterator[Api]:
    async with serve(eligibility_engine, keys, seeded=False, bus="in-process") as api:
        yield api


FIRST = {"dibao_urban_fen": 80_000, "dibao_rural_fen": 66_000, "tekun_basic_fen": 104_000}


async def test_the_first_standard_names_what_it_lacks_then_publishes(
    empty: Api, eligibility_engine: AsyncEngine
) -> None:
    admin = empty.token("admin", "*", subject="admin-1")
    staff = empty.token("caseworker", "500103")
    assert (await empty.client.get("/v1/standards", headers=staff)).json() == []

    partial = await empty.client.post(
        "/v1/standards",
        json={"effective_from": "2026-01-01", "parameters": {"dibao_urban_fen": 80_000}},
        headers=admin,
    )
    assert partial.status_code == 422
    assert {(e["field"], e["rule"]) for e in partial.json()["errors"]} == {
        ("parameters.dibao_rural_fen", "missing"),
        ("parameters.tekun_basic_fen", "missing"),
    }
    unknown = await empty.client.post(
        "/v1/standards",
        json={"effective_from": "2026-01-01", "parameters": {**FIRST, "dibao_fen": 1}},
        headers=admin,
    )
    assert unknown.status_code == 422
    assert [(e["field"], e["rule"]) for e in unknown.json()["errors"]] == [
        ("parameters.dibao_fen", "known_parameter")
    ]
    async with eligibility_engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM standards")) == 0

    published = await empty.client.post(
        "/v1/standards", json={"effective_from": "2026-01-01", "parameters": FIRST}, headers=admin
    )
    assert published.status_code == 202, published.text
    in_force = (
        await empty.client.get("/v1/standards/in-force", params={"on": "2026-12-03"}, headers=staff)
    ).json()
    assert in_force["published_by"] == "admin-1"
    assert {name: in_force["parameters"][name] for name in FIRST} == FIRST
    assert in_force["parameters"]["care_subsidy_full_fen"] == 30_000  # the documented default

    # The next one changes only what it names, as before.
    raise_ = await empty.client.post(
        "/v1/standards",
        json={"effective_from": "2027-01-01", "parameters": {"dibao_urban_fen": 82_000}},
        headers=admin,
    )
    assert raise_.status_code == 202, raise_.text
    later = (
        await empty.client.get("/v1/standards/in-force", params={"on": "2027-01-01"}, headers=staff)
    ).json()
    assert (
        later["parameters"]["dibao_urban_fen"] == 82_000 and later["parameters"]["dibao_rural_fen"] == 66_000
    )

    async with eligibility_engine.connect() as connection:
        audited = (
            await connection.execute(
                text(
                    "SELECT actor, details->>'effective_from' FROM audit_log WHERE action = 'standard.published' ORDER BY seq"
                )
            )
        ).all()
    assert audited == [("admin-1", "2026-01-01"), ("admin-1", "2027-01-01")]
