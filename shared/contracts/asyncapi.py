"""Builds the AsyncAPI 3.0 document that describes every topic to outside subscribers.

python -m shared.contracts.asyncapi            # write docs/asyncapi.yaml
python -m shared.contracts.asyncapi --check    # fail if docs/asyncapi.yaml is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from shared.contracts.base import Event
from shared.contracts.catalogue import TOPICS, registry
from shared.contracts.eligibility import CALENDAR_TOPIC, CASE_TOPIC, HOUSEHOLD_TOPIC
from shared.contracts.examples import EXAMPLES
from shared.contracts.facilities import PLACEMENT_TOPIC
from shared.contracts.insurance import CLAIM_TOPIC, ENROLLMENT_TOPIC
from shared.contracts.oversight import FINDING_TOPIC
from shared.contracts.payments import PAYMENT_TOPIC

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"
SCHEMAS_REF = "#/components/schemas/"
HEADERS_SCHEMA = "CloudEventsHeaders"
ENVELOPE_FIELDS = ("event_id", "occurred_at")

_TOPIC_DOCS: dict[str, tuple[str, str]] = {  # topic: (CloudEvents source, description)
    CASE_TOPIC: (
        "/safetynet/eligibility",
        "Decisions on dibao (最低生活保障), tekun (特困) and temporary-assistance (临时救助) cases, "
        "their amounts and care levels. Keyed by case id.",
    ),
    CALENDAR_TOPIC: (
        "/safetynet/eligibility",
        "The working-day calendar (holidays and shifted working days) as the bureau enters each year "
        "from the State Council's notice; a service that counts working days keeps its own copy. Keyed by year.",
    ),
    HOUSEHOLD_TOPIC: (
        "/safetynet/eligibility",
        "Households as registered and changed (members as person ids with relations and match keys, "
        "declared facts) keyed by household id, and the staff-relatives register keyed by entry. Match keys "
        "are keyed hashes of resident IDs: for the oversight service only, never for outside subscribers.",
    ),
    PAYMENT_TOPIC: (
        "/safetynet/payments",
        "Monthly payment runs, bank credits, failures, reissues and overpayments. Run-level events are "
        "keyed by run id, payment events by payment id (a reissue by the new payment's id), overpayments "
        "by overpayment id.",
    ),
    PLACEMENT_TOPIC: (
        "/safetynet/facilities",
        "Care-home placements of 特困 persons — requests, admissions, transfers, discharges — keyed by "
        "person id, and facility status changes keyed by facility id. Ids and facts only.",
    ),
    ENROLLMENT_TOPIC: (
        "/safetynet/insurance",
        "Additions to and removals from the 民政惠民济困保 roster, per policy year. Keyed by person id.",
    ),
    CLAIM_TOPIC: (
        "/safetynet/insurance",
        "Claims from report to settlement or rejection. Keyed by claim id.",
    ),
    FINDING_TOPIC: (
        "/safetynet/oversight",
        "Findings of the oversight checks (R1–R14, 漏保), each raised once per rule and subject, with its "
        "evidence as ids and facts; eligibility suspends the cases whose rule says so. Keyed by finding id.",
    ),
}

_DESCRIPTION = """\
Business events of SafetyNet, the social-assistance system of the municipal civil-affairs bureau.

**Delivery.** At least once: a message may arrive more than once, so consume idempotently by
recording each `ce_id` you have processed, in the same transaction as its effects. Events are
ordered per Kafka key (the aggregate id: case, payment run, payment, person or claim); there is
no order across keys or topics.

**Format.** CloudEvents 1.0 in Kafka binary mode: the envelope travels in `ce_*` headers
(`ce_id`, `ce_type`, `ce_source`, `ce_time`, `ce_subject`, optionally `ce_correlationid`), the
value is the JSON body. Money is integer fen (1/100 yuan), months are `YYYY-MM`, dates ISO 8601.

**Evolution.** New event types may be added to a topic at any time: ignore a `ce_type` you do
not know. A breaking change ships as a new type or a new `.v2` topic, never in place.

