"""Every service's OpenAPI document: every route described and guarded by a bearer token, every example valid
against its schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from safetynet.catalog import SERVICES
from shared.auth import ensure_dev_keypair
from shared.messaging.bus import InProcessBus
from shared.pii import generate_pii_settings
from shared.settings import AuthSettings, DatabaseSettings


def openapi(name: str, keys: Path) -> dict[str, Any]:
    entry = SERVICES[name]
    _, public_key = ensure_dev_keypair(keys)
    settings = entry.settings.model_validate(
        {
            "environment": "development",
            "bus": "in-process",  # nothing connects until the lifespan starts
            "database": DatabaseSettings(url="postgresql+asyncpg://nobody@127.0.0.1:1/none"),
            "auth": AuthSettings(public_key_file=public_key),
            **({"pii": generate_pii_settings()} if "pii" in entry.settings.model_fields else {}),
        }
    )
    document: dict[str, Any] = entry.app(settings, InProcessBus()).openapi()
    return document


@pytest.mark.parametrize("name", list(SERVICES))
def test_every_example_validates_against_its_schema(name: str, tmp_path: Path) -> None:
    document = openapi(name, tmp_path)
    for schema in document.get("components", {}).get("schemas", {}).values():
        for example in schema.get("examples", []):
            jsonschema.validate(example, {**schema, "components": document["components"]})


@pytest.mark.parametrize("name", list(SERVICES))
def test_every_route_has_a_summary_and_declares_bearer_auth(name: str, tmp_path: Path) -> None:
    document = openapi(name, tmp_path)
    business = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if path.startswith("/v1/")
    ]
    assert business, f"{name} has no routes"
    for path, method, operation in business:
        assert operation.get("summary"), f"{name}: {method.upper()} {path} has no summary"
        assert operation.get("security"), f"{name}: {method.upper()} {path} does not declare its bearer token"
