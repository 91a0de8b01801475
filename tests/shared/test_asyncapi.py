"""docs/asyncapi.yaml is current and a self-contained, structurally valid AsyncAPI 3.0 document.

No official AsyncAPI 3.0 JSON schema ships in a PyPI package, so the spec's structural rules that
matter here are checked one by one, and every example is validated against its own schemas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from shared.contracts.asyncapi import DOC_PATH, build_document, main, render
from shared.contracts.catalogue import TOPICS, registry
from shared.contracts.examples import EXAMPLES

DOC = build_document()
DOC_URI = "urn:safetynet:asyncapi"
COMPONENT_KEY = re.compile(r"^[a-zA-Z0-9.\-_]+$")
MESSAGES: dict[str, Any] = DOC["components"]["messages"]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: Any = DOC
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), ref
        assert part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def _validator(pointer: str) -> Draft7Validator:
    """A validator for the schema at `pointer`, resolving `$ref`s against the whole document."""
    resource = Resource.from_contents(DOC, default_specification=DRAFT7)
    schema_registry: Registry[Any] = Registry().with_resource(DOC_URI, resource)
    return Draft7Validator(
        {"$ref": f"{DOC_URI}#{pointer}"}, registry=schema_registry, format_checker=FormatChecker()
    )


def test_the_committed_document_is_current() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render(DOC), "run `python -m shared.contracts.asyncapi`"
    assert yaml.safe_load(DOC_PATH.read_text(encoding="utf-8")) == DOC
    assert main(["--check"]) == 0


def test_check_fails_on_a_stale_file_and_writing_fixes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "asyncapi.yaml"
    assert main(["--check", "--output", str(output)]) == 1
    output.write_text("asyncapi: 2.6.0\n", encoding="utf-8")
    assert main(["--check", "--output", str(output)]) == 1
    assert "stale" in capsys.readouterr().err
    assert main(["--output", str(output)]) == 0
    assert main(["--check", "--output", str(output)]) == 0


def test_the_build_is_deterministic() -> None:
    assert render(build_document()) == render(build_document())


def test_top_level_structure() -> None:
    assert DOC["asyncapi"] == "3.0.0"
    assert set(DOC) <= {
        "asyncapi",
        "id",
        "info",
        "servers",
        "defaultContentType",
        "channels",
        "operations",
        "components",
    }
    assert DOC["info"]["title"] == "SafetyNet events"
    assert DOC["info"]["version"]
    description = DOC["info"]["description"]
    for phrase in (
        "At least once",
        "ordered per Kafka key",
        "ce_id",
        "No personal data",
        "REST API",
        "audits",
    ):
        assert phrase in description
    for server in DOC["servers"].values():
        assert set(server) >= {"host", "protocol"}
        assert "://" not in server["host"], "AsyncAPI 3 hosts carry no scheme"
    assert DOC["servers"]["local"]["host"] == "127.0.0.1:9092"
    for section in ("schemas", "messages"):
        assert all(COMPONENT_KEY.match(key) for key in DOC["components"][section])


def test_every_ref_resolves_inside_the_document() -> None:
    refs = set(_refs(DOC))
    assert refs
    for ref in refs:
        _resolve(ref)


def test_one_channel_per_topic_with_its_messages() -> None:
    channels = DOC["channels"]
    assert [channel["address"] for channel in channels.values()] == list(TOPICS)
    by_topic = registry.by_topic()
    for channel in channels.values():
        names = {_resolve(ref["$ref"])["name"] for ref in channel["messages"].values()}
        assert names == {c.event_type() for c in by_topic[channel["address"]]}
        assert set(channel["messages"]) == names
    assert set(MESSAGES) == set(EXAMPLES)


def test_one_receive_operation_per_channel_over_that_channels_messages() -> None:
    operations = DOC["operations"].values()
    assert len(operations) == len(DOC["channels"])
    seen = set()
    for operation in operations:
        assert operation["action"] == "receive"
        channel_ref = operation["channel"]["$ref"]
        assert channel_ref.startswith("#/channels/")
        channel = _resolve(channel_ref)
        seen.add(channel["address"])
        for message in operation["messages"]:
            # AsyncAPI 3: an operation's messages must be a subset of its channel's messages.
            assert message["$ref"].startswith(channel_ref + "/messages/")
            _resolve(message["$ref"])
    assert seen == set(TOPICS)


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_message_has_headers_payload_key_and_examples(name: str) -> None:
    message = MESSAGES[name]
    assert message["name"] == name
    assert set(message) >= {"payload", "headers", "examples", "bindings", "contentType"}
    payload = message["payload"]
    assert payload["type"] == "object"
    assert "$defs" not in payload
    assert not {"event_id", "occurred_at"} & set(payload["properties"])
    assert payload["properties"]["type"]["const"] == name
    assert set(payload["required"]) == set(payload["properties"])
    key = message["bindings"]["kafka"]["key"]
    assert key["type"] == "string"
    assert key["description"]
    assert message["correlationId"]["location"].startswith("$message.header#/")
    assert message["examples"]
    Draft7Validator.check_schema(payload)


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_examples_validate_against_their_message_schemas(name: str) -> None:
    payload_validator = _validator(f"/components/messages/{name}/payload")
    headers_validator = _validator(f"/components/messages/{name}/headers")
    contract = registry.contract(name)
    assert contract is not None
    for example in MESSAGES[name]["examples"]:
        payload_validator.validate(example["payload"])
        headers_validator.validate(example["headers"])
        assert example["headers"]["ce_type"] == name
        assert example["headers"]["ce_subject"] == EXAMPLES[name].key()
        decoded = registry.decode(
            name, example["headers"]["ce_id"], example["headers"]["ce_time"], example["payload"]
        )
        assert decoded == EXAMPLES[name]


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_schemas_refuse_what_the_contracts_refuse(name: str) -> None:
    payload_validator = _validator(f"/components/messages/{name}/payload")
    headers_validator = _validator(f"/components/messages/{name}/headers")
    example = MESSAGES[name]["examples"][0]
    body = example["payload"]
    with pytest.raises(ValidationError):
        payload_validator.validate({**body, "name": "Zhang San"})
    with pytest.raises(ValidationError):
        payload_validator.validate({**body, "type": "Other"})
    for field in body:
        if field.endswith("_fen"):
            with pytest.raises(ValidationError):
                payload_validator.validate({**body, field: -1})
        if field == "district_code":
            with pytest.raises(ValidationError):
                payload_validator.validate({**body, field: "50010"})
    with pytest.raises(ValidationError):
        headers_validator.validate({**example["headers"], "ce_type": "Other"})
    headers = {k: v for k, v in example["headers"].items() if k != "ce_id"}
    with pytest.raises(ValidationError):
        headers_validator.validate(headers)


def test_nested_schemas_are_shared_components() -> None:
    schemas = DOC["components"]["schemas"]
    assert {"CloudEventsHeaders", "MonthlyAmount", "ApprovedBeneficiary"} <= set(schemas)
    for schema in schemas.values():
        Draft7Validator.check_schema(schema)
    beneficiary = _validator("/components/schemas/ApprovedBeneficiary")
    with pytest.raises(ValidationError):
        beneficiary.validate(
            {**MESSAGES["CaseApproved"]["examples"][0]["payload"]["beneficiaries"][0], "base_fen": -5}
        )
