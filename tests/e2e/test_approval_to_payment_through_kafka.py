"""Through the real Kafka broker: a case approved in eligibility becomes an entitlement in payments, then a
payment in the next monthly run — two services, two databases, events only — and the bank's answers,
including a failure and its reissue, reach the broker as payment events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.payments.models import Payment
from shared.contracts.payments import PAYMENT_TOPIC
from shared.local.kafka import KafkaBroker
from tests.kit import topic_records
from tests.kit.eligibility import DISTRICT
from tests.kit.payments import Finance, account, approve_another, delivered, returns
from tests.payments.conftest import prepared, serve_pair

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def test_an_approval_becomes_a_payment_through_kafka(
    migrated_database: Any, kafka: KafkaBroker, keys: Path
) -> None:
    bus = {
        "bus": "kafka",
        "kafka": {"bootstrap_servers": kafka.bootstrap_servers, "session_timeout_ms": 6_000},
    }
    async with serve_pair(migrated_database, keys, **bus) as pair:
        _, case_id = await approve_another(pair)
        entitlements = await delivered(
            pair, "/v1/entitlements", {"case_id": case_id}, lambda rows: len(rows) == 2
        )
        assert {e["start_month"] for e in entitlements} == {"2026-11-01"}
        finance = pair.eligibility.token("finance_officer", DISTRICT, subject="fin-1")
        run = await prepared(pair, "2026-11", finance)
        assert (run["payment_count"], run["total_fen"]) == (2, 114_000)

        officers = Finance(pair)
        for n, entitlement in enumerate(entitlements):
            await officers.set_account(entitlement["person_id"], account(n))
        await officers.post(
            f"/v1/ledger/{DISTRICT}/allocations",
            json={"amount_fen": 114_000, "reference": "K-1", "memo": "funds"},
        )
        released = await officers.post(f"/v1/runs/{run['id']}/release", headers=officers.checker)
        assert released.status_code == 200, released.text
        sent, (paid, refused) = await officers.send(run["id"])
        await officers.post(
            f"/v1/bank-files/{sent['id']}/returns",
            content=returns(sent["id"], [(paid[2], "PAID", ""), (refused[2], "FAILED", "ACCOUNT_FROZEN")]),
        )
        failed = (
            await pair.payments.get("/v1/payments", params={"status": "failed"}, headers=finance)
        ).json()
        guardian = {**account(7), "appointed": True, "relationship": "son", "reason": "account frozen"}
        reissued = await officers.post(f"/v1/payments/{failed[0]['id']}/reissue", json={"payee": guardian})
        assert reissued.status_code == 201, reissued.text

        # The topic is the real one, which other tests' payments write to as well: this run's records only.
        async with pair.payments_db.connect() as connection:
            ours = {run["id"], *(str(id_) for id_ in await connection.scalars(select(Payment.id)))}
        seen = await topic_records(kafka.bootstrap_servers, PAYMENT_TOPIC, keys=ours, at_least=4)
        # Order is promised per key (per payment, per run), not across the topic's partitions.
        by_type = {record.type: record for record in seen}
        assert len(seen) == 4 and set(by_type) == {
            "PaymentRunReleased",
            "PaymentDisbursed",
            "PaymentFailed",
            "PaymentReissued",
        }
        assert by_type["PaymentRunReleased"].key == run["id"]
        assert by_type["PaymentFailed"].key == failed[0]["id"]
        assert by_type["PaymentReissued"].key == reissued.json()["id"]
        assert by_type["PaymentDisbursed"].key not in {failed[0]["id"], reissued.json()["id"], run["id"]}
        assert json.loads(by_type["PaymentReissued"].data)["original_payment_id"] == failed[0]["id"]
        everything = b"".join(record.data for record in seen)
        assert not any(account(n)["account_number"].encode() in everything for n in (0, 1, 7))
