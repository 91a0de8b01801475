"""Schemathesis over every service's API, in process, with a city-wide staff token: no input answers 500, every
status, header and body is one the OpenAPI document promises, and what the document calls invalid is refused."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, get_args

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from pydantic_core.core_schema import ErrorType
from schemathesis.config._auth import OpenAPIAuthConfig
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import positive_data_acceptance

from safetynet.catalog import SERVICES
from shared.auth import ensure_dev_keypair, mint_token
from tests.conftest import MigratedDatabase
from tests.kit.apps import AUDIENCE, ISSUER, seed, service_app

STAFF_ROLES = ("admin", "auditor", "caseworker", "reviewer", "finance_officer")
FUZZ_EXAMPLES = int(os.environ.get("SAFETYNET_FUZZ_EXAMPLES", "0"))
"""Random cases per operation after the coverage phase, which tries deterministically every bound, every wrong
type of every parameter and field, and an undeclared method on every path. None in `make test`, which keeps
the five services near 50 s on two cores (five random cases each would double it); set it for a deeper run."""

SCHEMA_RULES = frozenset(get_args(ErrorType)) - {"value_error", "assertion_error"}
"""The rules a request breaks by not fitting its schema. `value_error` is a model's own check across fields:
a business rule, which the schema cannot state."""


@pytest.fixture(params=sorted(SERVICES))
async def service_schema(
    request: pytest.FixtureRequest, migrated_database: MigratedDatabase, keys: Path
) -> BaseSchema:
    """One service on a freshly migrated database holding its reference data, loaded by schemathesis and
    calling with a city-wide staff token."""
    url = await migrated_database(SERVICES[request.param].definition.migrations)
    await seed(request.param, url)
    schema = schemathesis.openapi.from_asgi("/openapi.json", service_app(request.param, keys, url))
    token = mint_token(
        ensure_dev_keypair(keys)[0],
        subject="fuzzer",
        roles=STAFF_ROLES,
        districts=["*"],
        issuer=ISSUER,
        audience=AUDIENCE,
    )
    schema.config.auth.openapi = OpenAPIAuthConfig(schemes={"HTTPBearer": {"bearer": token}})
    # No route has these: each path's 405 and `Allow` are checked without a probe per method and operation.
    schema.config.phases.coverage.unexpected_methods = {"delete", "patch", "trace"}
    schema.config.phases.fuzzing.enabled = FUZZ_EXAMPLES > 0
    return schema


def schema_valid_input_passes_the_schema(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    """Input the document calls valid may still break a business rule (a calendar day outside its year), but
    never one of the schema's own: that would be a bound the document does not state."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 422:
        return None
    broken = {issue["rule"] for issue in response.json().get("errors", [])} & SCHEMA_RULES
    assert not broken, f"schema-valid input refused by schema rules {sorted(broken)}: {response.text}"
    return None


fuzzed = schemathesis.pytest.from_fixture("service_schema")


@pytest.mark.slow
@fuzzed.parametrize()
@settings(
    max_examples=max(FUZZ_EXAMPLES, 1), deadline=None, suppress_health_check=list(HealthCheck), database=None
)
def test_every_operation_keeps_its_promises(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(
        excluded_checks=[positive_data_acceptance], additional_checks=[schema_valid_input_passes_the_schema]
    )
