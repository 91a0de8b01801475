"""Through the real Kafka broker: a 特困 case approved, its person admitted to a care home in March and
discharged in June. Payments, on its own clock in the year the suite runs, pays March to the person, April to
June to the home's account, July to the person again — each month once, the ledger balanced."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import func, select

from services.payments.main import DEFINITION as PAYMENTS
from services.payments.main import create
from services.payments.settings import PaymentsSettings
from shared.auth import ensure_dev_keypair
from shared.clock import FixedClock
from shared.contracts.base import Event
from shared.contracts.facilities import FacilityStatusChanged
from shared.contracts.payments import PAYMENT_TOPIC
from shared.local.kafka import KafkaBroker
from shared.messaging.envelope import Envelope
from shared.messaging.kafka import KafkaPublisher
from shared.messaging.tables import inbox
from shared.pii import generate_pii_settings
from shared.settings import AuthSettings, DatabaseSettings
from tests.kit import topic_records, wait_for
from tests.kit.eligibility import DISTRICT
from tests.kit.messaging import kafka_settings
from tests.kit.payments import FACILITY_ACCOUNT, Story, account
from tests.kit.placements import TOTAL, admitted, discharged, on, payees, person_of, tekun_case
from tests.payments.conftest import Payments

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def published(publisher: KafkaPublisher, *events: Event) -> None:
    """Each event as its producer's relay would put it on the broker: CloudEvents headers, keyed."""
    await publisher.publish(
        [
            Envelope(
                id=event.event_id,
                type=event.event_type(),
                source=f"/safetynet/{event.topic.split('.')[0]}",
                time=event.occurred_at,
                subject=event.subject(),
                topic=event.topic,
                key=event.key(),
                data=json.dumps(event.body()).encode(),
            )
            for event in events
        ]
    )


@contextlib.asynccontextmanager
async def payments_on_kafka(
    migrated_database: Any, kafka: KafkaBroker, keys: Path, clock: FixedClock
) -> AsyncIterator[Payments]:
    """The payments app consuming from the broker, on `clock`."""
    url = await migrated_database(PAYMENTS.migrations)
    private_key, public_key = ensure_dev_keypair(keys)
    settings = PaymentsSettings.model_validate(
        {
            "environment": "development",
            "bus": "kafka",
            "kafka": {"bootstrap_servers": kafka.bootstrap_servers, "session_timeout_ms": 6_000},
            "database": DatabaseSettings(url=url),
            "auth": AuthSettings(issuer="test", audience="safetynet", public_key_file=public_key),
            "pii": generate_pii_settings(),
        }
    )
    app = create(settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://payments") as client:
            runtime = app.state.runtime
            yield Payments(client, runtime.engine, runtime, clock, private_key)


async def test_a_care_home_is_paid_for_the_months_of_its_residents_stay_through_kafka(
    migrated_database: Any, kafka: KafkaBroker, keys: Path
) -> None:
    case, home = tekun_case(), uuid4()
    person = person_of(case)
    publisher = KafkaPublisher(kafka_settings(kafka))
    # The home opens before anyone is admitted (payments ignores it; its topic exists from here on).
    opened = FacilityStatusChanged(
        facility_id=home, district_code=DISTRICT, status="open", changed_on=on(1, 5)
    )
    await published(publisher, case, opened)
    clock = FixedClock(on(2, 10))
    try:
        async with payments_on_kafka(migrated_database, kafka, keys, clock) as payments:
            story = Story(payments)

            async def entitled() -> bool:
                got = await payments.client.get(
                    "/v1/entitlements", params={"case_id": str(case.case_id)}, headers=story.preparer
                )
                return len(got.json()) == 1

            await wait_for(entitled, within=60)
            await story.funded(person_of(case))
            sent = await story.paid(f"{on(3, 1):%Y-%m}")

            clock.set(on(3, 12))
            admission = admitted(case, home, on(3, 12))
            await published(publisher, admission)

            async def home_known() -> bool:  # the admission has arrived: the home's account may be set
                return bool((await story.facility_account(home)).status_code == 200)

            await wait_for(home_known, within=60)
            for month in (4, 5, 6):
                sent |= await story.paid(f"{on(month, 1):%Y-%m}")

            clock.set(on(6, 20))
            await published(publisher, discharged(admission, home, on(6, 20), "returned_home"))

            async def discharge_applied() -> bool:
                async with payments.engine.connect() as connection:
                    done = await connection.scalar(
                        select(func.count()).where(
                            inbox.c.type == "ResidentDischarged", inbox.c.status == "processed"
                        )
                    )
                return bool(done == 1)

            await wait_for(discharge_applied, within=60)
            sent |= await story.paid(f"{on(7, 1):%Y-%m}")

            assert await payees(payments, person) == [
                (3, "person", None, "paid"),
                (4, "facility", home, "paid"),
                (5, "facility", home, "paid"),
                (6, "facility", home, "paid"),
                (7, "person", None, "paid"),
            ]
            own, homes = account(0)["account_number"], FACILITY_ACCOUNT["account_number"]
            assert [sent[f"{on(m, 1):%Y-%m}"] for m in range(3, 8)] == [own, homes, homes, homes, own]
            balances = await story.balances()
            assert (balances["benefits_paid"], balances["bank_clearing"]) == (5 * TOTAL, 0)

            paid = (await payments.client.get("/v1/payments", headers=story.preparer)).json()
            records = await topic_records(
                kafka.bootstrap_servers, PAYMENT_TOPIC, keys={p["id"] for p in paid}, at_least=5
            )
            assert sorted(r.type for r in records) == ["PaymentDisbursed"] * 5
            assert not any(homes.encode() in r.data for r in records)  # never in an event
    finally:
        await publisher.stop()
