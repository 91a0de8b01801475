"""Approving a case publishes exactly one CaseApproved through the outbox to the real Kafka broker."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.eligibility import CASE_TOPIC
from shared.local.kafka import KafkaBroker
from shared.messaging.tables import outbox
from tests.eligibility.conftest import serve
from tests.kit import topic_records, wait_for
from tests.kit.eligibility import APPROVE, DISTRICT, INVESTIGATION, apply, registered, steps

pytestmark = pytest.mark.kafka


async def test_approving_a_case_publishes_exactly_one_case_approved_to_kafka(
    eligibility_engine: AsyncEngine, kafka: KafkaBroker, keys: Path
) -> None:
    bus: dict[str, Any] = {"bus": "kafka", "kafka": {"bootstrap_servers": kafka.bootstrap_servers}}
    async with serve(eligibility_engine, keys, **bus) as api:
        caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
        application_id = await apply(api, await registered(api), caseworker)
        await steps(api, application_id, INVESTIGATION, caseworker)
        case_id = (
            await steps(api, application_id, [APPROVE], api.token("reviewer", DISTRICT, subject="rv-1"))
        )["case_id"]

        async def published() -> bool:
            async with eligibility_engine.connect() as connection:
                pending = await connection.scalar(
                    select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
                )
            return pending == 0

        await wait_for(published, within=60)
        await asyncio.sleep(1)  # a duplicate, if the relay sent one, would land by now
    records = await topic_records(kafka.bootstrap_servers, CASE_TOPIC, keys={case_id})
    assert [r.type for r in records] == ["CaseApproved", "CaseReviewScheduled"]
    record = records[0]
    assert record.source == "/safetynet/eligibility" and record.subject == case_id
    assert b"11010519" not in record.data and '"program":"dibao"' in record.data.decode()
