"""Inputs a fuzzer once turned into 500s (PostgreSQL out of range, year 0, a NUL byte) or that were wrongly
accepted (a standard in the year 4656): each answers 422 with a problem naming the field, before any use case
runs. And what the edge refuses for every route: undeclared or repeated query parameters, coerced bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from safetynet.catalog import SERVICES
from services.insurance.service.terms import DEMO_INSURER_ID
from shared.auth import ensure_dev_keypair, mint_token
from shared.openapi import PROBLEM_JSON
from tests.conftest import MigratedDatabase
from tests.kit.apps import AUDIENCE, ISSUER, seed, service_app

INT64_MAX = 2**63 - 1
TERM = {"year": 2030, "insurer_id": str(DEMO_INSURER_ID), "premium_fen": 12_000}
COVER = {
    "cover_type": "accident",
    "limit_fen": 5_000_000,
    "report_limit_hours": 48,
    "documents": ["身份证明"],
}

Client = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client(migrated_database: MigratedDatabase, keys: Path) -> Client:
    """A client of one service, on a migrated database with its reference data, calling as a city-wide admin
    and caseworker."""
    token = mint_token(
        ensure_dev_keypair(keys)[0],
        subject="bounds",
        roles=["admin", "caseworker"],
        districts=["*"],
        issuer=ISSUER,
        audience=AUDIENCE,
    )

    @asynccontextmanager
    async def open_client(name: str) -> AsyncIterator[httpx.AsyncClient]:
        url = await migrated_database(SERVICES[name].definition.migrations)
        await seed(name, url)
        app = service_app(name, keys, url)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                base_url=f"http://{name}",
                headers={"Authorization": f"Bearer {token}"},
            ) as http,
        ):
            yield http

    return open_client


def refused_naming(response: httpx.Response, field: str) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == 422 and problem["instance"] == response.request.url.path
    issues: list[dict[str, Any]] = [issue for issue in problem["errors"] if issue["field"] == field]
    assert issues, f"no issue names {field}: {problem}"
    return issues


@pytest.mark.parametrize(
    ("service", "method", "url", "body", "field"),
    [
        ("eligibility", "GET", f"/v1/households?page={INT64_MAX}", None, "page"),
        ("eligibility", "GET", f"/v1/applications?page={INT64_MAX}", None, "page"),
        ("insurance", "GET", "/v1/terms/2026/roster/changes/0000-01", None, "month"),
        (
            "insurance",
            "POST",
            "/v1/terms",
            {**TERM, "covers": [{**COVER, "report_limit_hours": 2**31}]},
            "covers.0.report_limit_hours",
        ),
        (
            "insurance",
            "POST",
            "/v1/terms",
            {**TERM, "covers": [{**COVER, "limit_fen": 2**63}]},
            "covers.0.limit_fen",
        ),
        (
            "insurance",
            "POST",
            "/v1/terms",
            {**TERM, "covers": [{**COVER, "documents": ["身份\x00证明"]}]},
            "covers.0.documents.0",
        ),
        (
            "eligibility",
            "POST",
            "/v1/standards",
            {"effective_from": "4656-01-01", "parameters": {"dibao_urban_fen": 80000}},
            "effective_from",
        ),
    ],
    ids=[
        "households-page",
        "applications-page",
        "roster-month-0000",
        "hours-int32",
        "limit-int64",
        "nul",
        "year-4656",
    ],
)
async def test_what_once_failed_deep_inside_is_refused_at_the_edge(
    client: Client, service: str, method: str, url: str, body: dict[str, Any] | None, field: str
) -> None:
    async with client(service) as http:
        refused_naming(await http.request(method, url, json=body), field)


async def test_undeclared_and_repeated_query_parameters_are_refused(client: Client) -> None:
    async with client("eligibility") as http:
        misspelt = await http.get("/v1/households", params={"distrct_code": "500103"})
        repeated = await http.get("/v1/households", params=[("page", "1"), ("page", "2")])
        declared = await http.get("/v1/households", params={"district_code": "500103", "page": "1"})
    assert refused_naming(misspelt, "distrct_code")[0]["rule"] == "extra_forbidden"
    assert refused_naming(repeated, "page")[0]["rule"] == "one_value"
    assert declared.status_code == 200, declared.text


async def test_a_body_that_fits_only_by_coercion_is_refused(client: Client) -> None:
    async with client("insurance") as http:
        as_bool = await http.post("/v1/terms", json={**TERM, "premium_fen": True})
        as_text = await http.post("/v1/terms", json={**TERM, "premium_fen": "12000"})
        integral = await http.post("/v1/terms", json={**TERM, "year": 2031.0, "premium_fen": 12000.0})
    assert refused_naming(as_bool, "premium_fen")[0]["rule"] == "int_type"
    assert refused_naming(as_text, "premium_fen")[0]["rule"] == "int_type"
    assert integral.status_code == 201, integral.text  # JSON's 2031.0 is the integer 2031


async def test_a_day_is_an_iso_date_within_the_years_served(client: Client) -> None:
    async with client("eligibility") as http:
        as_unix_time = await http.get("/v1/standards/in-force", params={"on": "1700000000"})
        too_early = await http.get("/v1/standards/in-force", params={"on": "1999-12-31"})
        in_range = await http.get("/v1/standards/in-force", params={"on": "2026-07-01"})
    assert "YYYY-MM-DD" in refused_naming(as_unix_time, "on")[0]["message"]
    assert "between 2000-01-01 and 2100-12-31" in refused_naming(too_early, "on")[0]["message"]
    assert in_range.status_code == 200, in_range.text


async def test_a_405_names_every_method_of_the_path(client: Client) -> None:
    async with client("eligibility") as http:
        response = await http.delete("/v1/households")
    assert response.status_code == 405 and response.headers["content-type"] == PROBLEM_JSON
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}  # two routes, one path
