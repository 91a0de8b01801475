"""docker-compose.yml and the services' settings as the deployment files see them: compose's variable
substitution, each service's settings class under its prefix, and valid dummy secrets."""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib
import json
import os
import re
import types
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("eligibility", "payments", "facilities", "insurance", "oversight")
PREFIXES = {service: f"{service.upper()}_" for service in SERVICES}
COMPOSE_FILE = ROOT / "docker-compose.yml"


def dummy_key(label: str) -> str:
    """Base64 of 32 random-looking bytes, distinct per label: what the settings accept as a key."""
    return base64.b64encode(hashlib.sha256(f"safetynet-deploy-test:{label}".encode()).digest()).decode()


def dummy_pii(service: str) -> dict[str, str]:
    """Valid PII settings by field: two encryption keys (as after a rotation), a distinct index key."""
    keys = {"k2025": dummy_key(f"{service}:k2025"), "k2026": dummy_key(f"{service}:k2026")}
    return {
        "ENCRYPTION_KEYS": json.dumps(keys),
        "ACTIVE_KEY_ID": "k2026",
        "BLIND_INDEX_KEY": dummy_key(f"{service}:blind-index"),
    }


def settings_class(service: str) -> type[ServiceSettings]:
    """The service's own settings class when it exists, else ServiceSettings under its prefix."""
    prefix = PREFIXES[service]
    module_name = f"services.{service}.settings"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name not in {"services", f"services.{service}", module_name}:
            raise
    else:
        own = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, ServiceSettings)
            and obj is not ServiceSettings
            and obj.__module__ == module_name
        ]
        if own:
            assert len(own) == 1, f"{module_name} defines several settings classes: {own}"
            cls = own[0]
            assert str(cls.model_config.get("env_prefix", "")).upper() == prefix, (
                f"{cls.__name__} reads env prefix {cls.model_config.get('env_prefix')!r}, manifests use {prefix!r}"
            )
            return cls
    config = SettingsConfigDict(env_prefix=prefix, env_nested_delimiter="__", extra="ignore")
    return typing.cast(
        type[ServiceSettings],
        type(f"{service.title()}Settings", (ServiceSettings,), {"model_config": config}),
    )


def settings_read(annotation: Any, parts: list[str]) -> bool:
    """Whether pydantic-settings reads the env path `parts` (lower-case) into a value of `annotation`.

    A model reads its fields; `X | None` reads what X reads; a dict field reads the whole value
    (JSON) and, one level down, single entries (`..._ENCRYPTION_KEYS__K1`, its key lower-cased);
    anything else reads only the whole value.
    """
    if not parts:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(settings_read(arg, parts) for arg in typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(parts[0])
        return field is not None and settings_read(field.annotation, parts[1:])
    if isinstance(origin, type) and issubclass(origin, Mapping):
        args = typing.get_args(annotation)
        return bool(parts[0]) and settings_read(args[1] if args else Any, parts[1:])
    return False


def unknown_settings_vars(cls: type[BaseModel], prefix: str, names: list[str]) -> list[str]:
    """Variables under `prefix` that no settings field reads (pydantic-settings would ignore them)."""
    delimiter = str(getattr(cls, "model_config", {}).get("env_nested_delimiter") or "__")
    return [
        name
        for name in names
        if name.upper().startswith(prefix)
        and not settings_read(cls, name[len(prefix) :].lower().split(delimiter))
    ]


def has_pii(service: str) -> bool:
    """Whether the service's settings have the PII keys section (required, no defaults)."""
    return "pii" in settings_class(service).model_fields


def load_settings(
    monkeypatch: pytest.MonkeyPatch, service: str, environment: Mapping[str, str]
) -> ServiceSettings:
    """Instantiate the service's settings with exactly `environment` visible under its prefix."""
    cls = settings_class(service)
    prefix = PREFIXES[service]
    with monkeypatch.context() as patch:
        for name in list(os.environ):
            if name.upper().startswith(prefix):
                patch.delenv(name)
        for name, value in environment.items():
            patch.setenv(name, value)
        return cls()


INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*)|(?P<invalid>))"
)


class MissingVariableError(LookupError):
    pass


def compose_references(node: Any) -> Iterator[tuple[str, str | None, str | None]]:
    """Every `${NAME[op arg]}` in the compose document, as (name, op, arg)."""
    if isinstance(node, dict):
        for value in node.values():
            yield from compose_references(value)
    elif isinstance(node, list):
        for value in node:
            yield from compose_references(value)
    elif isinstance(node, str):
        for match in INTERPOLATION.finditer(node):
            if match["invalid"] is not None:
                raise AssertionError(f"invalid interpolation in {node!r}")
            if match["bare"]:
                raise AssertionError(f"use ${{{match['bare']}}} with braces (and :? or :-) in {node!r}")
            if match["name"]:
                yield match["name"], match["op"], match["arg"]


def interpolate(node: Any, variables: Mapping[str, str]) -> Any:
    """Compose's variable substitution, for the forms the file may use."""
    if isinstance(node, dict):
        return {key: interpolate(value, variables) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(value, variables) for value in node]
    if not isinstance(node, str):
        return node

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name, op, arg = match["name"], match["op"], match["arg"] or ""
        value = variables.get(name)
        if op in {":-", ":?"} and not value:
            value = None
        if value is not None:
            return value
        if op in {"-", ":-"}:
            return arg
        if op in {"?", ":?"}:
            raise MissingVariableError(f"{name}: {arg}")
        return ""

    return INTERPOLATION.sub(substitute, node)


MATCHING_KEY_VARIABLE = "OVERSIGHT_MATCHING_KEY"
"""Oversight's matching key in compose's `.env` (and, dashed, the `oversight-matching-key` of safetynet-pii)."""
MATCHING_KEY = dummy_key("oversight:matching")


def dummy_variables() -> dict[str, str]:
    """A value for every required `${VAR:?}` of the compose file: random-looking, never a placeholder.

    <PREFIX>PII_<field> get valid PII settings (see `dummy_pii`), since the settings check them.
    """
    pii = {
        f"{PREFIXES[service]}PII_{field}": value
        for service in SERVICES
        for field, value in dummy_pii(service).items()
    }
    keys = {**pii, MATCHING_KEY_VARIABLE: MATCHING_KEY}
    return {
        name: keys.get(name, f"{name.lower().replace('_', '-')}-Vq3Zt8")
        for name, op, _ in compose_references(raw_compose())
        if op in {"?", ":?"}
    }


@functools.cache
def raw_compose() -> dict[str, Any]:
    """The file as written (cached: never mutate it; `interpolate` builds a new document)."""
    document = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(document, dict)
    return document


def compose(**overrides: str) -> dict[str, Any]:
    """docker-compose.yml as compose would see it with every required variable set."""
    return typing.cast(dict[str, Any], interpolate(raw_compose(), {**dummy_variables(), **overrides}))


def environment_of(service: Mapping[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def without_service_settings(own: Mapping[str, str]) -> dict[str, str]:
    """This process's environment with no variable under any service's prefix, plus `own`: what a command or
    a service started by a test sees, whatever the test run's own environment holds."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not any(name.upper().startswith(prefix) for prefix in PREFIXES.values())
    }
    return {**inherited, **own}
