"""Schemathesis over every service's API, in process, with a city-wide staff token: no input answers 500, every
status, header and body is one the OpenAPI document promises, and what the document calls invalid is refused;
operation by operation, and in chains where each call uses what an earlier one answered (stateful: the links
Schemathesis infers from the responses' schemas and the path parameters, e.g. POST /v1/households → GET, PUT
/v1/households/{household_id} → POST /v1/applications)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, get_args

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
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

STATEFUL_SCENARIOS = int(os.environ.get("SAFETYNET_FUZZ_SCENARIOS", "15"))
"""Chains of calls per service; each runs up to `STATEFUL_STEPS` linked operations on the state the earlier ones
left. `make test` keeps it short: about 10 s a service on two cores."""
STATEFUL_STEPS = 6
RANDOM_CHAINS = bool(os.environ.get("SAFETYNET_FUZZ_RANDOM"))
"""Unset: the same chains in every run, so CI is reproducible; set: Hypothesis draws new ones (pytest's
`--hypothesis-seed` picks them). Many chains may end in Hypothesis's "inconsistent data generation": the state
the chains leave in the database changes what the next one can draw, which Hypothesis cannot replay."""

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


@pytest.mark.slow
def test_chains_of_operations_keep_their_promises(service_schema: BaseSchema) -> None:
    class Chains(service_schema.as_state_machine()):  # type: ignore[misc]
        # Not `schema_valid_input_passes_the_schema`: a linked call takes its values from earlier answers, and
        # a null there reaches the path as "None", which no UUID parameter accepts. That is not a bound the
        # document omits; the operation-by-operation test checks the bounds.
        def validate_response(
            self, response: schemathesis.Response, case: schemathesis.Case[Any], *_: Any, **__: Any
        ) -> None:
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

    # The database keeps what every chain did, so a chain replayed to shrink a failure meets another state:
    # chains are generated only, never shrunk, and the same ones in every run unless a seed is asked for.
    Chains.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            phases=[Phase.generate],
            derandomize=not RANDOM_CHAINS,
        )
    )
