"""What every route refuses before its own validation runs: query parameters it does not declare (or that it
reads once, given twice), the NUL character anywhere in its input, and a JSON body that fits its schema only
by coercion."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from shared.errors import FieldIssue, InvalidInput

NUL = "\x00"


def _nul_fields(value: Any, path: tuple[str, ...]) -> Iterator[str]:
    if isinstance(value, str):
        if NUL in value:
            yield ".".join(path)
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                yield ".".join(path) or "body"
            yield from _nul_fields(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_fields(item, (*path, str(index)))


def _takes_many(annotation: object) -> bool:
    if get_origin(annotation) in (Union, UnionType):
        return any(_takes_many(arg) for arg in get_args(annotation))
    return get_origin(annotation) in (list, set, tuple, frozenset)


def _query_fields(dependant: Dependant) -> Iterator[tuple[str, bool]]:
    yield from ((param.alias, _takes_many(param.field_info.annotation)) for param in dependant.query_params)
    for dependency in dependant.dependencies:
        yield from _query_fields(dependency)


def _query_issues(request: Request) -> Iterator[FieldIssue]:
    """A parameter the route does not declare (a misspelt filter would be ignored and widen the answer), or
    one value given several times where the route reads one (it would read only the last)."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if not isinstance(dependant, Dependant):
        return
    declared = dict(_query_fields(dependant))
    for name in dict.fromkeys(request.query_params):
        if name not in declared:
            yield FieldIssue(name, "extra_forbidden", "not a parameter of this route")
        elif not declared[name] and len(request.query_params.getlist(name)) > 1:
            yield FieldIssue(name, "one_value", "give this parameter once")


_STRICT_BODIES: dict[int, tuple[object, TypeAdapter[Any]]] = {}
"""Each route's body field (kept, so that its id is never reused) and its adapter, made on first use."""


def _strict_body(route: object) -> TypeAdapter[Any] | None:
    field = getattr(route, "body_field", None)
    if field is None:
        return None
    cached = _STRICT_BODIES.get(id(field))
    if cached is None:
        shape: Any = Annotated[field.field_info.annotation, field.field_info]
        cached = _STRICT_BODIES[id(field)] = (field, TypeAdapter(shape))
    return cached[1]


def _integral_as_int(text: str) -> int | float:
    # JSON has numbers, not integers: 2.0 is the integer 2 to JSON Schema, if not to strict pydantic.
    number = float(text)
    return int(number) if number.is_integer() else number


def _refuse_coerced_body(route: object, body: Any) -> None:
    """FastAPI validates a parsed body leniently: `false` passes for an integer, `"7"` for a count, `0` for a
    date. Read as JSON in strict mode, a body must be what its schema says; JSON strings still carry dates
    and UUIDs."""
    adapter = _strict_body(route)
    if adapter is None:
        return
    try:
        adapter.validate_json(json.dumps(body), strict=True)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from None


async def screen_input(request: Request) -> None:
    """Refuse, naming each field, what `shared.screening` is about. PostgreSQL's text and JSONB cannot hold
    U+0000: let through, it fails deep inside a use case with a 500. Runs after FastAPI has read the body
    (it caches it), before the route's own validation."""
    issues = list(_query_issues(request))
    nul = [
        name
        for name, value in (*request.path_params.items(), *request.query_params.multi_items())
        if NUL in name or NUL in value
    ]
    body: Any = None
    if request.headers.get("content-type", "").startswith("application/json"):
        with contextlib.suppress(ValueError):  # malformed JSON is FastAPI's to refuse
            body = json.loads(await request.body(), parse_float=_integral_as_int)
            nul += _nul_fields(body, ())
    issues += [FieldIssue(field, "nul_character", "must not contain U+0000") for field in nul]
    if issues:
        raise InvalidInput("; ".join(f"{issue.field}: {issue.message}" for issue in issues), errors=issues)
    if body is not None:
        _refuse_coerced_body(request.scope.get("route"), body)
