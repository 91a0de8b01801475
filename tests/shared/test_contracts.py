"""Every event contract is frozen, unique, free of personal data, round-trips and refuses bad data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from pydantic import ValidationError

from shared.contracts import eligibility, insurance, payments
from shared.contracts.base import Event
from shared.contracts.catalogue import TOPICS, registry
from shared.contracts.examples import EXAMPLES, sample_id

CONTRACTS: list[type[Event]] = [c for contracts in registry.by_topic().values() for c in contracts]
IDS = [c.event_type() for c in CONTRACTS]
MONTH_PATTERN = "^[0-9]{4}-(0[1-9]|1[0-2])$"
DISTRICT_PATTERN = "^[0-9]{6}$"

DENIED_NAMES = {
    "name",
    "full_name",
    "id_number",
    "id_card",
    "resident_id",
    "bank_account",
    "account_number",
    "card_number",
    "phone",
    "mobile",
    "email",
    "address",
    "diagnosis",
    "birth_date",
    "date_of_birth",
    "gender",
}
DENIED_PARTS = ("name", "phone", "address", "bank", "account", "diagnos", "id_number", "id_card", "birth")


def _property_names(schema: Any) -> Iterator[str]:
    """Every property name anywhere in a JSON schema, nested `$defs` included."""
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            yield name
            yield from _property_names(sub)
        for key, value in schema.items():
            if key != "properties":
                yield from _property_names(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _property_names(item)


def _decode(body: dict[str, Any], example: Event) -> Event:
    return registry.decode(example.event_type(), example.event_id, example.occurred_at, body)


def _body(example: Event) -> dict[str, Any]:
    """The body as a consumer sees it: through JSON text."""
    body: dict[str, Any] = json.loads(json.dumps(example.body()))
    return body


def test_the_catalogue_registers_every_contract_once_with_an_example() -> None:
    assert len(IDS) == len(set(IDS)) == 28
    assert set(IDS) == set(EXAMPLES)
    assert set(registry.by_topic()) == set(TOPICS)


def test_registering_a_type_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(eligibility.CaseApproved)


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_contract_is_frozen_past_tense_and_on_a_known_topic(contract: type[Event]) -> None:
    assert contract.model_config.get("frozen") is True
    assert contract.model_config.get("extra") == "forbid"
    assert contract.event_type() == contract.__name__
    assert contract.topic in TOPICS
    assert contract.topic.endswith(".v1")
    example = EXAMPLES[contract.event_type()]
    with pytest.raises(ValidationError):
        example.event_id = sample_id("other")  # type: ignore[misc]


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_contract_carries_no_personal_data(contract: type[Event]) -> None:
    names = set(_property_names(contract.model_json_schema(mode="serialization")))
    assert names, "the walk found no properties"
    assert not names & DENIED_NAMES
    assert not [n for n in names if any(part in n for part in DENIED_PARTS)]


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_key_is_the_aggregate_id_and_the_subject(contract: type[Event]) -> None:
    example = EXAMPLES[contract.event_type()]
    if isinstance(example, eligibility.WorkingCalendarYearLoaded):
        assert example.key() == str(example.year)  # reference data: one aggregate per calendar year
    else:
        assert UUID(example.key())
    assert example.subject() == example.key()


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_body_round_trips_through_the_registry(contract: type[Event]) -> None:
    example = EXAMPLES[contract.event_type()]
    body = _body(example)
    assert "event_id" not in body
    assert "occurred_at" not in body
    assert body["type"] == contract.event_type()
    assert _decode(body, example) == example


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_extra_fields_are_refused(contract: type[Event]) -> None:
    example = EXAMPLES[contract.event_type()]
    with pytest.raises(ValidationError, match="extra"):
        _decode({**_body(example), "surname": "x"}, example)


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_bad_codes_months_and_amounts_are_refused(contract: type[Event]) -> None:
    example = EXAMPLES[contract.event_type()]
    properties = contract.model_json_schema(mode="serialization")["properties"]
    bad_values: dict[str, list[Any]] = {}
    for field, schema in properties.items():
        if field.endswith("_fen"):
            bad_values[field] = [-1, 1.5, "100 yuan"]
        elif schema.get("pattern") == MONTH_PATTERN:
            bad_values[field] = ["2025-13", "2025-8", "202508", "2025-08-01"]
        elif schema.get("pattern") == DISTRICT_PATTERN:
            bad_values[field] = ["50010", "5001030", "50010a", "５００１０３"]
    for field, values in bad_values.items():
        for value in values:
            with pytest.raises(ValidationError):
                _decode({**_body(example), field: value}, example)


def test_every_money_field_is_integer_fen() -> None:
    for contract in CONTRACTS:
        schema = contract.model_json_schema(mode="serialization")
        for definition in [schema, *schema.get("$defs", {}).values()]:
            for field, prop in definition["properties"].items():
                if field.endswith("_fen"):
                    assert prop["type"] == "integer", (contract.__name__, field)
                    assert prop["minimum"] == 0, (contract.__name__, field)


def test_decoding_an_unknown_type_is_left_to_the_consumer() -> None:
    assert registry.contract("SomethingNew") is None
    example = EXAMPLES["CaseApproved"]
    with pytest.raises(KeyError):
        registry.decode("SomethingNew", example.event_id, example.occurred_at, {})


def _invalid(example: Event, **changes: Any) -> None:
    with pytest.raises(ValidationError):
        _decode({**_body(example), **json.loads(json.dumps(changes, default=str))}, example)


def test_case_amounts_must_add_up() -> None:
    approved = EXAMPLES["CaseApproved"]
    beneficiaries = _body(approved)["beneficiaries"]
    _invalid(approved, monthly_amount_fen=1)
    _invalid(approved, beneficiaries=[{**beneficiaries[0], "total_fen": 1}, beneficiaries[1]])
    _invalid(approved, beneficiaries=[beneficiaries[0], beneficiaries[0]], monthly_amount_fen=74_000)
    _invalid(approved, beneficiaries=[{**beneficiaries[0], "base_fen": -1}])
    _invalid(approved, beneficiaries=[{**beneficiaries[0], "insurance_categories": []}])
    _invalid(approved, beneficiaries=[{**beneficiaries[0], "insurance_categories": ["dibao", "dibao"]}])
    _invalid(approved, beneficiaries=[], monthly_amount_fen=0)
    _invalid(approved, program="temporary")
    _invalid(approved, township_code="5001")


def test_amount_change_rules() -> None:
    changed = EXAMPLES["CaseAmountChanged"]
    _invalid(changed, back_pay_months=["2025-06"])
    _invalid(changed, back_pay_months=["2025-07", "2025-07"])
    _invalid(changed, standard_id=None)
    _invalid(changed, reason="mood")
    review = _body(changed) | {"reason": "review", "standard_id": None, "back_pay_months": []}
    assert _decode(review, changed).key() == str(sample_id("case"))


def test_termination_and_care_level_rules() -> None:
    _invalid(EXAMPLES["CaseTerminated"], person_ids=[])
    _invalid(EXAMPLES["CaseTerminated"], reason="bored")
    _invalid(EXAMPLES["CareLevelAssessed"], adl_failed=7)
    _invalid(EXAMPLES["CareLevelAssessed"], adl_failed=-1)
    _invalid(EXAMPLES["TemporaryAidGranted"], household_class="E")


def test_payment_rules() -> None:
    run = EXAMPLES["PaymentRunReleased"]
    _invalid(run, released_by=run.prepared_by)  # type: ignore[attr-defined]
    _invalid(run, payment_count=-1)
    reissue = EXAMPLES["PaymentReissued"]
    _invalid(reissue, original_payment_id=reissue.payment_id)  # type: ignore[attr-defined]
    _invalid(EXAMPLES["PaymentFailed"], reason_code="account of Zhang San")
    _invalid(EXAMPLES["PaymentDisbursed"], benefit="bonus")


def test_payment_keys_follow_the_aggregate() -> None:
    assert EXAMPLES["PaymentRunReleased"].key() == str(sample_id("run"))
    assert EXAMPLES["PaymentDisbursed"].key() == str(sample_id("payment"))
    assert EXAMPLES["PaymentReissued"].key() == str(sample_id("payment/reissue"))
    assert EXAMPLES["OverpaymentRaised"].key() == str(sample_id("overpayment"))


def test_insurance_rules() -> None:
    enrolled = EXAMPLES["InsuredEnrolled"]
    _invalid(enrolled, cover_from=date(2025, 8, 2))
    _invalid(enrolled, cover_from=date(2024, 8, 1))
    _invalid(enrolled, policy_year=2017)
    _invalid(EXAMPLES["InsuredRemoved"], cover_until=date(2026, 1, 31))
    reported = EXAMPLES["ClaimReported"]
    _invalid(reported, reported_on=date(2025, 9, 1))
    _invalid(reported, incident_date=date(2024, 12, 31), reported_on=date(2025, 1, 2))
    _invalid(reported, cover_type="theft")
    _invalid(EXAMPLES["ClaimRejected"], reason="")
    assert EXAMPLES["InsuredEnrolled"].key() == str(sample_id("person/1"))
    assert EXAMPLES["ClaimSettled"].key() == str(sample_id("claim"))


def test_contracts_are_constructed_with_typed_values() -> None:
    event = insurance.ClaimSettled(claim_id=sample_id("claim/2"), paid_fen=100, settled_on=date(2025, 1, 2))
    assert event.body() == {
        "claim_id": str(sample_id("claim/2")),
        "type": "ClaimSettled",
        "paid_fen": 100,
        "settled_on": "2025-01-02",
    }
    assert event.topic == insurance.CLAIM_TOPIC
    assert payments.PaymentFailed.topic == payments.PAYMENT_TOPIC
    assert insurance.InsuredRemoved.topic == insurance.ENROLLMENT_TOPIC
    assert eligibility.CareLevelAssessed.topic == eligibility.CASE_TOPIC
