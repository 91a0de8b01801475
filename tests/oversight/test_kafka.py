"""Through the real Kafka broker: a check run's new finding is relayed from the outbox to
`oversight.finding.v1`, keyed by finding, as an outside subscriber reads it, carrying no resident ID."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shared.contracts.oversight import FINDING_TOPIC
from shared.local.kafka import KafkaBroker
from shared.messaging.tables import outbox
from tests.kit import topic_records, wait_for
from tests.kit.oversight import PARAMETERS, Oversight, approved, household, load, person, serve

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def test_a_new_finding_reaches_its_topic_from_the_outbox(
    oversight: Oversight, kafka: KafkaBroker, keys: Path
) -> None:
    (a, a_id) = person(1)
    home = household([(a, a_id)], district="500156")  # a district of its own on the shared broker
    case = approved(home)
    await oversight.deliver([home, case])
    await load(oversight, "prisons", "id_number,custody,from,until", f"{a_id},prison,2026-09-01,")
    bus = {"bus": "kafka", "kafka": {"bootstrap_servers": kafka.bootstrap_servers}}
    async with serve(oversight, keys, **bus) as served:
        body = {"rules": ["R7"], "as_of": "2026-11-16", "parameters": PARAMETERS}
        ran = await served.client.post("/v1/check-runs", json=body, headers=served.token("auditor"))
        assert ran.status_code == 201 and ran.json()["findings_new"] == 1

        async def relayed() -> bool:
            async with oversight.engine.connect() as connection:
                pending = await connection.scalar(
                    select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
                )
            return pending == 0

        await wait_for(relayed, within=60)
    (finding_id,) = [str(r[0]) for r in await oversight.rows("SELECT id FROM findings")]
    (record,) = await topic_records(kafka.bootstrap_servers, FINDING_TOPIC, keys={finding_id}, at_least=1)
    assert (record.type, record.source, record.subject) == (
        "FindingRaised",
        "/safetynet/oversight",
        finding_id,
    )
    assert (
        f'"case_id":"{case.case_id}"' in record.data.decode()
        and '"suspend_case":true' in record.data.decode()
    )
    assert a_id.encode() not in record.data and a_id[:14].encode() not in record.data
    assert date(2026, 11, 16).isoformat() in record.data.decode()
