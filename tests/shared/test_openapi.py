"""Every service's OpenAPI document tells the truth a client generator needs: every route described and guarded
by a bearer token with the roles it needs, every error status it answers documented with the one problem
schema, an example of every answer, and a bound on every number, text and list it takes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from safetynet.catalog import SERVICES
from shared.openapi import CORRELATION_HEADER, PROBLEM_JSON
from tests.kit.apps import service_app

Operation = tuple[str, str, dict[str, Any]]


@pytest.fixture(scope="module", params=list(SERVICES))
def document(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    openapi: dict[str, Any] = service_app(request.param, tmp_path_factory.mktemp("keys")).openapi()
    return openapi


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path.startswith("/v1/"):
                yield path, method, operation


def resolved(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        section, name = node["$ref"].split("/")[-2:]
        node = document["components"][section][name]
    return node


def validate(document: dict[str, Any], value: Any, schema: dict[str, Any]) -> None:
    jsonschema.validate(value, {**schema, "components": document["components"]})


def test_every_example_validates_against_its_schema(document: dict[str, Any]) -> None:
    for schema in document["components"]["schemas"].values():
        for example in schema.get("examples", []):
            validate(document, example, schema)


def test_every_route_has_a_summary_and_declares_bearer_auth_and_its_roles(document: dict[str, Any]) -> None:
    business = list(operations(document))
    assert business, f"{document['info']['title']} has no routes"
    for path, method, operation in business:
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), f"{where} has no summary"
        assert operation.get("security"), f"{where} does not declare its bearer token"
        assert "**Roles:** one of `" in operation.get("description", ""), f"{where} does not name its roles"


def test_every_error_is_the_one_problem_schema(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert schemas["Problem"]["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/FieldIssue"}
    for path, method, operation in operations(document):
        answers = operation["responses"]
        expected = {"401", "403", "500"} | (
            {"422"} if operation.get("parameters") or "requestBody" in operation else set()
        )
        assert expected <= answers.keys(), f"{method.upper()} {path} documents only {sorted(answers)}"
        for status, response in answers.items():
            if status[0] in "45":
                media = resolved(document, response)["content"][PROBLEM_JSON]
                assert media["schema"] == {"$ref": "#/components/schemas/Problem"}, (
                    f"{method} {path} {status}"
                )
        assert CORRELATION_HEADER in resolved(document, answers["500"])["headers"]


def test_every_answer_has_an_example_that_fits_it(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            for media_type, media in resolved(document, response).get("content", {}).items():
                if not media.get("schema"):
                    continue  # a file download (text/csv) has no schema to exemplify
                assert "example" in media, f"{method.upper()} {path} {status} {media_type} has no example"
                validate(document, media["example"], media["schema"])


def unbounded(
    document: dict[str, Any], schema: dict[str, Any], where: str, seen: frozenset[str]
) -> Iterator[str]:
    """Where `schema` lets a client send a number, text or list of any size (`$ref`s followed once)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from unbounded(document, resolved(document, schema), where, seen | {name})
        return
    for branch in [*schema.get("anyOf", []), *schema.get("oneOf", []), *schema.get("allOf", [])]:
        yield from unbounded(document, branch, where, seen)
    kind = schema.get("type")
    if kind in ("integer", "number") and not (
        {"maximum", "exclusiveMaximum"} & schema.keys() and {"minimum", "exclusiveMinimum"} & schema.keys()
    ):
        yield f"{where}: a number without both bounds"
    pattern = schema.get("pattern", "*")  # one without `*` or `+` bounds the length itself
    if (
        kind == "string"
        and not {"maxLength", "enum", "const", "format"} & schema.keys()
        and {"*", "+"} & set(pattern)
    ):
        yield f"{where}: a text without maxLength"
    if kind == "array" and "maxItems" not in schema:
        yield f"{where}: a list without maxItems"
    for name, property_schema in schema.get("properties", {}).items():
        yield from unbounded(document, property_schema, f"{where}.{name}", seen)
    if "items" in schema:
        yield from unbounded(document, schema["items"], f"{where}[]", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        yield from unbounded(document, schema["additionalProperties"], f"{where}.*", seen)


def test_every_input_is_bounded(document: dict[str, Any]) -> None:
    loose = [
        f"{method.upper()} {path} {problem}"
        for path, method, operation in operations(document)
        for problem in [
            *(
                issue
                for parameter in operation.get("parameters", [])
                for issue in unbounded(document, parameter["schema"], parameter["name"], frozenset())
            ),
            *(
                issue
                for media_type, media in operation.get("requestBody", {}).get("content", {}).items()
                if media_type == "application/json"
                for issue in unbounded(document, media["schema"], "body", frozenset())
            ),
        ]
    ]
    assert not loose, "\n".join(loose)


def test_every_text_refuses_the_nul_character(document: dict[str, Any]) -> None:
    for name, schema in document["components"]["schemas"].items():
        for property_name, property_schema in schema.get("properties", {}).items():
            if property_schema.get("type") == "string" and name not in ("Problem", "FieldIssue"):
                assert {"pattern", "format", "enum", "const"} & property_schema.keys(), (
                    f"{name}.{property_name}"
                )
