"""The configuration an operator is told to write is the configuration the services read.

- `deploy/new-dotenv.sh`, the `.env` example, sets every variable docker-compose.yml reads and
  nothing else; with it, compose hands each service an environment its settings class loads in
  production mode. Remove one required variable and the check names it.
- The settings reference in docs/deployment.md lists every field of every service's settings class,
  by variable name, with its default (or *required*), and nothing that does not exist.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
import subprocess
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from shared.contracts.eligibility import MATCH_CONTEXT
from shared.pii import BlindIndex
from shared.settings import PiiSettings, ServiceSettings
from tests.kit.deploy import (
    PREFIXES,
    ROOT,
    SERVICES,
    MissingVariableError,
    compose_references,
    environment_of,
    interpolate,
    load_settings,
    raw_compose,
    settings_class,
)

DOTENV_SCRIPT = ROOT / "deploy" / "new-dotenv.sh"
DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"


def dotenv_example() -> str:
    written = subprocess.run([str(DOTENV_SCRIPT)], capture_output=True, text=True, check=True, timeout=30)
    return written.stdout


def parse_dotenv(text: str) -> dict[str, str]:
    """Compose's `.env` format as the script writes it: NAME=value, single quotes taken literally."""
    variables = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, value = line.partition("=")
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", name), f"not a variable line: {line!r}"
        if value.startswith("'"):
            assert value.endswith("'") and len(value) > 1, f"unterminated quote: {line!r}"
            value = value[1:-1]
        else:
            assert shlex.split(value) == ([value] if value else []), f"quote this value: {line!r}"
        variables[name] = value
    return variables


def configuration_problems(dotenv: str) -> list[str]:
    """What is wrong with a `.env` for docker-compose.yml: each problem names its variable."""
    variables = parse_dotenv(dotenv)
    references = {name: op for name, op, _ in compose_references(raw_compose())}
    problems = [
        f"{name}: required by docker-compose.yml"
        for name, op in references.items()
        if op in {"?", ":?"} and not variables.get(name)
    ]
    problems += [
        f"{name}: docker-compose.yml does not read it" for name in variables if name not in references
    ]
    if problems:
        return problems
    try:
        interpolate(raw_compose(), variables)
    except MissingVariableError as missing:
        return [str(missing)]
    return []


def test_the_dotenv_example_sets_exactly_what_compose_reads() -> None:
    example = dotenv_example()
    assert configuration_problems(example) == []
    assert parse_dotenv(example).keys() == {name for name, _, _ in compose_references(raw_compose())}


def test_a_second_dotenv_has_fresh_secrets() -> None:
    first, second = parse_dotenv(dotenv_example()), parse_dotenv(dotenv_example())
    secrets = [name for name in first if re.search("PASSWORD|_KEYS?$", name)]
    assert len(secrets) >= 6 + 4
    assert all(first[name] != second[name] for name in secrets)


@pytest.mark.parametrize(
    "required", sorted({name for name, op, _ in compose_references(raw_compose()) if op == ":?"})
)
def test_removing_a_required_variable_from_the_dotenv_example_is_named(required: str) -> None:
    without = "\n".join(line for line in dotenv_example().splitlines() if not line.startswith(f"{required}="))
    assert configuration_problems(without) == [f"{required}: required by docker-compose.yml"]


@pytest.mark.parametrize("service", SERVICES)
def test_compose_with_the_dotenv_example_configures(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's settings load, in production mode, from what compose gives it with the example."""
    document = interpolate(raw_compose(), parse_dotenv(dotenv_example()))
    environment = environment_of(document["services"][service])
    settings = load_settings(monkeypatch, service, environment)
    assert settings.environment == "production" and settings.bus == "kafka"
    assert settings.database.url.startswith(f"postgresql+asyncpg://{service}:")


# --------------------------------------------------------------------------- the settings reference


def reference_rows() -> dict[str, str]:
    """Variable → Default cell of the settings reference table."""
    text = DEPLOYMENT_DOC.read_text()
    section = text[text.index("## Settings reference") :]
    section = section[: section.index("\n## ", 1)]
    rows = re.findall(r"^\| `P_([A-Z0-9_]+)` \| ([^|]*) \|", section, flags=re.MULTILINE)
    assert rows, "no settings table in docs/deployment.md"
    return {name: default.strip() for name, default in rows}


def fields_of(model: type[BaseModel], path: str = "") -> Iterator[tuple[str, Any]]:
    """(VARIABLE, default) of each setting under `model`, sections flattened with `__`."""
    for name, field in model.model_fields.items():
        variable = f"{path}{name.upper()}"
        section = next(
            (
                arg
                for arg in (field.annotation, *typing.get_args(field.annotation))
                if isinstance(arg, type) and issubclass(arg, BaseModel)
            ),
            None,
        )
        if section is not None:
            yield from fields_of(section, f"{variable}__")
        else:
            yield variable, field.default


def documented(default: Any) -> str:
    if default is PydanticUndefined:
        return "*required*"
    if default is None:
        return "—"
    if isinstance(default, list):
        return "`" + "[" + ", ".join(f'"{item}"' for item in default) + "]`"
    return f"`{default}`"


def test_the_settings_reference_lists_every_setting_with_its_default() -> None:
    rows = reference_rows()
    actual: dict[str, set[str]] = {}
    for service in SERVICES:
        cls: type[ServiceSettings] = settings_class(service)
        assert PREFIXES[service] == str(cls.model_config.get("env_prefix")).upper()
        for variable, default in fields_of(cls):
            actual.setdefault(variable, set()).add(documented(default))
    assert sorted(rows) == sorted(actual), (
        "docs/deployment.md's settings table differs from the settings classes"
    )
    wrong = {
        variable: (rows[variable], sorted(defaults))
        for variable, defaults in actual.items()
        if not all(default in rows[variable] for default in defaults)
    }
    assert not wrong, f"documented default ≠ the settings' default: {wrong}"


def test_the_dotenv_examples_matching_key_is_derived_from_eligibilitys_blind_index_key() -> None:
    """Oversight's key is the one eligibility's announced match keys are made with (as `safetynet matching-key`
    derives it), so imported IDs meet the households; and it is not eligibility's key itself."""
    variables = parse_dotenv(dotenv_example())
    pii = PiiSettings.model_validate(
        {
            "encryption_keys": json.loads(variables["ELIGIBILITY_PII_ENCRYPTION_KEYS"]),
            "active_key_id": variables["ELIGIBILITY_PII_ACTIVE_KEY_ID"],
            "blind_index_key": variables["ELIGIBILITY_PII_BLIND_INDEX_KEY"],
        }
    )
    derived = base64.b64encode(BlindIndex(pii).context_key(MATCH_CONTEXT)).decode()
    assert variables["OVERSIGHT_MATCHING_KEY"] == derived != variables["ELIGIBILITY_PII_BLIND_INDEX_KEY"]