**No personal data.** Events carry ids and business facts only: no names, ID numbers, bank
accounts or diagnoses. A subscriber that needs an identity (an insurer settling a claim, say)
asks the owning service's REST API: an insurer calls eligibility's
`GET /eligibility/v1/insured/{person_id}/identity` for a person on its roster, which checks the
caller's role and insurer and audits every read.
"""

_SERVERS: dict[str, Any] = {
    "production": {
        "host": "kafka.safetynet.example:9093",
        "protocol": "kafka-secure",
        "description": "Placeholder. The address, TLS certificates and SASL mechanism (SCRAM or mTLS) "
        "are to be agreed with each subscriber and handed over out of band.",
    },
    "local": {
        "host": "127.0.0.1:9092",
        "protocol": "kafka",
        "description": "A developer's local broker, plaintext.",
    },
}

_COMMON_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 attributes, Kafka protocol binding, binary content mode.",
    "required": ["ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "ce_subject", "content-type"],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "format": "uuid", "description": "Unique per event; deduplicate on it."},
        "ce_type": {"type": "string", "description": "The event type, e.g. `CaseApproved`."},
        "ce_source": {
            "type": "string",
            "description": "The producing service, e.g. `/safetynet/eligibility`.",
        },
        "ce_time": {"type": "string", "format": "date-time", "description": "When it happened (RFC 3339)."},
        "ce_subject": {"type": "string", "description": "The aggregate id; equal to the Kafka key."},
        "ce_correlationid": {
            "type": "string",
            "description": "Correlation id of the request that caused it.",
        },
        "content-type": {"type": "string", "const": "application/json"},
    },
}


def _channel_id(topic: str) -> str:
    return topic.replace(".", "-")


def _payload(contract: type[Event], schemas: dict[str, Any]) -> dict[str, Any]:
    """The body's JSON schema; its nested models move into `schemas`."""
    schema = contract.model_json_schema(mode="serialization", ref_template=SCHEMAS_REF + "{model}")
    for name, definition in schema.pop("$defs", {}).items():
        if schemas.setdefault(name, _tidy(definition)) != _tidy(definition):
            raise ValueError(f"two contracts define schema {name!r} differently")
    for field in ENVELOPE_FIELDS:
        del schema["properties"][field]
    properties = schema["properties"]
    schema["properties"] = {"type": properties.pop("type"), **properties}
    return _tidy(schema)


def _tidy(schema: dict[str, Any]) -> dict[str, Any]:
    """Serialized bodies carry every field, so all are required; property titles are noise."""
    if "properties" not in schema:
        return schema
    properties = {
        name: {k: v for k, v in prop.items() if k != "title"} for name, prop in schema["properties"].items()
    }
    return {**schema, "properties": properties, "required": list(properties)}


def _key_field(example: Event) -> str:
    matches = [name for name in type(example).model_fields if str(getattr(example, name)) == example.key()]
    if len(matches) != 1:
        raise ValueError(f"{type(example).__name__}: cannot tell which field is the key: {matches}")
    return matches[0]


def _message(contract: type[Event], schemas: dict[str, Any]) -> dict[str, Any]:
    event_type = contract.event_type()
    source, _ = _TOPIC_DOCS[contract.topic]
    example = EXAMPLES[event_type]
    key_field = _key_field(example)
    description = contract.model_fields[key_field].description or key_field
    doc = (contract.__doc__ or event_type).strip()
    headers_example = {
        "ce_specversion": "1.0",
        "ce_id": str(example.event_id),
        "ce_type": event_type,
        "ce_source": source,
        "ce_time": example.occurred_at.isoformat(),
        "ce_subject": example.key(),
        "content-type": "application/json",
    }
    return {
        "name": event_type,
        "title": event_type,
        "summary": doc.splitlines()[0],
        "contentType": "application/json",
        "headers": {
            "allOf": [
                {"$ref": SCHEMAS_REF + HEADERS_SCHEMA},
                {"properties": {"ce_type": {"const": event_type}, "ce_source": {"const": source}}},
            ]
        },
        "payload": _payload(contract, schemas),
        "correlationId": {
            "description": "The request that caused the event, when there was one.",
            "location": "$message.header#/ce_correlationid",
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "format": "uuid", "description": f"`{key_field}`: {description}"},
                "bindingVersion": "0.5.0",
            }
        },
        "examples": [{"name": event_type, "headers": headers_example, "payload": example.body()}],
    }


def build_document() -> dict[str, Any]:
    """The whole AsyncAPI 3.0.0 document, built from the registered contracts."""
    by_topic = registry.by_topic()
    if set(by_topic) != set(TOPICS):
        raise ValueError(f"registered topics {sorted(by_topic)} differ from the catalogue {sorted(TOPICS)}")
    schemas: dict[str, Any] = {HEADERS_SCHEMA: _COMMON_HEADERS}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in TOPICS:
        channel_id = _channel_id(topic)
        _, description = _TOPIC_DOCS[topic]
        contracts = by_topic[topic]
        for contract in contracts:
            messages[contract.event_type()] = _message(contract, schemas)
        channels[channel_id] = {
            "address": topic,
            "title": topic,
            "description": description,
            "messages": {
                c.event_type(): {"$ref": f"#/components/messages/{c.event_type()}"} for c in contracts
            },
        }
        operations[f"receive-{channel_id}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": f"Subscribe to {topic}.",
            "description": "Use a consumer group of your own; commit offsets after your effects are stored.",
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{c.event_type()}"} for c in contracts],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "SafetyNet events", "version": "1.0.0", "description": _DESCRIPTION},
        "defaultContentType": "application/json",
        "servers": _SERVERS,
        "channels": channels,
        "operations": operations,
        "components": {"schemas": dict(sorted(schemas.items())), "messages": messages},
    }


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line strings as literal blocks, so the prose stays readable."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _represent_str)


def render(document: dict[str, Any]) -> str:
    header = "# Generated by `python -m shared.contracts.asyncapi` from shared/contracts. Do not edit.\n"
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="fail if the file is stale instead of writing it"
    )
    parser.add_argument("--output", type=Path, default=DOC_PATH, help="where the document lives")
    args = parser.parse_args(argv)
    text = render(build_document())
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != text:
            print(f"{args.output} is stale: run `python -m shared.contracts.asyncapi`", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
