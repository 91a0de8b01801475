"""Through the real Kafka broker: an approval in eligibility puts each covered person on the insurance roster
once, from the 1st of the confirmation month; a termination takes them off from the next month; the insurer's
feed carries both and a claim's steps, which the example subscriber prints; and a second consumer group
replaying `eligibility.case.v1` from offset 0 changes nothing."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from services.insurance.consumers import HANDLERS
from services.insurance.models import RosterEntry
from shared.contracts.catalogue import registry
from shared.contracts.insurance import CLAIM_TOPIC, ENROLLMENT_TOPIC
from shared.local.kafka import KafkaBroker
from shared.messaging.inbox import InboxProcessor
from shared.messaging.kafka import KafkaDeadLetters, KafkaInboxConsumer, KafkaPublisher
from shared.messaging.tables import inbox, outbox
from shared.settings import KafkaSettings
from tests.e2e.conftest import parsed, records_on, subscribe
from tests.insurance.conftest import Pair, serve_pair
from tests.kit import topic_records, wait_for
from tests.kit.eligibility import DISTRICT, HEAD_ID
from tests.kit.insurance import ACCIDENT, approve_household_with_an_orphan, roster_of

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def roster_rows(pair: Pair, persons: list[str]) -> list[tuple[Any, ...]]:
    async with pair.insurance_db.connect() as connection:
        rows = await connection.execute(
            select(RosterEntry.__table__)
            .where(RosterEntry.person_id.in_([UUID(p) for p in persons]))
            .order_by(RosterEntry.person_id, RosterEntry.policy_year)
        )
        return [tuple(row) for row in rows]


async def feed_size(pair: Pair, persons: list[str]) -> int:
    async with pair.insurance_db.connect() as connection:
        return int(
            await connection.scalar(select(func.count()).select_from(outbox).where(outbox.c.key.in_(persons)))
            or 0
        )


async def settled_claim(pair: Pair, person_id: str) -> str:
    """An accident in October, reported by the caseworker, assessed and settled by the insurer."""
    reported = await pair.insurance.post(
        "/v1/claims",
        json={
            "person_id": person_id,
            "cover_type": "accident",
            "claimed_fen": 100_000,
            "incident_date": "2026-10-15",
            "expenses": ACCIDENT,
        },
        headers=pair.token("caseworker", DISTRICT, subject="cw-1"),
    )
    assert reported.status_code == 201, reported.text
    claim_id, insurer = reported.json()["id"], pair.token.insurer()
    for step, body in (
        ("documents", {"received": reported.json()["documents_missing"]}),
        ("assessment", {"assessed_fen": 90_000}),
        ("settlement", {"paid_fen": 90_000}),
    ):
        keyed = insurer if step == "documents" else {**insurer, "Idempotency-Key": str(uuid4())}
        done = await pair.insurance.post(f"/v1/claims/{claim_id}/{step}", json=body, headers=keyed)
        assert done.status_code == 200, done.text
    return str(claim_id)


async def test_an_approval_and_a_termination_reach_the_roster_and_the_insurer_through_kafka(
    migrated_database: Any, kafka: KafkaBroker, tmp_path: Path, keys: Path
) -> None:
    settings = {"bootstrap_servers": kafka.bootstrap_servers, "session_timeout_ms": 6_000}
    async with serve_pair(migrated_database, keys, bus="kafka", kafka=settings) as pair:
        case_id, persons = await approve_household_with_an_orphan(pair)
        entries = await roster_of(pair, lambda rows: len(rows) == 2, persons=persons)
        assert sorted((tuple(e["categories"]), e["cover_from"], e["cover_until"]) for e in entries) == [
            (("dibao",), "2026-10-01", None),
            (("dibao", "orphan"), "2026-10-01", None),
        ]
        ended = await pair.eligibility.client.post(
            f"/v1/cases/{case_id}/termination",
            json={"reason": "income", "on": "2026-10-30"},
            headers=pair.eligibility.token("reviewer", DISTRICT, subject="rv-1"),
        )
        assert ended.status_code == 200, ended.text
        await roster_of(
            pair, lambda rows: {e["cover_until"] for e in rows} == {"2026-10-31"}, persons=persons
        )
        claim_id = await settled_claim(pair, persons[0])

        async def feed_published() -> bool:
            async with pair.insurance_db.connect() as connection:
                pending = await connection.scalar(
                    select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
                )
            return pending == 0

        await wait_for(feed_published, within=60)
        records = await topic_records(kafka.bootstrap_servers, ENROLLMENT_TOPIC, keys=set(persons))
        assert sorted(r.type for r in records) == ["InsuredEnrolled"] * 2 + ["InsuredRemoved"] * 2
        removals = [json.loads(r.data) for r in records if r.type == "InsuredRemoved"]
        assert {(r["cover_until"], r["reason"]) for r in removals} == {("2026-10-31", "case_ended")}
        assert all(HEAD_ID.encode() not in r.data for r in records)

        # The insurer's integrator runs the example subscriber: it prints this scenario's feed, in order.
        printed = parsed(
            (
                await subscribe(
                    kafka,
                    tmp_path,
                    group=f"insurer-{uuid4().hex[:8]}",
                    max_events=await records_on(kafka, (ENROLLMENT_TOPIC, CLAIM_TOPIC)),
                )
            )[0]
        )
        ours = [
            line for line in printed if line.get("person_id") in persons or line.get("claim_id") == claim_id
        ]
        # Each topic is read in order; the two topics interleave as the broker hands them out.
        insured = [(line["type"], line["person_id"]) for line in ours if line["type"].startswith("Insured")]
        for person in persons:
            assert [kind for kind, who in insured if who == person] == ["InsuredEnrolled", "InsuredRemoved"]
        assert [line["type"] for line in ours if line["type"].startswith("Claim")] == [
            "ClaimReported",
            "ClaimAssessed",
            "ClaimSettled",
        ]
        assert HEAD_ID not in json.dumps(printed)

        before, feed = await roster_rows(pair, persons), await feed_size(pair, persons)
        assert len(before) == 2 and feed == 4

        # Rebuild: a second consumer group, with an inbox of its own, reads the case topic from offset 0; of the
        # case's events, insurance reacts to its approval and its termination.
        reacted = ("CaseApproved", "CaseTerminated")
        async with pair.eligibility_runtime.sessions() as session:
            case_events = set(
                await session.scalars(
                    select(outbox.c.event_id).where(outbox.c.key == case_id, outbox.c.type.in_(reacted))
                )
            )
        assert len(case_events) == 2
        replay_settings = KafkaSettings(**settings)
        publisher = KafkaPublisher(replay_settings)
        processor = InboxProcessor(
            consumer="insurance-replay",
            source="/safetynet/insurance",
            sessions=pair.insurance_runtime.sessions,
            handlers=HANDLERS,
            contracts=registry,
            dead_letters=KafkaDeadLetters(publisher),
        )
        consumer = KafkaInboxConsumer(
            processor=processor, settings=replay_settings, group_id=f"insurance-replay-{uuid4().hex[:8]}"
        )
        replaying = asyncio.create_task(consumer.run())

        async def replayed() -> bool:
            async with pair.insurance_db.connect() as connection:
                done = set(
                    await connection.scalars(
                        select(inbox.c.event_id).where(
                            inbox.c.consumer == "insurance-replay",
                            inbox.c.status == "processed",
                            inbox.c.event_id.in_(case_events),
                        )
                    )
                )
            return done == case_events

        try:
            await wait_for(replayed, within=60)
        finally:
            replaying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await replaying
            await publisher.stop()
        assert await roster_rows(pair, persons) == before
        assert await feed_size(pair, persons) == feed
