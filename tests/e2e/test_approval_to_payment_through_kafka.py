"""Through the real Kafka broker: a case approved in eligibility becomes an entitlement in payments, then a
payment in the next monthly run — two services, two databases, events only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.local.kafka import KafkaBroker
from tests.eligibility.test_api_applications import DISTRICT
from tests.payments.conftest import prepared, serve_pair
from tests.payments.test_entitlements import delivered
from tests.payments.test_runs import approve_another

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def test_an_approval_becomes_a_payment_through_kafka(
    new_database: Any, kafka: KafkaBroker, tmp_path: Path
) -> None:
    bus = {
        "bus": "kafka",
        "kafka": {"bootstrap_servers": kafka.bootstrap_servers, "session_timeout_ms": 6_000},
    }
    async with serve_pair(new_database, tmp_path / "keys", **bus) as pair:
        _, case_id = await approve_another(pair)
        entitlements = await delivered(
            pair, "/v1/entitlements", {"case_id": case_id}, lambda rows: len(rows) == 2
        )
        assert {e["start_month"] for e in entitlements} == {"2026-11-01"}
        finance = pair.eligibility.token("finance_officer", DISTRICT, subject="fin-1")
        run = await prepared(pair, "2026-11", finance)
        assert (run["payment_count"], run["total_fen"]) == (2, 114_000)
