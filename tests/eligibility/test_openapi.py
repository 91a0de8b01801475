"""The eligibility OpenAPI document: every route described, every example valid against its schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from services.eligibility.main import create
from services.eligibility.settings import EligibilitySettings
from shared.auth import ensure_dev_keypair
from shared.pii import generate_pii_settings
from shared.settings import AuthSettings, DatabaseSettings


def openapi(tmp_path: Path) -> dict[str, Any]:
    _, public_key = ensure_dev_keypair(tmp_path)
    settings = EligibilitySettings.model_validate(
        {
            "environment": "development",
            "bus": "kafka",  # nothing connects until the lifespan starts
            "database": DatabaseSettings(url="postgresql+asyncpg://nobody@127.0.0.1:1/none"),
            "auth": AuthSettings(public_key_file=public_key),
            "pii": generate_pii_settings(),
        }
    )
    return create(settings).openapi()


def test_every_example_validates_against_its_schema(tmp_path: Path) -> None:
    document = openapi(tmp_path)
    schemas = document["components"]["schemas"]
    checked = 0
    for name, schema in schemas.items():
        for example in schema.get("examples", []):
            resolver_document = {**schema, "components": document["components"]}
            jsonschema.validate(example, resolver_document)
            checked += 1
        assert name, "a schema without a name"
    assert checked >= 4


def test_every_route_has_a_summary_and_declares_bearer_auth(tmp_path: Path) -> None:
    document = openapi(tmp_path)
    operations = [
        (path, method, op) for path, item in document["paths"].items() for method, op in item.items()
    ]
    business = [(path, method, op) for path, method, op in operations if path.startswith("/v1/")]
    assert len(business) >= 25
    for path, method, op in business:
        assert op.get("summary"), f"{method.upper()} {path} has no summary"
        assert op.get("security"), f"{method.upper()} {path} does not declare its bearer token"
