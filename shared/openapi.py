"""Every service's OpenAPI document as the edge really answers: one RFC 9457 problem schema for every error
status a route can give, the roles it needs, and an example of each answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from shared.auth import CITY_WIDE, Role, required_roles

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://safetynet.example.gov.cn/problems/"
CORRELATION_HEADER = "X-Correlation-ID"

FIELD_ISSUE_SCHEMA: dict[str, Any] = {
    "title": "FieldIssue",
    "type": "object",
    "description": "One broken rule on one input field.",
    "required": ["field", "rule", "message"],
    "properties": {
        "field": {
            "type": "string",
            "description": "Dotted path of the field: `members.0.id_number`, a query or path parameter's name, "
            "or a header's.",
            "examples": ["members.0.id_number"],
        },
        "rule": {
            "type": "string",
            "description": "What was broken, stable for clients to branch on. Input that does not fit the "
            "schema names the schema rule (`missing`, `string_pattern_mismatch`, `string_too_long`, "
            "`greater_than_equal`, `less_than_equal`, `uuid_parsing`, `date_from_datetime_parsing`, "
            "`enum`, `int_type`, `extra_forbidden`, `one_value`, `nul_character` …); a business rule names "
            "itself (`one_head`, `check_digit`, `current`, `insufficient_funds`, `year_out_of_range` …).",
            "examples": ["string_pattern_mismatch"],
        },
        "message": {"type": "string", "description": "For people, in English.", "examples": ["too long"]},
    },
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An RFC 9457 problem document (`application/problem+json`), the body of every error.",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "format": "uri", "description": f"`{PROBLEM_BASE}<slug>`"},
        "title": {"type": "string", "description": "The kind of problem, the same for every instance of it."},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "This occurrence, for people."},
        "instance": {"type": "string", "description": "The path that was requested."},
        "errors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/FieldIssue"},
            "description": "Each field that broke a rule (invalid input and some conflicts).",
        },
        "correlation_id": {
            "type": "string",
            "description": f"500 only: the request's `{CORRELATION_HEADER}`, to quote when reporting it.",
        },
    },
}


def _problem(status: int, title: str, slug: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": "/v1/households/6f1c2e4a-0b6e-4b59-9a3e-5f8f1d2c3b4a",
        **extra,
    }


_CORRELATION = {
    "description": "The request's correlation id (the caller's, if it sent a well-formed one); it is in "
    "every log line and event the request caused.",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"},
}

ERROR_RESPONSES: dict[int, tuple[str, str, dict[str, Any]]] = {
    400: (
        "BadRequest",
        "The body could not be read as its content type says (bytes that are not UTF-8, say).",
        _problem(
            400, "There was an error parsing the body", "bad-request", "There was an error parsing the body"
        ),
    ),
    401: (
        "Unauthorized",
        "No bearer token, or one that does not verify (signature, issuer, audience, expiry, claims).",
        _problem(401, "Unauthorized", "unauthorized", "token has expired"),
    ),
    403: (
        "Forbidden",
        "The token verifies but lacks a role this route needs, or names a district (or insurer, or "
        "facility) outside the caller's scope.",
        _problem(403, "Forbidden", "forbidden", "this action needs one of the roles: caseworker, admin"),
    ),
    404: (
        "NotFound",
        "Nothing with that id that the caller may see: out-of-scope records answer 404 like missing ones.",
        _problem(
            404,
            "Not found",
            "not-found",
            "no household 6f1c2e4a-0b6e-4b59-9a3e-5f8f1d2c3b4a in your districts",
        ),
    ),
    409: (
        "Conflict",
        "The request is well-formed but the records' current state refuses it: a stale `version`, a "
        "step out of order, a duplicate business key, an `Idempotency-Key` reused for another request.",
        _problem(
            409,
            "Conflict",
            "conflict",
            "household was changed since you read it",
            errors=[{"field": "version", "rule": "current", "message": "read the household again"}],
        ),
    ),
    413: (
        "PayloadTooLarge",
        "The request body is over the service's limit.",
        _problem(413, "Payload too large", "payload-too-large", "request body exceeds 1048576 bytes"),
    ),
    422: (
        "InvalidInput",
        "A parameter or the body breaks the schema or a business rule; `errors` names each field and rule.",
        _problem(
            422,
            "Invalid input",
            "invalid-input",
            "members.0.id_number: String should match pattern '^[0-9]{17}[0-9X]$'",
            errors=[
                {
                    "field": "members.0.id_number",
                    "rule": "string_pattern_mismatch",
                    "message": "String should match pattern '^[0-9]{17}[0-9X]$'",
                }
            ],
        ),
    ),
    500: (
        "InternalError",
        f"An unexpected failure. The body's `correlation_id` and the `{CORRELATION_HEADER}` header carry the "
        "same id: quote it when reporting the problem.",
        _problem(
            500,
            "Internal error",
            "internal",
            "the request failed; quote the correlation id",
            correlation_id="4b8e0c6a2f5d4c1e9a7b3d2f1e0c9b8a",
        ),
    ),
}

_WRITES = {"post", "put", "patch", "delete"}
NO_NUL = "^[^\\u0000]*$"
"""What every string without a stricter pattern may hold: anything but U+0000 (see `shared.screening`)."""

# Strings an example may use where the schema gives none, tried in order against its pattern and length.
_SAMPLE_STRINGS = (
    "渝中区",
    "500103",
    "500103001",
    "500103001001",
    "2026-07",
    "13800138000",
    "6222021001000000000",
)
_SAMPLE_FORMATS = {
    "date": "2026-07-01",
    "date-time": "2026-07-01T09:30:00+08:00",
    "uuid": "6f1c2e4a-0b6e-4b59-9a3e-5f8f1d2c3b4a",
    "uri": PROBLEM_BASE + "conflict",
}


def _sample_string(schema: dict[str, Any]) -> str:
    if (known := _SAMPLE_FORMATS.get(schema.get("format", ""))) is not None:
        return known
    pattern, shortest = schema.get("pattern"), schema.get("minLength", 0)
    longest = schema.get("maxLength", 1_000)
    fits = (
        text
        for text in _SAMPLE_STRINGS
        if shortest <= len(text) <= longest and (pattern is None or re.search(pattern, text))
    )
    return next(fits, "x" * max(shortest, 1))


def example_of(schema: dict[str, Any], schemas: dict[str, Any]) -> Any:
    """A value `schema` accepts, built from the examples and defaults it gives and plausible samples elsewhere."""
    if "$ref" in schema:
        return example_of(schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas)
    for keyword in ("examples", "enum"):
        if schema.get(keyword):
            return schema[keyword][0]
    if "const" in schema:
        return schema["const"]
    if schema.get("default") is not None:
        return schema["default"]
    for keyword in ("anyOf", "oneOf"):
        if branches := [b for b in schema.get(keyword, []) if b.get("type") != "null"]:
            return example_of(branches[0], schemas)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: example_of(sub, schemas) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example_of(schema.get("items", {}), schemas)] * max(schema.get("minItems", 1), 1)
    if kind in ("integer", "number"):
        low = schema.get(
            "minimum", schema.get("exclusiveMinimum", 0) + 1 if "exclusiveMinimum" in schema else 1
        )
        return min(low, schema.get("maximum", low))
    if kind == "boolean":
        return True
    if kind == "string":
        return _sample_string(schema)
    return None


def _component(status: int) -> dict[str, Any]:
    _, description, example = ERROR_RESPONSES[status]
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}, "example": example}},
    }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {"description": "Always `Bearer`.", "schema": {"type": "string"}}
        }
    if status == 500:
        response["headers"] = {CORRELATION_HEADER: _CORRELATION}
    return response


def _guards(dependant: Dependant) -> Iterator[tuple[Role, ...]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None and (roles := required_roles(dependency.call)):
            yield roles
        yield from _guards(dependency)


def _who(roles: tuple[Role, ...]) -> str:
    names = ", ".join(f"`{role}`" for role in roles)
    scope: list[str] = []
    if set(roles) - {Role.insurer, Role.applicant}:
        scope.append(
            f"staff act within the districts of their token (`{CITY_WIDE}`, for `auditor` and `admin`, is "
            "city-wide)"
        )
    if Role.facility_manager in roles:
        scope.append("a facility manager only for the facilities in its token")
    if Role.insurer in roles:
        scope.append("an insurer only for its own insurer id")
    if Role.applicant in roles:
        scope.append("an applicant only for their own person id")
    return f"**Roles:** one of {names}. **Scope:** {'; '.join(scope)}."


def _statuses(method: str, operation: dict[str, Any]) -> set[int]:
    parameters = operation.get("parameters", [])
    statuses = {500}
    if operation.get("security"):
        statuses |= {401, 403}
    if any(p["in"] == "path" for p in parameters):
        statuses.add(404)
    if method in _WRITES:
        statuses.add(409)
    if "requestBody" in operation:
        statuses |= {400, 413}
    if parameters or "requestBody" in operation:
        statuses.add(422)
    return statuses


def _document(
    operation: dict[str, Any], method: str, dependant: Dependant | None, schemas: dict[str, Any]
) -> None:
    responses: dict[str, Any] = operation["responses"]
    for status in sorted(_statuses(method, operation) | {int(s) for s in responses if s[0] in "45"}):
        declared = responses.get(str(status), {})
        if declared and status in ERROR_RESPONSES:
            # A route's own words on when it answers this status stay; the body is still the one problem.
            responses[str(status)] = {**_component(status), "description": declared["description"]}
        elif declared:
            responses[str(status)] = {
                "description": declared.get("description", ""),
                "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
        else:
            responses[str(status)] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[status][0]}"}
    for answered, response in responses.items():
        if answered.startswith("2"):
            for media in response.get("content", {}).values():
                if "schema" in media and "example" not in media and "examples" not in media:
                    media["example"] = example_of(media["schema"], schemas)
    if dependant is not None and (guards := list(_guards(dependant))):
        who = " ".join(_who(roles) for roles in guards)
        operation["description"] = f"{operation.get('description', '').rstrip()}\n\n{who}".lstrip()


def _forbid_nul(node: Any) -> None:
    """Give every string schema without a stricter rule the pattern `shared.screening` enforces."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & node.keys():
            node["pattern"] = NO_NUL
        for value in node.values():
            _forbid_nul(value)
    elif isinstance(node, list):
        for value in node:
            _forbid_nul(value)


def truthful(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """`app.openapi` that rewrites FastAPI's document once, on first use (after every route is added)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        components = document.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        _forbid_nul(document)  # before the problem schemas: a problem may quote a field's name as sent
        schemas["Problem"], schemas["FieldIssue"] = PROBLEM_SCHEMA, FIELD_ISSUE_SCHEMA
        components["responses"] = {
            name: _component(status) for status, (name, _, _) in ERROR_RESPONSES.items()
        }
        dependants = {
            (route.path_format, method.lower()): route.dependant
            for route in iter_route_contexts(app.routes)
            if isinstance(route.original_route, APIRoute)
            for method in route.methods or ()
        }
        for path, item in document["paths"].items():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                if "422" in responses:
                    del responses["422"]  # FastAPI's HTTPValidationError: ours is a problem
                _document(operation, method, dependants.get((path, method)), schemas)
        app.openapi_schema = document
        return document

    return openapi
