"""The insurer's example subscriber against the real broker: every event printed once, in order per key,
a redelivery skipped by its ce_id, no personal data, and nothing from this repository imported."""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from services.eligibility.main import DEFINITION as ELIGIBILITY
from shared.contracts.base import Event
from shared.contracts.insurance import (
    CLAIM_TOPIC,
    ENROLLMENT_TOPIC,
    ClaimAssessed,
    ClaimReported,
    ClaimSettled,
    InsuredEnrolled,
    InsuredRemoved,
)
from shared.local.kafka import KafkaBroker
from shared.messaging.kafka import KafkaPublisher
from shared.settings import KafkaSettings
from tests.e2e.conftest import EXAMPLE, parsed, records_on, subscribe
from tests.kit import prepare_database
from tests.kit.eligibility import (
    HEAD_ID,
    HEAD_NAME,
    Upstream,
    audit_rows,
    enrolled,
    register_household,
    world_on,
)


async def publish_insurance_scenario(kafka: KafkaBroker, new_database: Any) -> tuple[list[Event], Event]:
    """Two people enrolled, one removed after dying, a death claim reported, assessed and settled, and
    one enrolment redelivered after the removal, as a relay that died before marking it sent would.

    Published the way the insurance service publishes: outbox rows relayed to Kafka by OutboxRelay.
    Returns the events in publication order (each once) and the one that was delivered twice.
    """
    insurer, year = uuid4(), 2026
    first, second = uuid4(), uuid4()
    entry: dict[str, Any] = {"insurer_id": insurer, "policy_year": year, "district_code": "500103"}
    enrolled_first = InsuredEnrolled(
        roster_entry_id=uuid4(),
        person_id=first,
        categories=["tekun"],
        cover_from=date(year, 1, 1),
        premium_fen=12_000,
        **entry,
    )
    enrolled_second = InsuredEnrolled(
        roster_entry_id=uuid4(),
        person_id=second,
        categories=["dibao", "orphan"],
        cover_from=date(year, 3, 1),
        premium_fen=10_000,
        **entry,
    )
    removed_first = InsuredRemoved(
        roster_entry_id=enrolled_first.roster_entry_id,
        person_id=first,
        cover_until=date(year, 4, 30),
        reason="death",
        **entry,
    )
    claim = uuid4()
    events: list[Event] = [
        enrolled_first,
        enrolled_second,
        removed_first,
        ClaimReported(
            claim_id=claim,
            roster_entry_id=enrolled_first.roster_entry_id,
            person_id=first,
            policy_year=year,
            insurer_id=insurer,
            cover_type="death_from_illness",
            incident_date=date(year, 4, 12),
            reported_on=date(year, 4, 13),
            channel="caseworker",
            claimed_fen=2_000_000,
        ),
        ClaimAssessed(claim_id=claim, assessed_fen=1_500_000, assessed_on=date(year, 5, 6)),
        ClaimSettled(claim_id=claim, paid_fen=1_500_000, settled_on=date(year, 5, 20)),
    ]
    publisher = KafkaPublisher(KafkaSettings(bootstrap_servers=kafka.bootstrap_servers))
    database = await prepare_database(await new_database())
    try:
        insurance = Upstream(database, publisher)
        await insurance.publish(*events[:3])
        await insurance.redeliver(enrolled_first)
        await insurance.publish(*events[3:])
    finally:
        await publisher.stop()
        await database.dispose()
    return events, enrolled_first


@pytest.mark.kafka
@pytest.mark.slow
async def test_the_subscriber_prints_each_event_once_in_order_per_key_without_personal_data(
    kafka: KafkaBroker, new_database: Any, tmp_path: Path
) -> None:
    events, redelivered = await publish_insurance_scenario(kafka, new_database)
    ours = {str(event.event_id): event for event in events}
    total = await records_on(kafka, (ENROLLMENT_TOPIC, CLAIM_TOPIC))

    stdout, stderr = await subscribe(kafka, tmp_path, group=f"insurer-{uuid4().hex[:8]}", max_events=total)

    printed = [line for line in parsed(stdout) if line["ce_id"] in ours]
    assert Counter(line["ce_id"] for line in printed) == Counter(list(ours))
    by_key: dict[str, list[str]] = defaultdict(list)
    for line in printed:
        by_key[line["key"]].append(line["ce_id"])
    for key, printed_ids in by_key.items():
        assert printed_ids == [str(e.event_id) for e in events if e.key() == key]
    enrolment = next(line for line in printed if line["ce_id"] == str(events[1].event_id))
    assert enrolment == {
        "type": "InsuredEnrolled",
        "key": str(events[1].key()),
        "ce_id": str(events[1].event_id),
        "time": enrolment["time"],
        **{
            name: str(value) for name, value in events[1].body().items() if name not in ("type", "categories")
        },
        "categories": "dibao,orphan",
    }
    settled = next(line for line in printed if line["type"] == "ClaimSettled")
    assert (settled["paid_fen"], settled["settled_on"]) == ("1500000", "2026-05-20")
    assert re.findall(r"skipped duplicate \S+ ce_id=(\S+)", stderr) == [str(redelivered.event_id)]
    # Ids, dates, codes and amounts only: no ID-number-length digit runs, no names.
    assert not re.search(r"[0-9]{15,}|[\u4e00-\u9fff]", stdout)

    # A new group replays the topics from the start; the SQLite inbox skips every event already handled.
    again, skipped = await subscribe(kafka, tmp_path, group=f"replay-{uuid4().hex[:8]}", max_events=total)
    assert not [line for line in parsed(again) if line["ce_id"] in ours]
    assert len([i for i in re.findall(r"ce_id=(\S+)", skipped) if i in ours]) == len(ours) + 1


def test_the_example_needs_nothing_but_aiokafka_and_the_standard_library() -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(EXAMPLE.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) - {"__future__"} == {"aiokafka"}


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("insurer_subscriber", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
async def test_the_example_fetches_an_enrolled_persons_identity_over_http_and_prints_none_of_it(
    new_database: Any, migrated_database: Any, keys: Path
) -> None:
    url = await migrated_database(ELIGIBILITY.migrations)
    engine = create_async_engine(url)
    example = load_example()
    try:
        async with world_on(engine, new_database, keys, over_tcp=True) as world:
            members = await register_household(world.api)
            ours, not_ours = enrolled(members["head"]), enrolled(members["grandchild"], insurer=uuid4())
            await world.insurance.publish(ours, not_ours)
            token = world.insurer(ours.insurer_id)["Authorization"].removeprefix("Bearer ")
            identity = example.IdentityClient(str(world.api.client.base_url), token)

            lines = [
                await example.handle(
                    example.CloudEvent(
                        id=str(event.event_id),
                        type=event.event_type(),
                        source="/safetynet/insurance",
                        time=event.occurred_at.isoformat(),
                        subject=event.subject(),
                        key=event.key(),
                        data=event.body(),
                    ),
                    identity,
                )
                for event in (ours, not_ours)
            ]
        rows = await audit_rows(engine)
    finally:
        await engine.dispose()
    assert [line.rsplit(" ", 1)[-1] for line in lines] == ["identity=ok", "identity=unavailable:404"]
    assert not any(HEAD_ID in line or HEAD_NAME in line for line in lines)
    assert [(row["action"], row["subject_id"]) for row in rows] == [("identity.read", str(members["head"]))]
